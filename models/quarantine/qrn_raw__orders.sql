{%- set columns = raw_contract_columns('raw_orders') -%}
{%- set amounts = ['gross_amount', 'discount_amount', 'paid_amount', 'refund_amount'] -%}
{%- set checks = id_checks('order_key', 'order_id') + member_checks() + [
    {'reason': 'missing_value', 'when': 'ordered_at is null', 'message': "'ordered_at is null'"},
] + timestamp_checks('ordered_at') + [
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

prepared as (
    select
        keyed.*,
        members.member_key as member_in_raw,
        members.quarantine_reason as member_quarantine_reason,
        enum_status.enum_value as enum_status_value,
        enum_channel.enum_value as enum_channel_value
    from keyed
    left join members
        on keyed.member_key = members.member_key
    {{ enum_join('order_status', 'keyed.status_key', 'enum_status') }}
    {{ enum_join('order_channel', clean_enum('keyed.channel'), 'enum_channel') }}
),

final as (
    {{ quarantine_output(columns, 'order_key', checks) }}
)

select * from final
