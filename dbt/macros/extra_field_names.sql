{#
    The field names in `extra` (Silver's fields beyond the contract), one row each: a set-returning
    expression for a lateral join. Silver writes a JSON object; anything else is counted under the
    one name "(not an object)" rather than stopping the build.
#}
{% macro extra_field_names(extra) -%}
    jsonb_object_keys(
        case
            when jsonb_typeof({{ extra }}) = 'object' then {{ extra }}
            else jsonb_build_object('(not an object)', {{ extra }})
        end
    )
{%- endmacro %}
