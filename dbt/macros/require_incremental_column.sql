{#
    On an incremental run, stops the build when this model's table lacks `column`: a table an older
    Runnel built before the column existed. The error (require_column) says how to rebuild it, with
    `select` (default: the model alone), where dbt would only say that the schemas are out of sync.
#}
{% macro require_incremental_column(column, select=none) -%}
    {%- if execute and is_incremental() -%}
        {%- do require_column(this, column, select) -%}
    {%- endif -%}
{%- endmacro %}
