{#- The RFM rules, defined once and used by fct_member_rfm (as of as_of_date) and by
    fct_member_tier_history (as of every month end).

    rfm_scored: from a relation with member_id, the evaluation key columns,
    recency_days, frequency and monetary, select those plus r/f/m scores (tie-stable
    percent-rank bins) and the above/below-mean flags, computed within each evaluation. -#}
{% macro rfm_scored(relation, partition_by) -%}
    {%- set bins = var('rfm_score_bins') -%}
    select
        *,
        {{ score_bin('recency_days desc', bins, partition_by) }} as r_score,
        {{ score_bin('frequency', bins, partition_by) }} as f_score,
        {{ score_bin('monetary', bins, partition_by) }} as m_score,
        recency_days < avg(recency_days) over (partition by {{ partition_by }}) as is_recency_high,
        frequency > avg(frequency) over (partition by {{ partition_by }}) as is_frequency_high,
        monetary > avg(monetary) over (partition by {{ partition_by }}) as is_monetary_high
    from {{ relation }}
{%- endmacro %}

{#- The KOX pyramid tier: advocacy first, then purchases on one day only = explorer, else enthusiast
    (bought again on a later day, D62). -#}
{% macro kox_tier(advocacy_signals, purchase_days_lifetime) -%}
    case
        when {{ advocacy_signals }} > 0 then 'advocate'
        when {{ purchase_days_lifetime }} = 1 then 'explorer'
        else 'enthusiast'
    end
{%- endmacro %}

{#- Advocacy signals counted by the pyramid, per the kox_advocacy_signal var. -#}
{% macro kox_advocacy_signals(converted_referrals, shares, ugc_posts) -%}
    {%- if var('kox_advocacy_signal') == 'referral_or_share' -%}
        ({{ converted_referrals }} + {{ shares }} + {{ ugc_posts }})
    {%- elif var('kox_advocacy_signal') == 'referral' -%}
        {{ converted_referrals }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var 'kox_advocacy_signal' must be referral_or_share or referral, got " ~ var('kox_advocacy_signal')) }}
    {%- endif -%}
{%- endmacro %}
