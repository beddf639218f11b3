{#- Every row (optionally: every row matching `where`) satisfies a boolean SQL expression. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
