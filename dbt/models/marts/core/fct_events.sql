{{
    config(
        materialized='incremental',
        unique_key=['event_date', 'user_id', 'event_type', 'currency'],
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['event_date', 'user_id', 'event_type', 'currency'], 'unique': true},
            {'columns': ['last_loaded_at']},
        ],
    )
}}

-- Daily events per user and type (the users' reference model fct_events), with revenue kept per
-- currency: a user shops in one currency, but amounts in two currencies are never added.
-- The key's index leads with event_date: a run's rows are mostly of the last day, so they land
-- together at the end of the index.

with

-- (user, day) pairs with an event loaded since the last run, late events included: their rows
-- are recomputed from every event of that user on that day.
changed_user_days as (

    select distinct
        user_id,
        event_date
    from {{ ref('stg_silver__events') }}
    {% if is_incremental() %}
        where loaded_at > {{ incremental_cutoff() }}
    {% endif %}

),

-- Referenced once, so PostgreSQL inlines it: `= any(array(...))` on both columns of the index
-- (event_date, user_id) makes the lookup an index scan (a join would scan all of Silver), and the
-- join keeps exactly the changed pairs.
events as (

    select * from {{ ref('stg_silver__events') }}
    {% if is_incremental() %}
        where
            user_id = any(array(select distinct changed_user_days.user_id from changed_user_days))
            and event_date = any(array(select distinct changed_user_days.event_date from changed_user_days))
    {% endif %}

),

scoped_events as (

    select events.*
    from events
    {% if is_incremental() %}
        inner join changed_user_days
            on
                events.user_id = changed_user_days.user_id
                and events.event_date = changed_user_days.event_date
    {% endif %}

),

final as (

    select
        event_date,
        event_type,
        user_id,
        currency,
        count(*) as event_count,
        sum(quantity) as total_quantity,
        -- Revenue is what purchases bring in; a view or a cart event has a price but earns nothing.
        coalesce(sum(price * quantity) filter (where event_type = 'purchase'), 0)::numeric(18, 2) as total_revenue,
        count(*) filter (where is_late) as late_event_count,
        max(loaded_at) as last_loaded_at
    from scoped_events
    group by event_date, event_type, user_id, currency

)

select * from final
