{#- Value rules: a raw row that is usable but carries an implausible descriptive value keeps its row
    and loses that value (staged as null), with a note in qrn_cleaned_values. Rules that would make a
    row unusable are checks instead (macros/quarantine/checks.sql) and hold the row back.

    Each rule is {'column', 'reason', 'when'}: `when` is a SQL condition over the quarantine model's
    prepared columns (plus referrer_quarantine_reason for members). -#}
{% macro value_rules(table_name) -%}
    {%- set load_year = dq_load_time()[:4] -%}
    {%- set rules = {
        'raw_members': [
            {'column': 'birth_year', 'reason': 'implausible_birth_year',
             'when': 'birth_year < ' ~ var('dq_min_birth_year') ~ ' or birth_year > ' ~ load_year},
            {'column': 'follower_count', 'reason': 'negative_count', 'when': 'follower_count < 0'},
            {'column': 'referrer_member_id', 'reason': 'referrer_held_back',
             'when': 'referrer_quarantine_reason is not null'},
        ],
    } -%}
    {{ return(rules.get(table_name, [])) }}
{%- endmacro %}

{#- One `<column>_cleaning` column per value rule: the rule's reason when it holds for a row the
    quarantine keeps, else null. -#}
{% macro cleaning_columns(table_name) -%}
    {%- for rule in value_rules(table_name) %}
        case
            when quarantine_reason is null and ({{ rule.when }}) then '{{ rule.reason }}'
        end as {{ rule.column }}_cleaning{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A staged value: `expression` unless a value rule cleaned the column (then null). -#}
{% macro unless_cleaned(column_name, expression) -%}
    case when {{ column_name }}_cleaning is null then {{ expression }} end
{%- endmacro %}
