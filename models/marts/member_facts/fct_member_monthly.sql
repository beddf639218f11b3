{#- One row per member per calendar month: the member-fact measures as of the month end (as of
    as_of_date in the as-of month), computed once in int_member_month_end_state; the tier history
    reads them from here (domain spec 8.3). -#}
with

monthly_state as (
    select * from {{ ref('int_member_month_end_state') }}
),

final as (
    select
        member_id,
        purchases_lifetime,
        purchase_days_lifetime,
        purchases_in_window,
        purchase_days_in_window,
        purchases_in_rfm_window,
        net_amount_lifetime,
        net_amount_in_window,
        net_amount_in_rfm_window,
        recency_days,
        tenure_days,
        active_days_in_window,
        logins_in_window,
        likes_in_window,
        comments_in_window,
        favorites_in_window,
        shares_in_window,
        ugc_posts_in_window,
        activity_joins_in_window,
        check_ins_in_window,
        referral_invites_in_window,
        referrals_converted_in_window,
        complaints_in_window,
        window_days,
        rfm_window_days,
        is_repeat_customer,
        is_as_of_month,
        month_start,
        evaluation_date,
        first_purchase_date,
        last_purchase_date,
        last_active_date
    from monthly_state
)

{{ select_declared_types('final') }}
