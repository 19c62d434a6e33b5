{{
    config(
        unique_key='session_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['session_id'], 'unique': true},
            {'columns': ['last_loaded_at']},
            {'columns': ['user_id']},
            {'columns': ['session_date']},
        ],
    )
}}

with

-- Sessions with an event loaded since the last run: recomputed from all their events.
changed_sessions as (

    select distinct session_id
    from {{ ref('stg_silver__events') }}
    {% if is_incremental() %}
        where loaded_at > {{ incremental_cutoff() }}
    {% endif %}

),

-- Referenced once, so PostgreSQL inlines it and the filter below reaches the index on session_id.
-- `= any(array(...))` makes that an index lookup per changed session; a join or `in` makes the
-- planner guess how many there are, and it scans all of Silver instead.
session_events as (

    select * from {{ ref('stg_silver__events') }}
    {% if is_incremental() %}
        where session_id = any(array(select changed_sessions.session_id from changed_sessions))
    {% endif %}

),

sessions as (

    select
        session_id,
        -- A session belongs to one user: grouping by both makes a second user a duplicate
        -- session_id, which the unique test reports.
        user_id,
        min(event_at) as session_started_at,
        max(event_at) as session_ended_at,
        count(*) as event_count,
        count(*) filter (where event_type = 'click') as click_count,
        count(*) filter (where event_type = 'view') as view_count,
        count(*) filter (where event_type = 'add_to_cart') as add_to_cart_count,
        count(*) filter (where event_type = 'remove_from_cart') as remove_from_cart_count,
        count(*) filter (where event_type = 'purchase') as purchase_count,
        min(event_at) filter (where event_type = 'view') as first_viewed_at,
        min(event_at) filter (where event_type = 'add_to_cart') as first_added_to_cart_at,
        min(event_at) filter (where event_type = 'purchase') as first_purchased_at,
        bool_or(is_late) as has_late_events,
        max(loaded_at) as last_loaded_at
    from session_events
    group by user_id, session_id

),

final as (

    select
        session_id,
        user_id,
        session_started_at,
        session_ended_at,
        event_count,
        click_count,
        view_count,
        add_to_cart_count,
        remove_from_cart_count,
        purchase_count,
        first_viewed_at,
        first_added_to_cart_at,
        first_purchased_at,
        has_late_events,
        last_loaded_at,
        (session_started_at at time zone 'UTC')::date as session_date,
        extract(epoch from session_ended_at - session_started_at)::numeric(12, 3) as duration_seconds
    from sessions
    -- Stored by user: dim_users re-reads every session of each user with a new one, and a user's
    -- sessions side by side are a few pages instead of one page each (a full refresh lays them
    -- out so; an incremental run appends its sessions, also by user).
    order by user_id, session_id

)

select * from final
