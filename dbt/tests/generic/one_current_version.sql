{#- A type 2 dimension has exactly one current version per key, and versions do not overlap. -#}
{% test one_current_version(model, key) %}

with

current_versions as (

    select {{ key }}, count(*) filter (where is_current) as current_count
    from {{ model }}
    group by {{ key }}

),

overlapping_versions as (

    select a.{{ key }}
    from {{ model }} as a
    inner join {{ model }} as b
        on
            a.{{ key }} = b.{{ key }}
            and a.valid_from < b.valid_from
            and (a.valid_to is null or a.valid_to > b.valid_from)

)

select {{ key }}, 'current versions: ' || current_count as problem
from current_versions
where current_count <> 1
union all
select {{ key }}, 'overlapping versions' as problem
from overlapping_versions

{% endtest %}
