{#- Row-level quarantine helpers (models/quarantine). Each qrn_raw__* model gives every
    distinct raw row a verdict: the first failing check's reason code and message, or null
    when the row is clean. Staging keeps the clean rows; qrn_quarantined_rows lists the rest. -#}

{#- The contract columns of a raw table, in contract order, from the sources YAML
    (generated from contract.py). Extra columns in a file are ignored, as preflight reports. -#}
{% macro raw_contract_columns(table_name) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set node = graph.sources.get('source.loyalty_warehouse.raw.' ~ table_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error('raw table ' ~ table_name ~ ' is not in the raw sources') }}
    {%- endif -%}
    {{ return(node.columns.keys() | list) }}
{%- endmacro %}

{#- Text cast on every engine. -#}
{% macro as_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- A fingerprint of a raw row over the given columns (nulls kept apart from the text 'null'). -#}
{% macro raw_row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ as_text(column) ~ ", '<null>')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#- The raw row as readable text: "col=value; col=value; ..." (null shown as null). -#}
{% macro raw_row_text(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("'" ~ column ~ "='") -%}
        {%- do parts.append("coalesce(" ~ as_text(column) ~ ", 'null')") -%}
        {%- if not loop.last %}{% do parts.append("'; '") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#- The verdict columns: checks are evaluated in order and the first that holds wins. -#}
{% macro quarantine_verdict(checks) -%}
    case
    {%- for check in checks %}
        when {{ check.when }} then '{{ check.reason }}'
    {%- endfor %}
    end as quarantine_reason,
    case
    {%- for check in checks %}
        when {{ check.when }} then {{ check.message }}
    {%- endfor %}
    end as quarantine_message
{%- endmacro %}

{#- The latest timestamp a raw row may carry: the load time (var dq_load_time, default the
    start of this dbt run) plus dq_future_tolerance_days. -#}
{% macro dq_future_cutoff() -%}
    {%- set load_time = var('dq_load_time', none) -%}
    {%- if load_time is none -%}
        {%- set load_time = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- endif -%}
    {{ dbt.dateadd('day', var('dq_future_tolerance_days', 1), "cast('" ~ load_time ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{#- The earliest timestamp a raw row may carry: the day the brand's records begin. -#}
{% macro dq_earliest_valid() -%}
    cast('{{ var("dq_earliest_valid_date", "2015-01-01") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Checks on one timestamp column: in the future, or before the brand's records begin. -#}
{% macro timestamp_checks(column_name) -%}
    {{ return([
        {'reason': 'future_timestamp',
         'when': 'cast(' ~ column_name ~ ' as ' ~ dbt.type_timestamp() ~ ') > ' ~ dq_future_cutoff(),
         'message': "'" ~ column_name ~ " ' || " ~ as_text(column_name) ~ " || ' is after the load time'"},
        {'reason': 'before_brand_start',
         'when': 'cast(' ~ column_name ~ ' as ' ~ dbt.type_timestamp() ~ ') < ' ~ dq_earliest_valid(),
         'message': "'" ~ column_name ~ " ' || " ~ as_text(column_name) ~ " || ' is before dq_earliest_valid_date'"},
    ]) }}
{%- endmacro %}

{#- An unknown-enum check over several columns: enums is a list of (column, alias), where
    <alias>_value is the matching ref_enums value (null when the value is not allowed). -#}
{% macro unknown_enum_check(enums) -%}
    {%- set conditions = [] -%}
    {%- set messages = [] -%}
    {%- for column, alias in enums -%}
        {%- set failing = clean_enum(column) ~ ' is not null and ' ~ alias ~ '_value is null' -%}
        {%- do conditions.append('(' ~ failing ~ ')') -%}
        {%- do messages.append('when ' ~ failing ~ " then '" ~ column ~ " ''' || " ~ as_text(column) ~ " || ''' is not an allowed value'") -%}
    {%- endfor -%}
    {{ return({'reason': 'unknown_enum', 'when': '(' ~ conditions | join(' or ') ~ ')',
               'message': 'case ' ~ messages | join(' ') ~ ' end'}) }}
{%- endmacro %}

{#- Left join to the allowed values of one closed enumeration (ref_enums), aliased. -#}
{% macro enum_join(enum_name, expression, alias) -%}
    left join (
        select enum_value from {{ ref('ref_enums') }}
        where enum_name = '{{ enum_name }}'
    ) as {{ alias }}
        on {{ expression }} = {{ alias }}.enum_value
{%- endmacro %}

{#- Free text as staged, for text that may be typed with full-width (ideographic) spaces:
    those become ordinary spaces before trimming, so '　上海　' stages as '上海'. -#}
{% macro clean_wide_text(column_name) -%}
    {{ clean_text("replace(cast(" ~ column_name ~ " as " ~ dbt.type_string() ~ "), '　', ' ')") }}
{%- endmacro %}

{#- The distinct raw rows of a raw table over its contract columns: exact replays collapse here
    (raw_rows_accounted_for counts them). -#}
{% macro distinct_raw_rows(table_name, columns) -%}
    select distinct {{ columns | join(', ') }}
    from {{ source('raw', table_name) }}
{%- endmacro %}

{#- One verdict per record key of another quarantine model (an id with conflicting versions
    is quarantined, so max() only picks among equal verdicts or a reason over null). -#}
{% macro verdict_per_key(model_name, key_alias) -%}
    select
        record_key as {{ key_alias }},
        max(quarantine_reason) as quarantine_reason
    from {{ ref(model_name) }}
    where record_key is not null
    group by record_key
{%- endmacro %}

{#- The id checks every keyed raw table starts with: a missing id, and one id with several
    different versions (none of which is used). -#}
{% macro id_checks(key, id_column) -%}
    {{ return([
        {'reason': 'missing_id', 'when': key ~ ' is null', 'message': "'" ~ id_column ~ " is null or blank'"},
        {'reason': 'duplicate_id_conflict', 'when': 'rows_with_key > 1',
         'message': "'" ~ id_column ~ " ' || " ~ key ~ " || ' has ' || " ~ as_text('rows_with_key')
            ~ " || ' different versions; none is used'"},
    ]) }}
{%- endmacro %}

{#- The member checks of a table that points at raw_members (needs member_key, member_in_raw
    and member_quarantine_reason from a join to verdict_per_key('qrn_raw__members')). -#}
{% macro member_checks() -%}
    {{ return([
        {'reason': 'missing_member_id', 'when': 'member_key is null', 'message': "'member_id is null or blank'"},
        {'reason': 'orphan_member_id', 'when': 'member_in_raw is null',
         'message': "'member_id ' || member_key || ' is not in raw_members'"},
        {'reason': 'orphan_member_id', 'when': 'member_quarantine_reason is not null',
         'message': "'member_id ' || member_key || ' is quarantined in raw_members (' || member_quarantine_reason || ')'"},
    ]) }}
{%- endmacro %}

{#- The output of a quarantine model: the raw row, its fingerprint (held-back rows only: hashing
    every clean row costs a third of the model at scale, and record_key identifies those), its
    record key and verdict. -#}
{% macro quarantine_output(columns, record_key, checks) -%}
    select
        {{ columns | join(',\n        ') }},
        case
            when quarantine_reason is not null then {{ raw_row_hash(columns) }}
        end as raw_row_hash,
        record_key,
        quarantine_reason,
        quarantine_message
    from (
        select
            {{ columns | join(',\n            ') }},
            {{ record_key }} as record_key,
            {{ quarantine_verdict(checks) }}
        from prepared
    ) as verdicts
{%- endmacro %}
