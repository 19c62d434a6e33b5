{#- Every row satisfies the SQL `expression`; each row that does not is a failure (dbt_utils' test,
    without the package). -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
