{#- Values of a column must be members of a closed enumeration in the ref_enums seed.
    One list serves the models, these tests and the raw contract (kept in sync by pytest). -#}
{% test accepted_enum(model, column_name, enum) %}
select
    {{ column_name }} as unexpected_value,
    count(*) as occurrences
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in (
        select enum_value from {{ ref('ref_enums') }}
        where enum_name = '{{ enum }}'
    )
group by {{ column_name }}
{% endtest %}
