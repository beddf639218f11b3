{#- Every raw value a value rule cleaned (macros/quarantine/value_rules.sql): the row is staged, the
    value is staged as null. -#}
{%- set tables = ['raw_members', 'raw_orders', 'raw_interactions', 'raw_ugc_post_metrics', 'raw_campaigns',
                  'raw_koc_participations'] -%}
{%- set selects = [] -%}
{%- for table_name in tables -%}
    {%- for rule in value_rules(table_name) -%}
        {%- do selects.append(
            "select '" ~ table_name ~ "' as table_name, record_key, '" ~ rule.column ~ "' as column_name, "
            ~ as_text(rule.column) ~ " as raw_value, " ~ rule.column ~ "_cleaning as cleaning_reason from "
            ~ ref('qrn_' ~ table_name | replace('raw_', 'raw__', 1)) ~ " where " ~ rule.column ~ "_cleaning is not null"
        ) -%}
    {%- endfor -%}
{%- endfor %}
with

final as (
    {{ selects | join('\n    union all\n    ') }}
)

select * from final
