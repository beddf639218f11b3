{#- The emotional account (情感账户) of every member as of as_of_date (domain spec C16): deposits and
    withdrawals over the member window (member_window_days ending on as_of_date, both ends
    included, D62), their balance, and the last of each up to as_of_date. -#}
with

members as (
    select * from {{ ref('fct_members') }}
),

touches as (
    select * from {{ ref('int_emotional_account_touches') }}
),

member_touches as (
    select
        touches.member_id,
        touches.direction,
        cast(touches.touched_at as date) >= members.window_start_date as is_in_window,
        touches.touched_at
    from touches
    inner join members on touches.member_id = members.member_id
),

balances as (
    select
        member_id,
        {{ sum_if("direction = 'deposit' and is_in_window", 1) }} as deposits_in_window,
        {{ sum_if("direction = 'withdrawal' and is_in_window", 1) }} as withdrawals_in_window,
        max(case when direction = 'deposit' then touched_at end) as last_deposit_at,
        max(case when direction = 'withdrawal' then touched_at end) as last_withdrawal_at
    from member_touches
    group by member_id
),

final as (
    select
        members.member_id,
        coalesce(balances.deposits_in_window, 0) as deposits_in_window,
        coalesce(balances.withdrawals_in_window, 0) as withdrawals_in_window,
        coalesce(balances.deposits_in_window, 0) - coalesce(balances.withdrawals_in_window, 0)
            as emotional_balance,
        members.window_days,
        {{ var('emotional_msg_weekly_cap') }} as notification_weekly_cap,
        members.as_of_date,
        members.window_start_date,
        balances.last_deposit_at,
        balances.last_withdrawal_at
    from members
    left join balances on members.member_id = balances.member_id
)

{{ select_declared_types('final') }}
