{#- Membership level L1..L4 of every member as of as_of_date (spec C22, DQ-P01..P03):
    the highest level whose net-spend OR purchase-count threshold is met over the
    trailing member_window_days, compared with the level computed the same way at the
    end of the calendar month before the as_of_date month. -#}
{%- set window_days = var('member_window_days') -%}
{%- set level_labels = ['bronze', 'silver', 'gold', 'platinum'] -%}

{#- DQ-P01: the thresholds are validated by member_level_rank; the labels fix the level count at 4. -#}
{%- for var_name in ['member_level_gmv_thresholds', 'member_level_order_thresholds'] -%}
    {%- if var(var_name) is iterable and var(var_name) is not string
        and var(var_name) | length != level_labels | length -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ var_name ~ "' has " ~ var(var_name) | length ~ " thresholds; it needs exactly "
            ~ level_labels | length ~ ", one per level L1-L" ~ level_labels | length
            ~ " (fix it in dbt_project.yml or --vars)") }}
    {%- endif -%}
{%- endfor -%}
with

as_of as (
    select
        as_of_date,
        cast({{ dbt.dateadd('day', -1, dbt.date_trunc('month', 'as_of_date')) }} as date)
            as previous_level_date
    from {{ ref('int_as_of_date') }}
),

members as (
    select * from {{ ref('fct_members') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

ledger as (
    select * from {{ ref('fct_points_ledger') }}
),

previous_window as (
    select
        previous_level_date,
        cast({{ dbt.dateadd('day', -(window_days - 1), 'previous_level_date') }} as date)
            as previous_window_start_date
    from as_of
),

-- the same measures as fct_members' *_in_window, over the window ending on previous_level_date
previous_purchases as (
    select
        orders.member_id,
        count(*) as purchases,
        sum(orders.net_amount) as net_amount
    from orders
    cross join previous_window
    where
        orders.is_purchase
        and orders.order_date >= previous_window.previous_window_start_date
        and orders.order_date <= previous_window.previous_level_date
    group by orders.member_id
),

points as (
    select
        member_id,
        cast(sum(points) as {{ dbt.type_bigint() }}) as points_balance
    from ledger
    group by member_id
),

measured as (
    select
        members.member_id,
        members.net_amount_in_window as qualifying_net_amount_in_window,
        members.purchases_in_window as qualifying_purchases_in_window,
        case
            when cast(members.registered_at as date) <= as_of.previous_level_date
                then coalesce(previous_purchases.net_amount, 0)
        end as previous_qualifying_net_amount,
        case
            when cast(members.registered_at as date) <= as_of.previous_level_date
                then coalesce(previous_purchases.purchases, 0)
        end as previous_qualifying_purchases,
        coalesce(points.points_balance, 0) as points_balance,
        as_of.as_of_date,
        cast(members.window_start_date as date) as window_start_date,
        as_of.previous_level_date
    from members
    cross join as_of
    left join previous_purchases on members.member_id = previous_purchases.member_id
    left join points on members.member_id = points.member_id
),

ranked as (
    select
        *,
        {{ member_level_rank('qualifying_net_amount_in_window', 'qualifying_purchases_in_window') }}
            as level_rank,
        case
            when previous_qualifying_purchases is not null
                then {{ member_level_rank('previous_qualifying_net_amount', 'previous_qualifying_purchases') }}
        end as previous_level_rank
    from measured
),

final as (
    select
        member_id,
        {{ member_level_name('level_rank') }} as member_level,
        case level_rank
            {%- for label in level_labels %}
                when {{ loop.index }} then '{{ label }}'
            {%- endfor %}
        end as member_level_label,
        case
            when previous_level_rank is not null
                then {{ member_level_name('previous_level_rank') }}
        end as previous_level,
        case
            when previous_level_rank is null then 'new'
            when level_rank > previous_level_rank then 'up'
            when level_rank < previous_level_rank then 'down'
            else 'same'
        end as level_direction,
        level_rank,
        previous_level_rank,
        qualifying_net_amount_in_window,
        qualifying_purchases_in_window,
        previous_qualifying_net_amount,
        previous_qualifying_purchases,
        points_balance,
        coalesce(level_rank != previous_level_rank, false) as has_level_changed,
        as_of_date,
        window_start_date,
        previous_level_date
    from ranked
)

{{ select_declared_types('final') }}
