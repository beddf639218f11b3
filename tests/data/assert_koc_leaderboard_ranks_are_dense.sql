-- Leaderboard ranks are 1..n in every period and level (unique is tested on the model), a
-- better rank never has a lower score, and exactly the active and dormant roster is ranked.
with

leaderboard as (
    select * from {{ ref('rpt_koc_leaderboard') }}
),

roster as (
    select
        period_index,
        count(*) as eligible
    from {{ ref('fct_koc_roster_monthly') }}
    where koc_status in ('active', 'dormant')
    group by period_index
),

overall as (
    select
        leaderboard.period_index,
        'overall ranks not 1..n of the eligible roster' as problem
    from leaderboard
    left join roster on leaderboard.period_index = roster.period_index
    group by leaderboard.period_index, roster.eligible
    having min(leaderboard.koc_rank) != 1 or max(leaderboard.koc_rank) != count(*) or count(*) != max(roster.eligible)
),

by_level as (
    select
        period_index,
        'ranks in level not 1..n' as problem
    from leaderboard
    group by period_index, koc_level
    having min(koc_rank_in_level) != 1 or max(koc_rank_in_level) != count(*)
),

order_breaks as (
    select
        better.period_index,
        'a better rank has a lower score' as problem
    from leaderboard as better
    inner join leaderboard as worse
        on better.period_index = worse.period_index and worse.koc_rank = better.koc_rank + 1
    where better.koc_score < worse.koc_score
)

select * from overall
union all
select * from by_level
union all
select * from order_breaks
