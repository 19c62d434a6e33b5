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
        {#- Materialized first: a bare min(session_date) lets PostgreSQL walk the session_date
            index from the oldest day, testing every session's load time (seconds at 20M). -#}
        {%- set found = run_query(
            "with changed as materialized (select session_date from "
            ~ ref('int_events_aggregated_to_sessions')
            ~ " where last_loaded_at > " ~ incremental_cutoff(relation=model)
            ~ ") select min(session_date) from changed"
        ).columns[0].values()[0] -%}
        {{ "'infinity'::date" if found is none else "'" ~ found ~ "'::date" }}
    {%- endif -%}
{%- endmacro %}
