{#- Monthly NPS from nps_response events (domain spec C21): the latest response of each member in the
    month counts; promoters score >= nps_promoter_min, detractors <= nps_detractor_max. -#}
with

months as (
    select * from {{ ref('int_retention_months') }}
),

interactions as (
    select * from {{ ref('fct_interactions') }}
),

responses as (
    select
        interactions.member_id,
        interactions.score,
        cast({{ dbt.date_trunc('month', 'interactions.event_date') }} as date) as month_start_date,
        row_number() over (
            partition by
                interactions.member_id,
                cast({{ dbt.date_trunc('month', 'interactions.event_date') }} as date)
            order by interactions.occurred_at desc, interactions.event_id desc
        ) as response_rank
    from interactions
    where
        interactions.event_type = 'nps_response'
        and interactions.score is not null
        and interactions.event_date <= (select max(months.as_of_date) from months)
),

monthly as (
    select
        month_start_date,
        cast(count(*) as {{ dbt.type_int() }}) as responses,
        cast({{ sum_if("score >= " ~ var("nps_promoter_min"), 1) }} as {{ dbt.type_int() }}) as promoters,
        cast(
            {{ sum_if('score > ' ~ var('nps_detractor_max') ~ ' and score < ' ~ var('nps_promoter_min'), 1) }}
            as {{ dbt.type_int() }}
        ) as passives,
        cast({{ sum_if('score <= ' ~ var('nps_detractor_max'), 1) }} as {{ dbt.type_int() }}) as detractors
    from responses
    where response_rank = 1
    group by month_start_date
),

final as (
    select
        coalesce(monthly.responses, 0) as responses,
        coalesce(monthly.promoters, 0) as promoters,
        coalesce(monthly.passives, 0) as passives,
        coalesce(monthly.detractors, 0) as detractors,
        cast(100.0 * (monthly.promoters - monthly.detractors) / monthly.responses as decimal(8, 2)) as nps,
        months.is_complete_month,
        months.month_start_date,
        months.month_end_date
    from months
    left join monthly on months.month_start_date = monthly.month_start_date
)

{{ select_declared_types('final') }}
