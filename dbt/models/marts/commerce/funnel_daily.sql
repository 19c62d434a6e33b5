{{
    config(
        materialized='incremental',
        unique_key='session_date',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['session_date'], 'unique': true},
            {'columns': ['last_loaded_at']},
        ],
    )
}}

-- Conversion through the funnel view -> add_to_cart -> purchase, per day a session started.
-- Incremental: every day from the earliest start among the sessions changed since the last run
-- is recomputed from all of its sessions. From that day on, not only the changed days: a late
-- event can move a session's start to an earlier day, and the later day it leaves must lose it.

with

funnel_steps as (

    select * from {{ ref('int_sessions_funnel_steps') }}
    {% if is_incremental() %}
        -- Both filters reach indexes of the sessions model (last_loaded_at, session_date).
        where session_date >= (
            select min(changed.session_date)
            from {{ ref('int_sessions_funnel_steps') }} as changed
            where changed.last_loaded_at > {{ incremental_cutoff() }}
        )
    {% endif %}

),

daily as (

    select
        session_date,
        count(*) as session_count,
        count(*) filter (where has_viewed) as viewed_session_count,
        count(*) filter (where has_added_to_cart) as added_to_cart_session_count,
        count(*) filter (where has_purchased) as purchased_session_count,
        max(last_loaded_at) as last_loaded_at
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
        last_loaded_at,
        round(added_to_cart_session_count::numeric / nullif(viewed_session_count, 0), 4)::numeric(7, 4)
            as view_to_add_to_cart_rate,
        round(purchased_session_count::numeric / nullif(added_to_cart_session_count, 0), 4)::numeric(7, 4)
            as add_to_cart_to_purchase_rate,
        round(purchased_session_count::numeric / nullif(viewed_session_count, 0), 4)::numeric(7, 4)
            as view_to_purchase_rate
    from daily

)

select * from final
