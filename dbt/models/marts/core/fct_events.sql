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

{#- One group's figures, the same on both paths below. -#}
{% set group_figures %}
        count(*) as event_count,
        sum(quantity) as total_quantity,
        -- Revenue is what purchases bring in; a view or a cart event has a price but earns nothing.
        coalesce(sum(price * quantity) filter (where event_type = 'purchase'), 0)::numeric(18, 2) as total_revenue,
        count(*) filter (where is_late) as late_event_count,
        max(loaded_at) as last_loaded_at
{% endset %}

with

{% if is_incremental() %}

    -- (user, day) pairs with an event loaded since the last run, late events included: their rows
    -- are recomputed from every event of that user on that day.
    changed_user_days as (

        select distinct
            user_id,
            event_date
        from {{ ref('stg_silver__events') }}
        where loaded_at > {{ incremental_cutoff() }}

    ),

    -- A lateral subquery with an aggregate is never merged into a join: each changed pair is one
    -- lookup on Silver's (event_date, user_id) index that reads exactly that pair's events. (A join
    -- lets the planner guess how many pairs there are, and it scans all of Silver; filtering on
    -- both columns with `= any` reads every changed user on every changed day.)
    groups as (

        select
            day_groups.*,
            changed_user_days.event_date,
            changed_user_days.user_id
        from changed_user_days
        cross join lateral (
            select
                events.event_type,
                events.currency,
                {{ group_figures }}
            from {{ ref('stg_silver__events') }} as events
            where
                events.user_id = changed_user_days.user_id
                and events.event_date = changed_user_days.event_date
            group by events.event_type, events.currency
        ) as day_groups

    ),

{% else %}

    groups as (

        select
            event_date,
            user_id,
            event_type,
            currency,
            {{ group_figures }}
        from {{ ref('stg_silver__events') }}
        group by event_date, user_id, event_type, currency

    ),

{% endif %}

final as (

    select
        event_date,
        event_type,
        user_id,
        currency,
        event_count,
        total_quantity,
        total_revenue,
        late_event_count,
        last_loaded_at
    from groups

)

select * from final
