-- Nothing is lost between staging and the public member facts: every staged member,
-- order and event has exactly one row downstream.
with

counts as (
    select
        'dim_members' as model_name,
        (select count(*) from {{ ref('stg_raw__members') }}) as staged_rows,
        (select count(*) from {{ ref('dim_members') }}) as public_rows
    union all
    select
        'fct_orders' as model_name,
        (select count(*) from {{ ref('stg_raw__orders') }}) as staged_rows,
        (select count(*) from {{ ref('fct_orders') }}) as public_rows
    union all
    select
        'fct_interactions' as model_name,
        (select count(*) from {{ ref('stg_raw__interactions') }}) as staged_rows,
        (select count(*) from {{ ref('fct_interactions') }}) as public_rows
)

select *
from counts
where staged_rows != public_rows
