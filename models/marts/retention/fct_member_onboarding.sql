{#- The onboarding journey of each member (domain spec C23), one column per step of the seed. -#}
with

member_steps as (
    select * from {{ ref('int_onboarding_member_steps') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

koc_influence as (
    select * from {{ ref('int_first_order_koc_influence') }}
),

pivoted as (
    select
        member_id,
        acquisition_channel,
        cast({{ sum_if('is_reached', 1) }} - 1 as {{ dbt.type_int() }}) as steps_reached,
        max(case when is_reached_strict then step_order end) as max_step_reached_strict,
        max(case when is_reached then step_order end) as max_step_reached_loose,
        acquisition_week,
        acquired_at,
        max(case when step = 'wecom_followed' then reached_at end) as wecom_followed_at,
        max(case when step = 'questionnaire_completed' then reached_at end) as questionnaire_at,
        max(case when step = 'group_joined' then reached_at end) as group_joined_at,
        max(case when step = 'one_to_one_contacted' then reached_at end) as one_to_one_at,
        max(case when step = 'first_order' then reached_at end) as first_order_at,
        max(case when step = 'post_order_survey_completed' then reached_at end) as post_order_survey_at
    from member_steps
    group by member_id, acquisition_channel, acquisition_week, acquired_at
),

first_orders as (
    select
        member_id,
        contains_traffic_product
    from orders
    where is_first_purchase
),

final as (
    select
        pivoted.member_id,
        pivoted.acquisition_channel,
        pivoted.steps_reached,
        pivoted.max_step_reached_strict,
        pivoted.max_step_reached_loose,
        case when pivoted.first_order_at is not null then first_orders.contains_traffic_product end
            as first_order_had_traffic_product,
        case when pivoted.first_order_at is not null then koc_influence.is_koc_influenced end
            as is_first_order_koc_influenced,
        {{ dbt.dateadd('day', var('onboarding_window_days'), 'pivoted.acquired_at') }}
        <= {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as is_window_complete,
        pivoted.acquisition_week,
        pivoted.acquired_at,
        pivoted.wecom_followed_at,
        pivoted.questionnaire_at,
        pivoted.group_joined_at,
        pivoted.one_to_one_at,
        pivoted.first_order_at,
        pivoted.post_order_survey_at
    from pivoted
    cross join as_of
    left join first_orders on pivoted.member_id = first_orders.member_id
    left join koc_influence on pivoted.member_id = koc_influence.member_id
)

{{ select_declared_types('final') }}
