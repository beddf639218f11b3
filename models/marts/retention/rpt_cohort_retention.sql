{#- Cohort retention in long form. Rows exist only for periods that have started by as_of_date;
    the retention columns of a period that has not ended are null (not zero) and the row is flagged. -#}
with

cohort_members as (
    select * from {{ ref('int_retention_cohort_members') }}
),

member_periods as (
    select * from {{ ref('int_retention_member_periods') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- period numbers 0 .. cohort_max_periods (the series counts from 1)
period_numbers as (
    select generated_number - 1 as period_number
    from ({{ dbt.generate_series(var('cohort_max_periods') + 1) }}) as series
),

bases as (
    select 'ordering' as retention_basis
    union all
    select 'active' as retention_basis
    union all
    select 'revenue' as retention_basis
),

cohorts as (
    select
        cohort_definition,
        cohort_start_date,
        count(*) as cohort_size
    from cohort_members
    group by cohort_definition, cohort_start_date
),

-- every period from 0 up to the period containing as_of_date, capped at cohort_max_periods
cohort_periods as (
    select
        cohorts.cohort_definition,
        cohorts.cohort_size,
        period_numbers.period_number,
        cohorts.cohort_start_date,
        {{ retention_period_add('period_numbers.period_number', 'cohorts.cohort_start_date') }} as period_start_date,
        as_of.as_of_date
    from cohorts
    cross join as_of
    inner join period_numbers
        on period_numbers.period_number <= {{ retention_period_number(
            'cohorts.cohort_start_date', retention_period_start('as_of.as_of_date')) }}
),

member_cells as (
    select
        cohort_members.cohort_definition,
        cohort_members.cohort_start_date,
        member_periods.period_start_date,
        member_periods.has_purchase,
        member_periods.net_amount,
        -- registration is the period-0 activity of the registration cohort
        (
            member_periods.is_active
            or (
                cohort_members.cohort_definition = 'registration'
                and member_periods.period_start_date = cohort_members.cohort_start_date
            )
        ) as is_active
    from cohort_members
    inner join member_periods
        on
            cohort_members.member_id = member_periods.member_id
            and cohort_members.cohort_start_date <= member_periods.period_start_date
    union all
    -- registered members with no activity at all in their registration period
    select
        cohort_members.cohort_definition,
        cohort_members.cohort_start_date,
        cohort_members.cohort_start_date as period_start_date,
        false as has_purchase,
        0 as net_amount,
        true as is_active
    from cohort_members
    left join member_periods
        on
            cohort_members.member_id = member_periods.member_id
            and cohort_members.cohort_start_date = member_periods.period_start_date
    where cohort_members.cohort_definition = 'registration' and member_periods.member_id is null
),

cells as (
    select
        cohort_definition,
        cohort_start_date,
        period_start_date,
        {{ sum_if('has_purchase', 1) }} as ordering_members,
        {{ sum_if('is_active', 1) }} as active_members,
        {{ sum_if('net_amount > 0', 1) }} as paying_members,
        sum(net_amount) as net_amount
    from member_cells
    group by cohort_definition, cohort_start_date, period_start_date
),

filled as (
    select
        cohort_periods.cohort_definition,
        bases.retention_basis,
        cohort_periods.cohort_size,
        cohort_periods.period_number,
        case bases.retention_basis
            when 'ordering' then coalesce(cells.ordering_members, 0)
            when 'active' then coalesce(cells.active_members, 0)
            else coalesce(cells.paying_members, 0)
        end as retained_members_to_date,
        coalesce(cells.net_amount, 0) as period_net_amount,
        -- a period is complete once its last day is on or before as_of_date
        {{ retention_period_add('cohort_periods.period_number + 1', 'cohort_periods.cohort_start_date') }}
        <= {{ dbt.dateadd('day', 1, 'cohort_periods.as_of_date') }} as is_complete_period,
        cohort_periods.cohort_start_date,
        cohort_periods.period_start_date,
        cohort_periods.as_of_date
    from cohort_periods
    cross join bases
    left join cells
        on
            cohort_periods.cohort_definition = cells.cohort_definition
            and cohort_periods.cohort_start_date = cells.cohort_start_date
            and cohort_periods.period_start_date = cells.period_start_date
),

cumulated as (
    select
        cohort_definition,
        retention_basis,
        '{{ retention_grain() }}' as cohort_grain,
        cohort_size,
        period_number,
        case when is_complete_period then retained_members_to_date end as retained_members,
        retained_members_to_date,
        case
            when is_complete_period
                then cast(1.0 * retained_members_to_date / cohort_size as decimal(12, 8))
        end as retention_rate,
        case
            when is_complete_period
                then cast(1 - cast(1.0 * retained_members_to_date / cohort_size as decimal(12, 8)) as decimal(12, 8))
        end as churn_rate,
        cast(period_net_amount as {{ type_amount() }}) as period_net_amount,
        cast(sum(period_net_amount) over (
            partition by cohort_definition, retention_basis, cohort_start_date
            order by period_number
            rows between unbounded preceding and current row
        ) as {{ type_amount() }}) as cumulative_net_amount,
        is_complete_period,
        cohort_start_date,
        period_start_date,
        cast({{ dbt.dateadd('day', -1, retention_period_add('period_number + 1', 'cohort_start_date')) }} as date)
            as period_end_date,
        as_of_date
    from filled
),

final as (
    select
        cohort_definition,
        retention_basis,
        cohort_grain,
        cohort_size,
        period_number,
        retained_members,
        retained_members_to_date,
        retention_rate,
        churn_rate,
        period_net_amount,
        cumulative_net_amount,
        {{ retention_amount_per('cumulative_net_amount', 'cohort_size') }} as cumulative_net_amount_per_member,
        is_complete_period,
        cohort_start_date,
        period_start_date,
        period_end_date,
        as_of_date
    from cumulated
)

{{ select_declared_types('final') }}
