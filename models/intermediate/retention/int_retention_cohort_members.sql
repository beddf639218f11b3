{#- Cohort membership under the two cohort definitions: the period of the first purchase, and the
    period of registration (which also covers members who never purchased). -#}
with

purchases as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

members as (
    select * from {{ ref('int_members_as_of_date') }}
),

first_purchases as (
    select
        member_id,
        min(order_date) as first_purchase_date
    from purchases
    group by member_id
),

-- registered by as_of_date (a member buying before registering has a first-purchase cohort only)
registrations as (
    select
        member_id,
        cast(registered_at as date) as registration_date
    from members
    where cast(registered_at as date) <= as_of_date
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
