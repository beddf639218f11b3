{%- set elim_n = var('koc_elim_consecutive_poor') -%}
-- Every elimination (spec DQ-Q07) is the last of koc_elim_consecutive_poor judged reviews
-- in a row that were all poor, recounted from the review participations in publish order.
with

eliminations as (
    select
        koc_member_id,
        evidence_reference
    from {{ ref('fct_koc_level_events') }}
    where event_type = 'eliminated'
),

reviews as (
    select
        member_id,
        participation_id,
        is_poor_review,
        row_number() over (
            partition by member_id order by post_published_at, participation_id
        ) as review_order
    from {{ ref('int_koc_participations') }}
    where is_poor_review is not null
),

checked as (
    select
        eliminations.koc_member_id,
        eliminations.evidence_reference,
        count(earlier.participation_id) as reviews_in_run,
        sum(case when earlier.is_poor_review then 1 else 0 end) as poor_in_run
    from eliminations
    left join reviews as fired
        on eliminations.evidence_reference = fired.participation_id
    left join reviews as earlier
        on
            fired.member_id = earlier.member_id
            and earlier.review_order > fired.review_order - {{ elim_n }}
            and fired.review_order >= earlier.review_order
    group by eliminations.koc_member_id, eliminations.evidence_reference
)

select *
from checked
where reviews_in_run != {{ elim_n }} or poor_in_run != {{ elim_n }}
