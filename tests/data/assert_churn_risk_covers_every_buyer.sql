-- fct_churn_risk has exactly the members who purchased on or before as_of_date: every
-- non-prospect of fct_member_lifecycle, and no prospect.
with

churn_risk as (
    select member_id from {{ ref('fct_churn_risk') }}
),

buyers as (
    select member_id
    from {{ ref('fct_member_lifecycle') }}
    where lifecycle_stage != 'prospect'
),

compared as (
    select
        coalesce(churn_risk.member_id, buyers.member_id) as member_id,
        churn_risk.member_id is not null as is_in_churn_risk,
        buyers.member_id is not null as is_buyer
    from churn_risk
    full outer join buyers on churn_risk.member_id = buyers.member_id
)

select *
from compared
where not (is_in_churn_risk and is_buyer)
