{#- The post-hook: on a full build, an index on the few sessions with a data-quality finding, so
    that data_quality_checks counts them without reading every session (inserts keep it current). -#}
{{
    config(
        unique_key='session_key',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['session_key'], 'unique': true},
            {'columns': ['last_loaded_at']},
            {'columns': ['user_id']},
            {'columns': ['session_date']},
        ],
        post_hook="{% if not is_incremental() %}create index on {{ this }} (session_id)"
        ~ " where session_id_user_count > 1 or extra_field_event_count > 0{% endif %}",
    )
}}

{#- A table an older Runnel built (keyed on session_id alone) says how to rebuild it, with the
    models above it: the funnel-steps view goes with the old table. -#}
{{ require_incremental_column('session_key', select='int_events_aggregated_to_sessions+') }}

-- A session is one user's events under one session_id. Two users' events under the same
-- session_id (a client bug, a shared device) are two sessions, each with its own session_key;
-- session_id_user_count counts the conflict, and dbt's shared_session_ids test warns about it.

with

-- Session ids with an event loaded since the last run: every session under them is recomputed
-- from all of its events (the other users' too, so that their session_id_user_count follows).
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
        -- Fields beyond the contract (Silver's `extra`): how many events carry any, and their
        -- objects, counted per field name in `final` (nothing to count in most sessions).
        count(*) filter (where extra is not null and extra <> '{}'::jsonb) as extra_field_event_count,
        array_agg(extra) filter (where extra is not null and extra <> '{}'::jsonb) as extras,
        max(loaded_at) as last_loaded_at
    from session_events
    group by session_id, user_id

),

final as (

    select
        {{ session_key('session_id', 'user_id') }} as session_key,
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
        extra_field_event_count,
        last_loaded_at,
        (session_started_at at time zone 'UTC')::date as session_date,
        extract(epoch from session_ended_at - session_started_at)::numeric(12, 3) as duration_seconds,
        -- Every session under a changed session_id is in this run, so the count is over all of them.
        count(*) over (partition by session_id) as session_id_user_count,
        -- {field name: events carrying it}, for the few sessions that have any.
        case
            when extras is not null
                then (
                    select jsonb_object_agg(field_counts.field_name, field_counts.event_count)
                    from (
                        select
                            extra_field_names.field_name,
                            count(*) as event_count
                        from unnest(sessions.extras) as session_extras (extra)
                        cross join
                            lateral {{ extra_field_names('session_extras.extra') }} as extra_field_names (field_name)
                        group by extra_field_names.field_name
                    ) as field_counts
                )
        end as extra_field_counts
    from sessions
    -- Stored by user: dim_users re-reads every session of each user with a new one, and a user's
    -- sessions side by side are a few pages instead of one page each (a full refresh lays them
    -- out so; an incremental run appends its sessions, also by user).
    order by user_id, session_id

)

select * from final
