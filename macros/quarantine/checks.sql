{#- The row-level checks of the quarantine models, each a {'reason', 'when', 'message'} mapping
    that quarantine_verdict turns into SQL. -#}

{#- The latest timestamp a raw row may carry: the load time (var dq_load_time, default the
    start of this dbt run) plus dq_future_tolerance_days. -#}
{% macro dq_future_cutoff() -%}
    {{ dbt.dateadd('day', var('dq_future_tolerance_days', 1), "cast('" ~ dq_load_time() ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{#- The load time the checks compare with: var dq_load_time, default the start of this dbt run (text). -#}
{% macro dq_load_time() -%}
    {%- set load_time = var('dq_load_time', none) -%}
    {{ return(load_time if load_time is not none else run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }}
{%- endmacro %}

{#- The earliest timestamp a raw row may carry: the day the brand's records begin. -#}
{% macro dq_earliest_valid() -%}
    cast('{{ var("dq_earliest_valid_date") }}' as {{ dbt.type_timestamp() }})
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
