{#
    Stops the build when `relation` (an incremental model's own table) lacks `column`: a table built
    by an older Runnel, before the column existed. The error says how to rebuild it (`select`, by
    default the model alone), where PostgreSQL would only say that the column does not exist.
#}
{% macro require_column(relation, column, select=none) -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- if column not in columns -%}
        {%- do exceptions.raise_compiler_error(
            relation ~ " has no column " ~ column ~ ": an older version of Runnel built it. Rebuild"
            ~ " it once: ./runnel transform --full-refresh --select "
            ~ (select if select is not none else relation.identifier)
        ) -%}
    {%- endif -%}
{%- endmacro %}
