{#
    A post-hook: `analyze` of a table the run has just built in full (a table model, or an
    incremental model's first build or full refresh). A new table has no statistics until
    autovacuum gets to it, and the next incremental run's lookups on it would be planned blind
    (dim_users at 20M events: scanned every session instead of the changed users' ones). An
    incremental run adds a few rows and leaves the statistics to autovacuum.
#}
{% macro analyze_after_full_build() -%}
    {%- if model.config.materialized in ['table', 'incremental'] and not is_incremental() -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
