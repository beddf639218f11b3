{%- set columns = raw_contract_columns('raw_orders') -%}
{%- set amounts = ['gross_amount', 'discount_amount', 'paid_amount', 'refund_amount'] -%}
{%- set checks = id_checks('order_key', 'order_id') + member_checks() + [
    {'reason': 'missing_value', 'when': 'ordered_at is null', 'message': "'ordered_at is null'"},
] + timestamp_checks('ordered_at') + [
    {'reason': 'isolated_timestamp', 'when': 'cast(ordered_at as date) >= first_isolated_date',
     'message': "'ordered_at ' || " ~ as_text('ordered_at') ~ " || ' is more than " ~ var('dq_isolated_gap_days')
        ~ " days after every other order (dq_isolated_gap_days); as_of_date would move to it'"},

    {'reason': 'missing_value', 'when': 'status_key is null', 'message': "'status is null or blank'"},
    unknown_enum_check([('status', 'enum_status'), ('channel', 'enum_channel')]),
    {'reason': 'negative_amount', 'when': '(' ~ amounts | join(' < 0 or ') ~ ' < 0)',
     'message': "'negative amount: gross ' || " ~ as_text('gross_amount') ~ " || ', discount ' || "
        ~ as_text('discount_amount') ~ " || ', paid ' || " ~ as_text('paid_amount') ~ " || ', refund ' || "
        ~ as_text('refund_amount')},
    {'reason': 'absurd_amount',
     'when': '(' ~ amounts | join(' > ' ~ var('dq_max_order_amount') ~ ' or ') ~ ' > ' ~ var('dq_max_order_amount') ~ ')',
     'message': "'an amount is above dq_max_order_amount (" ~ var('dq_max_order_amount') ~ " " ~ var('currency_code') ~ "): gross ' || "
        ~ as_text('gross_amount') ~ " || ', paid ' || " ~ as_text('paid_amount')},
    {'reason': 'refund_exceeds_paid', 'when': 'coalesce(refund_amount, 0) > coalesce(paid_amount, 0)',
     'message': "'refund ' || " ~ as_text('refund_amount') ~ " || ' is larger than the payment ' || "
        ~ as_text('coalesce(paid_amount, 0)')},
] -%}

with

-- exact replays collapse here; raw_rows_accounted_for counts them
distinct_rows as (
    {{ distinct_raw_rows('raw_orders', columns) }}
),

keyed as (
    select
        distinct_rows.*,
        {{ clean_text('order_id') }} as order_key,
        {{ clean_text('member_id') }} as member_key,
        {{ clean_enum('status') }} as status_key,
        count(*) over (partition by {{ clean_text('order_id') }}) as rows_with_key
    from distinct_rows
),

members as (
    {{ verdict_per_key('qrn_raw__members', 'member_key') }}
),

-- a stray tail of orders: the first order date that follows a gap of more than dq_isolated_gap_days
-- and from which on fewer than dq_isolated_tail_share of all orders fall (null when there is none)
order_days as (
    select
        cast(ordered_at as date) as order_date,
        count(*) as orders
    from keyed
    where ordered_at is not null
    group by cast(ordered_at as date)
),

order_days_counted as (
    select
        order_date,
        lag(order_date) over (order by order_date) as previous_order_date,
        sum(orders) over (order by order_date desc rows between unbounded preceding and current row)
            as orders_from_here,
        sum(orders) over () as all_orders
    from order_days
),

isolated_tail as (
    select min(order_date) as first_isolated_date
    from order_days_counted
    where
        {{ dbt.datediff('previous_order_date', 'order_date', 'day') }}
        > {{ var('dq_isolated_gap_days') }}
        and orders_from_here <= {{ var('dq_isolated_tail_share') }} * all_orders
),

prepared as (
    select
        keyed.*,
        members.member_key as member_in_raw,
        members.quarantine_reason as member_quarantine_reason,
        isolated_tail.first_isolated_date,
        enum_status.enum_value as enum_status_value,
        enum_channel.enum_value as enum_channel_value
    from keyed
    cross join isolated_tail
    left join members
        on keyed.member_key = members.member_key
    {{ enum_join('order_status', 'keyed.status_key', 'enum_status') }}
    {{ enum_join('order_channel', clean_enum('keyed.channel'), 'enum_channel') }}
),

final as (
    {{ quarantine_output(columns, 'order_key', checks) }}
)

select * from final
