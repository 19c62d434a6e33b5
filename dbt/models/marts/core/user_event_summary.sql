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

-- Activity per user (the users' reference model user_event_summary): the user's sessions summed.
-- From the sessions rather than fct_events: a user has a dozen sessions but forty daily rows, so
-- recomputing a changed user reads a third as many rows. Incremental: a user with a changed
-- session is recomputed from all of their sessions.

with

-- Only the incremental run reads this (PostgreSQL skips an unreferenced CTE).
changed_users as (

    select distinct user_id
    from {{ ref('int_events_aggregated_to_sessions') }}
    {% if is_incremental() %}
        where last_loaded_at > {{ incremental_cutoff() }}
    {% endif %}

),

-- All sessions of the changed users, through the sessions' index on user_id.
sessions as (

    select * from {{ ref('int_events_aggregated_to_sessions') }}
    {% if is_incremental() %}
        where user_id = any(array(select changed_users.user_id from changed_users))
    {% endif %}

),

final as (

    select
        user_id,
        sum(click_count)::bigint as total_clicks,
        sum(view_count)::bigint as total_views,
        sum(add_to_cart_count)::bigint as total_add_to_carts,
        sum(remove_from_cart_count)::bigint as total_remove_from_carts,
        sum(purchase_count)::bigint as total_purchases,
        sum(event_count)::bigint as total_events,
        max(last_loaded_at) as last_loaded_at
    from sessions
    group by user_id

)

select * from final
