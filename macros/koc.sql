{#- The KOC's level and status in force at a moment, for each row of a CTE: the latest
    fct_koc_level_events event at or before it (later sequence first on a tie). Rows from
    before the KOC entered get no row. Returns row_key, to_level and to_status. -#}
{% macro koc_state_at(rows, row_key, member_id, moment, events='events') -%}
    select
        ranked.row_key,
        ranked.to_level,
        ranked.to_status
    from (
        select
            {{ rows }}.{{ row_key }} as row_key,
            {{ events }}.to_level,
            {{ events }}.to_status,
            row_number() over (
                partition by {{ rows }}.{{ row_key }}
                order by {{ events }}.event_at desc, {{ events }}.event_sequence desc
            ) as recency
        from {{ rows }}
        inner join {{ events }}
            on
                {{ rows }}.{{ member_id }} = {{ events }}.koc_member_id
                and {{ rows }}.{{ moment }} >= {{ events }}.event_at
    ) as ranked
    where ranked.recency = 1
{%- endmacro %}
