-- fct_member_monthly's as-of month is taken on as_of_date with the same windows as fct_members,
-- so every member and every measure they share must agree (the monthly rows are that table, month
-- by month). Members become members on or before as_of_date in both, so the member sets match too.
{% set measures = [
    'purchases_lifetime', 'purchase_days_lifetime', 'purchases_in_window', 'purchase_days_in_window',
    'net_amount_lifetime', 'net_amount_in_window', 'recency_days', 'tenure_days', 'active_days_in_window',
    'logins_in_window', 'likes_in_window', 'comments_in_window', 'favorites_in_window', 'shares_in_window',
    'ugc_posts_in_window', 'activity_joins_in_window', 'check_ins_in_window', 'referral_invites_in_window',
    'referrals_converted_in_window', 'complaints_in_window', 'window_days', 'is_repeat_customer',
    'first_purchase_date', 'last_purchase_date', 'last_active_date'] %}
with

monthly as (
    select * from {{ ref('fct_member_monthly') }}
    where is_as_of_month
),

members as (
    select * from {{ ref('fct_members') }}
)

select
    coalesce(monthly.member_id, members.member_id) as member_id,
    monthly.member_id is null as missing_from_monthly,
    members.member_id is null as missing_from_fct_members
from monthly
full outer join members on monthly.member_id = members.member_id
where
    monthly.member_id is null
    or members.member_id is null
    {%- for measure in measures %}
        or not (
            monthly.{{ measure }} = members.{{ measure }}
            or (monthly.{{ measure }} is null and members.{{ measure }} is null)
        )
    {%- endfor %}
