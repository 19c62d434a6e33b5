-- One row per user seen in any event. Small (one row per user), so rebuilt in full from the
-- incremental sessions model on every run.

with

sessions as (

    select * from {{ ref('int_events_aggregated_to_sessions') }}

),

final as (

    select
        user_id,
        min(session_started_at) as first_seen_at,
        max(session_ended_at) as last_seen_at,
        count(*) as session_count,
        sum(event_count)::bigint as event_count,
        count(*) filter (where purchase_count > 0) as purchasing_session_count
    from sessions
    group by user_id

)

select * from final
