{#
    dbt-postgres stamps snapshots with `now()::timestamp` (no time zone), while Silver's
    updated_at is a timestamptz: every time in Runnel is UTC-aware, so the snapshot's are too
    (a hard delete closes a version at a timestamptz, comparable with updated_at).
#}
{% macro postgres__snapshot_get_time() -%}
    now()
{%- endmacro %}
