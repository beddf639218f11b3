{%- set top_share = var('pareto_top_share') -%}
with

scores as (
    select * from {{ ref('fct_super_user_scores') }}
),

buyer_scores as (
    select
        member_id,
        consumption_raw
    from scores
    where consumption_raw > 0
),

-- the spend rank over every buyer, without a window over the whole table (macros/bucketed_rank.sql)
{{ bucketed_rank_ctes('spend_positions', 'buyer_scores', 'member_id', 'consumption_raw',
    'consumption_raw desc, member_id asc', direction='desc', function='row_number') }},

buyer_total as (
    select count(*) as buyer_count
    from buyer_scores
),

buyers as (
    select
        buyer_scores.member_id,
        buyer_scores.consumption_raw as net_amount,
        spend_positions.rank_position as spend_rank,
        buyer_total.buyer_count
    from buyer_scores
    inner join spend_positions on buyer_scores.member_id = spend_positions.member_id
    cross join buyer_total
),

eligible_total as (
    select count(*) as eligible_count
    from scores
),

valued as (
    select
        scores.member_id,
        scores.value_score,
        scores.value_rank,
        eligible_total.eligible_count
    from scores
    cross join eligible_total
),

gmv_share as (
    select
        max(buyer_count) as buyers,
        sum(net_amount) as net_amount,
        {{ sum_if('spend_rank <= ceiling(' ~ top_share ~ ' * buyer_count)', 'net_amount') }} as top_net_amount
    from buyers
),

value_share as (
    select
        max(eligible_count) as eligible_members,
        sum(value_score) as value_total,
        {{ sum_if('value_rank <= ceiling(' ~ top_share ~ ' * eligible_count)', 'value_score') }} as top_value_total
    from valued
),

super_users as (
    select
        sum(case when is_super_user then 1 else 0 end) as super_users,
        max(as_of_date) as as_of_date
    from scores
),

final as (
    select
        gmv_share.buyers,
        value_share.eligible_members,
        super_users.super_users,
        {{ top_share }} as top_share,
        cast(ceiling({{ top_share }} * gmv_share.buyers) as {{ dbt.type_int() }}) as top_buyers,
        gmv_share.net_amount,
        -- floating point on every engine (Spark's decimal division rounds)
        cast(gmv_share.top_net_amount as {{ type_double() }}) / nullif(gmv_share.net_amount, 0)
            as top_share_of_net_amount,
        value_share.top_value_total / nullif(value_share.value_total, 0) as top_share_of_value,
        super_users.super_users * 1.0 / nullif(value_share.eligible_members, 0) as super_user_share,
        super_users.as_of_date
    from gmv_share
    cross join value_share
    cross join super_users
)

{{ select_declared_types('final') }}
