{#- Points ledger derived from the earning rules of spec C22 (there is no raw ledger):
    every purchase, the first check-in of each day, every share, the first completion of
    each survey, and every redemption, for members in fct_members, up to as_of_date. -#}
{%- set points_per_currency_unit = var('points_per_currency_unit') -%}
{#- The earning and spending rules for events: which event type, the reason recorded, the points
    moved, and what the award is limited to (once per day, once per survey, or every event). -#}
{%- set event_rules = [
    {'event_type': 'check_in', 'reason': 'check_in', 'points': var('points_daily_checkin'),
     'once_per': as_text('event_date')},
    {'event_type': 'share', 'reason': 'share', 'points': var('points_share'), 'once_per': 'event_id'},
    {'event_type': 'survey_completed', 'reason': 'survey', 'points': var('points_survey'), 'once_per': 'content_id'},
    {'event_type': 'points_redeem', 'reason': 'redemption', 'points': '-1 * abs(points)', 'once_per': 'event_id'},
] -%}
with

members as (
    select member_id from {{ ref('fct_members') }}
),

purchases as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
    where
        event_type in (
            {%- for rule in event_rules %}
                '{{ rule.event_type }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        -- a redemption without an amount moves nothing
        and (event_type != 'points_redeem' or points is not null)
),

-- one transaction per purchase: floor of the net amount times the earning rate, in exact
-- decimal arithmetic so that e.g. 0.29 x 100 does not floor to 28
purchase_txns as (
    select
        {{ dbt.concat(["'purchase:'", 'order_id']) }} as txn_id,
        member_id,
        order_id,
        cast(null as {{ dbt.type_string() }}) as event_id,
        'purchase' as reason,
        cast(
            floor(net_amount * cast({{ points_per_currency_unit }} as {{ dbt.type_numeric() }}))
            as {{ dbt.type_bigint() }}
        ) as points,
        ordered_at as txn_at
    from purchases
),

-- the n-th event of its kind within what its award is limited to (a check-in earns once a day,
-- a survey once per member; redemptions always debit, whatever sign the source gives them)
ranked_events as (
    select
        event_id,
        member_id,
        case event_type
            {%- for rule in event_rules %}
                when '{{ rule.event_type }}' then '{{ rule.reason }}'
            {%- endfor %}
        end as reason,
        case event_type
            {%- for rule in event_rules %}
                when '{{ rule.event_type }}' then {{ rule.points }}
            {%- endfor %}
        end as points_moved,
        occurred_at,
        row_number() over (
            partition by
                member_id,
                event_type,
                case event_type
                    {%- for rule in event_rules %}
                        when '{{ rule.event_type }}' then {{ rule.once_per }}
                    {%- endfor %}
                end
            order by occurred_at, event_id
        ) as award_seq
    from interactions
),

event_txns as (
    select
        {{ dbt.concat(['reason', "':'", 'event_id']) }} as txn_id,
        member_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        event_id,
        reason,
        cast(points_moved as {{ dbt.type_bigint() }}) as points,
        occurred_at as txn_at
    from ranked_events
    where award_seq = 1
),

transactions as (
    select * from purchase_txns
    union all
    select * from event_txns
),

-- the balance as recorded, in transaction order
recorded as (
    select
        transactions.*,
        sum(transactions.points) over (
            partition by transactions.member_id
            order by transactions.txn_at, transactions.txn_id
            rows between unbounded preceding and current row
        ) as recorded_balance,
        row_number() over (
            partition by transactions.member_id
            order by transactions.txn_at, transactions.txn_id
        ) as txn_seq
    from transactions
    inner join members on transactions.member_id = members.member_id
),

-- a redemption never takes the balance below zero: the balance floored at zero after every
-- transaction is the recorded balance minus its lowest point so far (when below zero). That can
-- happen only when the orders or events that earned the points were held back by the quarantine.
floored as (
    select
        *,
        recorded_balance - least(0, min(recorded_balance) over (
            partition by member_id
            order by txn_at, txn_id
            rows between unbounded preceding and current row
        )) as running_balance
    from recorded
),

applied as (
    select
        *,
        running_balance - coalesce(lag(running_balance) over (
            partition by member_id order by txn_at, txn_id
        ), 0) as points_applied
    from floored
),

final as (
    select
        txn_id,
        member_id,
        order_id,
        event_id,
        reason,
        cast(points_applied as {{ dbt.type_bigint() }}) as points,
        cast(points_applied - points as {{ dbt.type_bigint() }}) as unfunded_points,
        cast(running_balance as {{ dbt.type_bigint() }}) as running_balance,
        txn_seq,
        cast(txn_at as date) as txn_date,
        txn_at
    from applied
)

{{ select_declared_types('final') }}
