{#- Turning checks into a verdict per raw row (the first failing check wins) and per record key. -#}

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
