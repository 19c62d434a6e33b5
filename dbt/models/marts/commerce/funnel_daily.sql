-- Conversion through the funnel view -> add_to_cart -> purchase, per day a session started.
-- One row per day, rebuilt in full from the incremental per-session funnel on every run: a late
-- event can move a session's start to an earlier day, and a full rebuild of this small table is
-- what keeps both days right.

with

funnel_steps as (

    select * from {{ ref('int_sessions_funnel_steps') }}

),

daily as (

    select
        session_date,
        count(*) as session_count,
        count(*) filter (where has_viewed) as viewed_session_count,
        count(*) filter (where has_added_to_cart) as added_to_cart_session_count,
        count(*) filter (where has_purchased) as purchased_session_count
    from funnel_steps
    group by session_date

),

final as (

    select
        session_date,
        session_count,
        viewed_session_count,
        added_to_cart_session_count,
        purchased_session_count,
        round(added_to_cart_session_count::numeric / nullif(viewed_session_count, 0), 4)::numeric(7, 4)
            as view_to_add_to_cart_rate,
        round(purchased_session_count::numeric / nullif(added_to_cart_session_count, 0), 4)::numeric(7, 4)
            as add_to_cart_to_purchase_rate,
        round(purchased_session_count::numeric / nullif(viewed_session_count, 0), 4)::numeric(7, 4)
            as view_to_purchase_rate
    from daily

)

select * from final
