-- Summary totals equal the member-level tables: members and net amount of the RFM and
-- pyramid summaries, and every buyer appears in both RFM and the pyramid.
with

checks as (
    select
        'rfm members' as check_name,
        (select sum(members) from {{ ref('rpt_rfm_segments') }}) as summary_value,
        (select count(*) from {{ ref('fct_member_rfm') }}) as member_value
    union all
    select
        'rfm net amount' as check_name,
        (select sum(net_amount) from {{ ref('rpt_rfm_segments') }}) as summary_value,
        (select sum(monetary) from {{ ref('fct_member_rfm') }}) as member_value
    union all
    select
        'pyramid members' as check_name,
        (select sum(members) from {{ ref('rpt_loyalty_pyramid') }}) as summary_value,
        (select count(*) from {{ ref('fct_loyalty_pyramid') }}) as member_value
    union all
    select
        'pyramid net amount' as check_name,
        (select sum(net_amount_in_window) from {{ ref('rpt_loyalty_pyramid') }}) as summary_value,
        (select sum(net_amount_in_window) from {{ ref('fct_loyalty_pyramid') }}) as member_value
    union all
    select
        'buyers in rfm and pyramid' as check_name,
        (select count(*) from {{ ref('fct_member_rfm') }}) as summary_value,
        (select count(*) from {{ ref('fct_loyalty_pyramid') }}) as member_value
)

select *
from checks
where abs(summary_value - member_value) > 0.005
