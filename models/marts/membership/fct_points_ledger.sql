{#- Points ledger derived from the earning rules of spec C22 (there is no raw ledger):
    every purchase, the first check-in of each day, every share, the first completion of
    each survey, and every redemption, for members in fct_members, up to as_of_date. -#}
{%- set points_per_currency_unit = var('points_per_currency_unit') -%}
{%- set points_daily_checkin = var('points_daily_checkin') -%}
{%- set points_share = var('points_share') -%}
{%- set points_survey = var('points_survey') -%}
{%- set no_order_id = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

members as (
    select member_id from {{ ref('fct_members') }}
),

orders as (
    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date
),

interactions as (
    select interactions.*
    from {{ ref('fct_interactions') }} as interactions
    cross join as_of
    where interactions.event_date <= as_of.as_of_date
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
    from orders
    where is_purchase
),

-- a member can check in several times a day; only the first check-in of the day earns
check_ins as (
    select
        event_id,
        member_id,
        occurred_at,
        row_number() over (
            partition by member_id, event_date
            order by occurred_at, event_id
        ) as check_in_of_day
    from interactions
    where event_type = 'check_in'
),

-- a survey earns once per member: the first completion of each survey (content_id)
surveys as (
    select
        event_id,
        member_id,
        occurred_at,
        row_number() over (
            partition by member_id, content_id
            order by occurred_at, event_id
        ) as completion_of_survey
    from interactions
    where event_type = 'survey_completed'
),

event_txns as (
    select
        {{ dbt.concat(["'check_in:'", 'event_id']) }} as txn_id,
        member_id,
        {{ no_order_id }} as order_id,
        event_id,
        'check_in' as reason,
        cast({{ points_daily_checkin }} as {{ dbt.type_bigint() }}) as points,
        occurred_at as txn_at
    from check_ins
    where check_in_of_day = 1

    union all

    select
        {{ dbt.concat(["'share:'", 'event_id']) }} as txn_id,
        member_id,
        {{ no_order_id }} as order_id,
        event_id,
        'share' as reason,
        cast({{ points_share }} as {{ dbt.type_bigint() }}) as points,
        occurred_at as txn_at
    from interactions
    where event_type = 'share'

    union all

    select
        {{ dbt.concat(["'survey:'", 'event_id']) }} as txn_id,
        member_id,
        {{ no_order_id }} as order_id,
        event_id,
        'survey' as reason,
        cast({{ points_survey }} as {{ dbt.type_bigint() }}) as points,
        occurred_at as txn_at
    from surveys
    where completion_of_survey = 1

    union all

    -- redemptions always debit, whatever sign the source gives the points moved
    select
        {{ dbt.concat(["'redemption:'", 'event_id']) }} as txn_id,
        member_id,
        {{ no_order_id }} as order_id,
        event_id,
        'redemption' as reason,
        -1 * abs(points) as points,
        occurred_at as txn_at
    from interactions
    where event_type = 'points_redeem' and points is not null
),

transactions as (
    select * from purchase_txns
    union all
    select * from event_txns
),

final as (
    select
        transactions.txn_id,
        transactions.member_id,
        transactions.order_id,
        transactions.event_id,
        transactions.reason,
        transactions.points,
        cast(sum(transactions.points) over (
            partition by transactions.member_id
            order by transactions.txn_at, transactions.txn_id
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as running_balance,
        row_number() over (
            partition by transactions.member_id
            order by transactions.txn_at, transactions.txn_id
        ) as txn_seq,
        cast(transactions.txn_at as date) as txn_date,
        transactions.txn_at
    from transactions
    inner join members on transactions.member_id = members.member_id
)

{{ select_declared_types('final') }}
