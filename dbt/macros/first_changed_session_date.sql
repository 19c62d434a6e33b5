{#
    The earliest start day among the sessions changed since `model` (an incremental model with a
    last_loaded_at column) last saw them, as a SQL date literal; the literal 'infinity'::date when
    none changed. Run as its own query so that the model's filter compares with a constant, which
    PostgreSQL can plan onto the sessions' session_date index (a subquery's value it cannot).
#}
{% macro first_changed_session_date(model) -%}
    {%- if not execute -%}
        'infinity'::date
    {%- else -%}
        {%- set found = run_query(
            "select min(session_date) from " ~ ref('int_events_aggregated_to_sessions')
            ~ " where last_loaded_at > " ~ incremental_cutoff(relation=model)
        ).columns[0].values()[0] -%}
        {{ "'infinity'::date" if found is none else "'" ~ found ~ "'::date" }}
    {%- endif -%}
{%- endmacro %}
