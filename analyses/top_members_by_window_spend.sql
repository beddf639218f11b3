-- Starting point: the members who spent most in the trailing window, with their profile.
with

members as (
    select * from {{ ref('fct_members') }}
),

profiles as (
    select * from {{ ref('dim_members') }}
),

final as (
    select
        members.member_id,
        profiles.acquisition_channel,
        profiles.city_tier,
        members.purchases_in_window,
        members.net_amount_in_window,
        members.ugc_posts_in_window,
        members.referrals_converted_in_window,
        members.recency_days
    from members
    inner join profiles on members.member_id = profiles.member_id
)

select * from final
order by net_amount_in_window desc
limit 100
