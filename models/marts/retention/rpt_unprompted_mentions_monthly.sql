{#- The unprompted-mention rate per calendar month (domain spec C16 主动提及率): members who published
    at least one post on a public platform outside any campaign (no campaign_id), over the members
    active in the month (a purchase or a member-initiated event). -#}
with

months as (
    select * from {{ ref('int_retention_months') }}
),

daily as (
    select * from {{ ref('int_member_days_as_of_date') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

active_members as (
    select
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as month_start_date,
        count(distinct member_id) as active_members
    from daily
    where is_active
    group by cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
),

mentions as (
    select
        cast({{ dbt.date_trunc('month', 'event_date') }} as date) as month_start_date,
        count(distinct member_id) as mentioning_members,
        count(*) as unprompted_posts
    from interactions
    where event_type = 'ugc_post' and is_public_domain and campaign_id is null
    group by cast({{ dbt.date_trunc('month', 'event_date') }} as date)
),

final as (
    select
        coalesce(active_members.active_members, 0) as active_members,
        coalesce(mentions.mentioning_members, 0) as mentioning_members,
        coalesce(mentions.unprompted_posts, 0) as unprompted_posts,
        case
            when active_members.active_members > 0
                then
                    cast(coalesce(mentions.mentioning_members, 0) as {{ type_double() }})
                    / active_members.active_members
        end as unprompted_mention_rate,
        months.is_complete_month,
        months.month_start_date,
        months.month_end_date,
        months.as_of_date
    from months
    left join active_members on months.month_start_date = active_members.month_start_date
    left join mentions on months.month_start_date = mentions.month_start_date
)

{{ select_declared_types('final') }}
