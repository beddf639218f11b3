{#- Graduated KOCs (spec C13): why and when they graduated, the badge, the graduation
    post, the advisory-board and guest-mentor roles, and whether they came back to buy. -#}
with

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

kocs as (
    select * from {{ ref('int_koc_members') }}
),

interactions as (
    select * from {{ ref('int_interactions_as_of_date') }}
),

orders as (
    select * from {{ ref('int_purchases_as_of_date') }}
),

graduated as (
    select distinct koc_member_id
    from roster
    where koc_status = 'graduated'
),

badges as (
    select
        member_id,
        tag_value as badge,
        row_number() over (partition by member_id order by occurred_at desc, event_id desc) as badge_rank
    from interactions
    where event_type = 'badge_granted' and tag_key = 'badge'
),

roles as (
    select
        interactions.member_id,
        sum(case when interactions.event_type = 'advisory_session' then 1 else 0 end) as advisory_sessions,
        sum(case when interactions.event_type = 'mentor_session' then 1 else 0 end) as mentor_sessions,
        sum(case when interactions.event_type = 'farewell_post' then 1 else 0 end) as farewell_posts
    from interactions
    where interactions.event_type in ('advisory_session', 'mentor_session', 'farewell_post')
    group by interactions.member_id
),

returns as (
    select
        orders.member_id,
        min(orders.ordered_at) as returned_at
    from orders
    inner join kocs on orders.member_id = kocs.koc_member_id
    where orders.ordered_at > kocs.graduated_at
    group by orders.member_id
),

final as (
    select
        kocs.koc_member_id,
        kocs.graduation_reason,
        kocs.graduation_trigger,
        badges.badge,
        coalesce(roles.advisory_sessions, 0) as advisory_sessions,
        coalesce(roles.mentor_sessions, 0) as mentor_sessions,
        {{ dbt.datediff('kocs.graduated_at', 'returns.returned_at', 'day') }}
            as days_to_return,
        coalesce(roles.farewell_posts, 0) > 0 as has_graduation_post,
        coalesce(roles.advisory_sessions, 0) > 0 as is_advisory_board,
        coalesce(roles.mentor_sessions, 0) > 0 as is_guest_mentor,
        returns.returned_at is not null as returned_as_customer,
        cast(kocs.koc_since_at as date) as koc_since_date,
        kocs.graduated_at,
        returns.returned_at
    from graduated
    inner join kocs on graduated.koc_member_id = kocs.koc_member_id
    left join badges on graduated.koc_member_id = badges.member_id and badges.badge_rank = 1
    left join roles on graduated.koc_member_id = roles.member_id
    left join returns on graduated.koc_member_id = returns.member_id
)

{{ select_declared_types('final') }}
