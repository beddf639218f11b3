-- The segment map covers all 8 high/low patterns of R, F and M (uniqueness is a separate test).
with

patterns as (
    select count(*) as patterns
    from (
        select distinct
            is_recency_high,
            is_frequency_high,
            is_monetary_high
        from {{ ref('ref_rfm_segments') }}
        where is_recency_high is not null and is_frequency_high is not null and is_monetary_high is not null
    ) as distinct_patterns
)

select patterns
from patterns
where patterns != 8
