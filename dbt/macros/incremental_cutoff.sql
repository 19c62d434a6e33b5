{#
    The load time from which an incremental model re-reads its input: the newest load it has
    already seen (`column` of this model, the max loaded_at behind each row) minus the
    `lookback_hours` var. Rows loaded after that are read again; the groups they touch are
    recomputed from all their rows, so a re-read never double counts. On an empty model: everything.
    `relation` is the model whose marker to read (default: this one).
#}
{% macro incremental_cutoff(column='last_loaded_at', relation=none) -%}
    (
        select coalesce(max({{ column }}), '-infinity'::timestamptz)
            - make_interval(hours => {{ var('lookback_hours') | int }})
        from {{ relation if relation is not none else this }}
    )
{%- endmacro %}
