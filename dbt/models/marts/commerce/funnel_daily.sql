{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['session_date'], 'unique': true},
        ],
        pre_hook="{% if is_incremental() %}delete from {{ this }} where session_date >= {{ first_changed_session_date(this) }}{% endif %}",
    )
}}

-- depends_on: {{ ref('int_events_aggregated_to_sessions') }}
-- (first_changed_session_date reads the sessions model, and only on an incremental run.)

-- Conversion through the funnel view -> add_to_cart -> purchase, per day a session started.
-- Incremental: every day from the earliest start among the sessions changed since the last run
-- is deleted (the pre-hook, in the run's transaction) and recomputed from all of its sessions.
-- Every day from then on, not only the changed ones: a late event can move a session's start to
-- an earlier day, and the later day it leaves may have no session left, so no new row to replace
-- the old one by key.

with

funnel_steps as (

    select * from {{ ref('int_sessions_funnel_steps') }}
    {% if is_incremental() %}
        where session_date >= {{ first_changed_session_date(this) }}
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
