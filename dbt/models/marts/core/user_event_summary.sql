{{
    config(
        materialized='incremental',
        unique_key='user_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['user_id'], 'unique': true},
            {'columns': ['last_loaded_at']},
        ],
    )
}}

-- Activity per user (the users' reference model user_event_summary), from the daily fact.

with

-- Only the incremental run reads this (PostgreSQL skips an unreferenced CTE).
changed_users as (

    select distinct user_id
    from {{ ref('fct_events') }}
    {% if is_incremental() %}
        where last_loaded_at > {{ incremental_cutoff() }}
    {% endif %}

),

-- All daily rows of the changed users, through fct_events' index (user_id first).
scoped as (

    select * from {{ ref('fct_events') }}
    {% if is_incremental() %}
        where user_id = any(array(select changed_users.user_id from changed_users))
    {% endif %}

),

final as (

    select
        user_id,
        coalesce(sum(event_count) filter (where event_type = 'click'), 0)::bigint as total_clicks,
        coalesce(sum(event_count) filter (where event_type = 'view'), 0)::bigint as total_views,
        coalesce(sum(event_count) filter (where event_type = 'add_to_cart'), 0)::bigint as total_add_to_carts,
        coalesce(sum(event_count) filter (where event_type = 'remove_from_cart'), 0)::bigint
            as total_remove_from_carts,
        coalesce(sum(event_count) filter (where event_type = 'purchase'), 0)::bigint as total_purchases,
        sum(event_count)::bigint as total_events,
        max(last_loaded_at) as last_loaded_at
    from scoped
    group by user_id

)

select * from final
