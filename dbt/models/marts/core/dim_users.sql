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

-- One row per user seen in any event, with their activity: first and last seen, sessions, and
-- events of each type, summed over their sessions (user_event_summary is these counts in the
-- users' reference shape). From the sessions rather than fct_events: a user has a dozen sessions
-- but forty daily rows. Incremental: a user with a changed session is recomputed from all of
-- their sessions.

with

-- Only the incremental run reads this (PostgreSQL skips an unreferenced CTE).
changed_users as (

    select distinct user_id
    from {{ ref('int_events_aggregated_to_sessions') }}
    {% if is_incremental() %}
        where last_loaded_at > {{ incremental_cutoff() }}
    {% endif %}

),

sessions as (

    select * from {{ ref('int_events_aggregated_to_sessions') }}
    {% if is_incremental() %}
        where user_id = any(array(select changed_users.user_id from changed_users))
    {% endif %}

),

final as (

    select
        user_id,
        min(session_started_at) as first_seen_at,
        max(session_ended_at) as last_seen_at,
        count(*) as session_count,
        count(*) filter (where purchase_count > 0) as purchasing_session_count,
        sum(click_count)::bigint as click_count,
        sum(view_count)::bigint as view_count,
        sum(add_to_cart_count)::bigint as add_to_cart_count,
        sum(remove_from_cart_count)::bigint as remove_from_cart_count,
        sum(purchase_count)::bigint as purchase_count,
        sum(event_count)::bigint as event_count,
        max(last_loaded_at) as last_loaded_at
    from sessions
    group by user_id

)

select * from final
