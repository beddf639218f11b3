{%- set lookback_days = var('churn_warning_lookback_days') -%}
{%- set drop_pct = var('churn_warning_spend_drop_pct') -%}
-- first_warning_date really starts the current run of warnings: recomputed here from fct_orders,
-- the member warns on first_warning_date and on as_of_date, and did not warn the day before
-- (unless first_warning_date is the last purchase date, where a purchase restarts the run).
with

warned as (
    select
        member_id,
        last_purchase_date,
        first_warning_date,
        as_of_date
    from {{ ref('fct_churn_risk') }}
    where first_warning_date is not null
),

checkpoints as (
    select
        member_id,
        'first_warning_date' as checkpoint_name,
        first_warning_date as checkpoint_date,
        true as should_warn
    from warned
    union all
    select
        member_id,
        'as_of_date' as checkpoint_name,
        as_of_date as checkpoint_date,
        true as should_warn
    from warned
    union all
    select
        member_id,
        'day_before_first_warning_date' as checkpoint_name,
        cast({{ dbt.dateadd('day', -1, 'first_warning_date') }} as date) as checkpoint_date,
        false as should_warn
    from warned
    where first_warning_date > last_purchase_date
),

purchases as (
    select
        member_id,
        net_amount,
        order_date
    from {{ ref('fct_orders') }}
    where is_purchase
),

windows as (
    select
        checkpoints.member_id,
        checkpoints.checkpoint_name,
        checkpoints.should_warn,
        checkpoints.checkpoint_date,
        {{ sum_if(
            'purchases.order_date > ' ~ dbt.dateadd('day', -lookback_days, 'checkpoints.checkpoint_date'), '1') }}
            as purchases_current_window,
        {{ sum_if(
            'purchases.order_date <= ' ~ dbt.dateadd('day', -lookback_days, 'checkpoints.checkpoint_date'), '1') }}
            as purchases_previous_window,
        {{ sum_if(
            'purchases.order_date > ' ~ dbt.dateadd('day', -lookback_days, 'checkpoints.checkpoint_date'),
            'purchases.net_amount') }} as net_amount_current_window,
        {{ sum_if(
            'purchases.order_date <= ' ~ dbt.dateadd('day', -lookback_days, 'checkpoints.checkpoint_date'),
            'purchases.net_amount') }} as net_amount_previous_window
    from checkpoints
    left join purchases
        on
            checkpoints.member_id = purchases.member_id
            and checkpoints.checkpoint_date >= purchases.order_date
            and {{ dbt.dateadd('day', -2 * lookback_days, 'checkpoints.checkpoint_date') }} < purchases.order_date
    group by checkpoints.member_id, checkpoints.checkpoint_name, checkpoints.should_warn, checkpoints.checkpoint_date
),

evaluated as (
    select
        *,
        (
            purchases_current_window < purchases_previous_window
            or (
                net_amount_previous_window > 0
                and net_amount_current_window <= (1 - {{ drop_pct }}) * net_amount_previous_window
            )
        ) as is_warned
    from windows
)

select *
from evaluated
where is_warned != should_warn
