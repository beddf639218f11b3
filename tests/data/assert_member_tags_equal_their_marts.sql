-- Every derived tag of dim_member_tags equals the value in the mart it names, and every member the
-- mart labels has the tag: a tag missing, extra or different is a row here.
{% set sources = [
    ('behavior.lifecycle_stage', 'fct_member_lifecycle', 'member_id', 'lifecycle_stage', 'true'),
    ('value.rfm_segment', 'fct_member_rfm', 'member_id', 'rfm_segment', 'true'),
    ('value.value_band', 'fct_super_user_scores', 'member_id', 'value_band', 'value_band is not null'),
    ('value.kox_tier', 'fct_loyalty_pyramid', 'member_id', 'kox_tier', 'true'),
    ('value.member_level', 'fct_membership_levels', 'member_id', 'member_level', 'true'),
    ('social.koc_level', 'fct_koc_roster_monthly', 'koc_member_id', 'koc_level',
     "koc_status in ('active', 'dormant') and period_start = (select max(period_start) from "
     ~ ref('fct_koc_roster_monthly') ~ ")"),
] %}
{% set tag_keys = [] %}
{% for source in sources %}{% do tag_keys.append("'" ~ source[0] ~ "'") %}{% endfor %}
with

tags as (
    select * from {{ ref('dim_member_tags') }}
),

expected as (
    {%- for tag_key, model, member_column, value_column, condition in sources %}
        select
            '{{ tag_key }}' as tag_key,
            {{ member_column }} as member_id,
            cast({{ value_column }} as {{ dbt.type_string() }}) as tag_value
        from {{ ref(model) }}
        where {{ condition }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

published as (
    select
        tag_key,
        member_id,
        tag_value
    from tags
    where tag_key in ({{ tag_keys | join(', ') }})
)

select
    coalesce(expected.tag_key, published.tag_key) as tag_key,
    coalesce(expected.member_id, published.member_id) as member_id,
    expected.tag_value as mart_value,
    published.tag_value
from expected
full outer join published
    on
        expected.tag_key = published.tag_key
        and expected.member_id = published.member_id
where
    expected.member_id is null
    or published.member_id is null
    or expected.tag_value != published.tag_value
