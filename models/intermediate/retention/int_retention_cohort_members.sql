{#- Cohort membership under the two cohort definitions: the period of the first purchase, and the
    period of registration (which also covers members who never purchased). -#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

members as (
    select * from {{ ref('dim_members') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_purchases as (
    select
        orders.member_id,
        min(orders.order_date) as first_purchase_date
    from orders
    cross join as_of
    where orders.is_purchase and orders.order_date <= as_of.as_of_date
    group by orders.member_id
),

registrations as (
    select
        members.member_id,
        cast(members.registered_at as date) as registration_date
    from members
    cross join as_of
    where cast(members.registered_at as date) <= as_of.as_of_date
),

final as (
    select
        member_id,
        'first_purchase' as cohort_definition,
        {{ retention_period_start('first_purchase_date') }} as cohort_start_date,
        first_purchase_date as cohort_entry_date
    from first_purchases
    union all
    select
        member_id,
        'registration' as cohort_definition,
        {{ retention_period_start('registration_date') }} as cohort_start_date,
        registration_date as cohort_entry_date
    from registrations
)

select * from final
