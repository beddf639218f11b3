{#- One row per member per tag key (domain spec C24, 用户标签): the member's current value of each tag
    as of as_of_date. Raw tags are the latest survey answer per key (tag_key / tag_value on
    survey_completed); derived tags are read from the public table that owns each rule, so a tag
    always equals its mart (tested). The one member-facts table that reads other areas: it gathers
    their current labels, and no model reads it (tests/python/test_architecture.py). -#}
with

members as (
    select * from {{ ref('fct_members') }}
),

profiles as (
    select * from {{ ref('dim_members') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

interactions as (
    select * from {{ ref('fct_interactions') }}
),

tag_keys as (
    select * from {{ ref('ref_member_tag_keys') }}
),

lifecycle as (
    select * from {{ ref('fct_member_lifecycle') }}
),

rfm as (
    select * from {{ ref('fct_member_rfm') }}
),

value_scores as (
    select * from {{ ref('fct_super_user_scores') }}
),

pyramid as (
    select * from {{ ref('fct_loyalty_pyramid') }}
),

levels as (
    select * from {{ ref('fct_membership_levels') }}
),

roster as (
    select * from {{ ref('fct_koc_roster_monthly') }}
),

as_of as (
    select
        max(as_of_date) as as_of_date,
        cast(max(as_of_date) as {{ dbt.type_timestamp() }}) as tagged_at
    from members
),

-- dim_members also holds members who registered after as_of_date; the tags are as of as_of_date
registered_profiles as (
    select profiles.*
    from profiles
    inner join members on profiles.member_id = members.member_id
),

-- the latest answer per member and survey key, up to as_of_date
survey_answers as (
    select
        interactions.member_id,
        coalesce(tag_keys.tag_key, {{ dbt.concat(["'interest.'", 'interactions.tag_key']) }}) as tag_key,
        coalesce(tag_keys.tag_family, 'interest') as tag_family,
        interactions.tag_value,
        case interactions.content_id
            when 'onboarding_questionnaire' then 'questionnaire'
            when 'post_order_survey' then 'post_order_survey'
            else 'survey'
        end as source,
        interactions.occurred_at as tagged_at,
        row_number() over (
            partition by interactions.member_id, interactions.tag_key
            order by interactions.occurred_at desc, interactions.event_id desc
        ) as answer_recency
    from interactions
    cross join as_of
    left join tag_keys on interactions.tag_key = tag_keys.raw_tag_key
    where
        interactions.event_type = 'survey_completed'
        and interactions.tag_key is not null
        and interactions.tag_value is not null
        and interactions.event_date <= as_of.as_of_date
),

first_orders as (
    select
        member_id,
        first_item_category,
        ordered_at
    from orders
    where is_first_purchase and first_item_category is not null
),

-- the latest period of the roster is the as-of period; blacklisted and graduated KOCs are out
current_kocs as (
    select roster.*
    from roster
    where
        roster.koc_status in ('active', 'dormant')
        and roster.period_start = (select max(latest.period_start) from roster as latest)
),

derived as (
    select
        member_id,
        'demo.gender' as tag_key,
        'demo' as tag_family,
        gender as tag_value,
        'member_profile' as source,
        'dim_members' as source_table
    from registered_profiles
    where gender is not null
    union all
    select
        member_id,
        'demo.city_tier' as tag_key,
        'demo' as tag_family,
        city_tier as tag_value,
        'member_profile' as source,
        'dim_members' as source_table
    from registered_profiles
    where city_tier is not null
    union all
    select
        member_id,
        'demo.age_band' as tag_key,
        'demo' as tag_family,
        case
            when age < 25 then 'under_25'
            when age < 35 then '25_34'
            when age < 45 then '35_44'
            else '45_plus'
        end as tag_value,
        'member_profile' as source,
        'dim_members' as source_table
    from registered_profiles
    where age is not null
    union all
    select
        member_id,
        'behavior.lifecycle_stage' as tag_key,
        'behavior' as tag_family,
        lifecycle_stage as tag_value,
        'behavior' as source,
        'fct_member_lifecycle' as source_table
    from lifecycle
    union all
    select
        member_id,
        'value.rfm_segment' as tag_key,
        'value' as tag_family,
        rfm_segment as tag_value,
        'model' as source,
        'fct_member_rfm' as source_table
    from rfm
    union all
    select
        member_id,
        'value.value_band' as tag_key,
        'value' as tag_family,
        value_band as tag_value,
        'model' as source,
        'fct_super_user_scores' as source_table
    from value_scores
    where value_band is not null
    union all
    select
        member_id,
        'value.kox_tier' as tag_key,
        'value' as tag_family,
        kox_tier as tag_value,
        'model' as source,
        'fct_loyalty_pyramid' as source_table
    from pyramid
    union all
    select
        member_id,
        'value.member_level' as tag_key,
        'value' as tag_family,
        member_level as tag_value,
        'model' as source,
        'fct_membership_levels' as source_table
    from levels
    union all
    select
        koc_member_id as member_id,
        'social.koc_level' as tag_key,
        'social' as tag_family,
        koc_level as tag_value,
        'model' as source,
        'fct_koc_roster_monthly' as source_table
    from current_kocs
    union all
    select
        member_id,
        'social.referral_band' as tag_key,
        'social' as tag_family,
        case
            when referrals_converted_lifetime = 0 then 'none'
            when referrals_converted_lifetime = 1 then 'one'
            when referrals_converted_lifetime < 5 then 'two_to_four'
            else 'five_plus'
        end as tag_value,
        'behavior' as source,
        'fct_members' as source_table
    from members
),

final as (
    select
        survey_answers.member_id,
        survey_answers.tag_key,
        survey_answers.tag_family,
        survey_answers.tag_value,
        survey_answers.source,
        'fct_interactions' as source_table,
        survey_answers.tagged_at
    from survey_answers
    inner join members on survey_answers.member_id = members.member_id
    where survey_answers.answer_recency = 1
    union all
    select
        first_orders.member_id,
        'need.first_order_category' as tag_key,
        'need' as tag_family,
        first_orders.first_item_category as tag_value,
        'first_order' as source,
        'fct_orders' as source_table,
        first_orders.ordered_at as tagged_at
    from first_orders
    inner join members on first_orders.member_id = members.member_id
    cross join as_of
    where cast(first_orders.ordered_at as date) <= as_of.as_of_date
    union all
    select
        derived.member_id,
        derived.tag_key,
        derived.tag_family,
        derived.tag_value,
        derived.source,
        derived.source_table,
        as_of.tagged_at
    from derived
    cross join as_of
)

{{ select_declared_types('final') }}
