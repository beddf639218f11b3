{#- The monthly private-domain KPI board (domain spec C27) in long form, each KPI beside the benchmark
    band the source documents quote (ref_benchmarks). Being outside a band is informational. -#}
{%- set kpis = [
    'members_total', 'new_members', 'member_growth_rate', 'active_members', 'active_customers',
    'dau_avg', 'mau', 'stickiness', 'first_order_conversion_rate', 'repurchase_rate',
    'repeat_purchase_rate', 'monthly_churn_rate', 'monthly_retention_rate', 'aov', 'arpu',
    'avg_annual_repurchase_count', 'referred_new_customer_share', 'nps', 'complaint_rate'
] -%}
with

months as (
    select * from {{ ref('int_retention_months') }}
),

retention_kpis as (
    select * from {{ ref('rpt_retention_kpis_monthly') }}
),

stickiness as (
    select * from {{ ref('rpt_engagement_stickiness') }}
),

nps as (
    select * from {{ ref('rpt_nps_monthly') }}
),

onboarding as (
    select * from {{ ref('fct_member_onboarding') }}
),

daily_activity as (
    select * from {{ ref('int_member_daily_activity') }}
),

benchmarks as (
    select * from {{ ref('ref_benchmarks') }}
),

membership as (
    select
        months.month_start_date,
        {{ sum_if('cast(onboarding.acquired_at as date) <= months.month_end_date', 1) }} as members_total,
        {{ sum_if('cast(onboarding.acquired_at as date) >= months.month_start_date
            and cast(onboarding.acquired_at as date) <= months.month_end_date', 1) }} as new_members,
        {{ sum_if('cast(onboarding.acquired_at as date) >= months.month_start_date
            and cast(onboarding.acquired_at as date) <= months.month_end_date
            and onboarding.first_order_at is not null', 1) }} as new_members_ordering
    from months
    cross join onboarding
    group by months.month_start_date
),

daily as (
    select
        months.month_start_date,
        avg(stickiness.dau) as dau_avg,
        -- from the integer counts, not the rounded daily ratio, so engines agree to the last decimal
        avg(case when stickiness.mau > 0 then 1.0 * stickiness.dau / stickiness.mau end) as stickiness,
        max(case when stickiness.activity_date = months.month_end_date then stickiness.mau end) as mau
    from months
    inner join stickiness
        on stickiness.activity_date between months.month_start_date and months.month_end_date
    group by months.month_start_date
),

complaints as (
    select
        months.month_start_date,
        count(distinct daily_activity.member_id) as complainants
    from months
    inner join daily_activity
        on
            daily_activity.activity_date between months.month_start_date and months.month_end_date
            and daily_activity.complaints > 0
    group by months.month_start_date
),

wide as (
    select
        months.month_start_date,
        months.is_complete_month,
        coalesce(membership.members_total, 0) as members_total,
        coalesce(membership.new_members, 0) as new_members,
        1.0 * membership.new_members / nullif(membership.members_total - membership.new_members, 0)
            as member_growth_rate,
        retention_kpis.active_members,
        retention_kpis.active_customers,
        daily.dau_avg,
        daily.mau,
        daily.stickiness,
        1.0 * membership.new_members_ordering / nullif(membership.new_members, 0) as first_order_conversion_rate,
        retention_kpis.repurchase_rate,
        retention_kpis.repeat_purchase_rate,
        retention_kpis.monthly_churn_rate,
        retention_kpis.monthly_retention_rate,
        retention_kpis.aov,
        retention_kpis.arpu,
        retention_kpis.avg_annual_repurchase_count,
        retention_kpis.referred_new_customer_share,
        nps.nps,
        1.0 * coalesce(complaints.complainants, 0) / nullif(retention_kpis.active_members, 0) as complaint_rate
    from months
    left join membership on months.month_start_date = membership.month_start_date
    left join retention_kpis on months.month_start_date = retention_kpis.month_start_date
    left join daily on months.month_start_date = daily.month_start_date
    left join nps on months.month_start_date = nps.month_start_date
    left join complaints on months.month_start_date = complaints.month_start_date
),

long as (
    {%- for kpi in kpis %}
        select
            month_start_date,
            is_complete_month,
            {{ loop.index }} as kpi_order,
            '{{ kpi }}' as kpi,
            cast({{ kpi }} as decimal(18, 6)) as kpi_value
        from wide
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        long.kpi,
        long.kpi_order,
        long.kpi_value,
        cast(benchmarks.benchmark_low as decimal(18, 6)) as benchmark_low,
        cast(benchmarks.benchmark_high as decimal(18, 6)) as benchmark_high,
        benchmarks.metric_key as benchmark_key,
        benchmarks.source_file as benchmark_source_file,
        benchmarks.figure_id as benchmark_figure_id,
        case
            when benchmarks.metric_key is null then 'no_benchmark'
            when long.kpi_value is null then 'no_value'
            when long.kpi_value < benchmarks.benchmark_low then 'below'
            when long.kpi_value > benchmarks.benchmark_high then 'above'
            else 'within'
        end as benchmark_status,
        case
            when benchmarks.metric_key is not null and long.kpi_value is not null
                then
                    coalesce(long.kpi_value >= benchmarks.benchmark_low, true)
                    and coalesce(long.kpi_value <= benchmarks.benchmark_high, true)
        end as is_within_benchmark,
        long.is_complete_month,
        long.month_start_date
    from long
    left join benchmarks on long.kpi = benchmarks.kpi
)

{{ select_declared_types('final') }}
