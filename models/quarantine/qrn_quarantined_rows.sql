{%- set tables = ['raw_members', 'raw_orders', 'raw_interactions', 'raw_ugc_post_metrics', 'raw_campaigns',
                  'raw_koc_participations'] -%}

with

final as (
    {%- for table_name in tables %}
        select
            '{{ table_name }}' as table_name,
            record_key,
            quarantine_reason,
            quarantine_message,
            {{ raw_row_text(raw_contract_columns(table_name)) }} as raw_row,
            raw_row_hash
        from {{ ref('qrn_' ~ table_name | replace('raw_', 'raw__', 1)) }}
        where quarantine_reason is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
