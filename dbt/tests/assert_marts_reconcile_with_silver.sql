-- The marts add up to Silver: every event counted once in each model that counts events, and
-- purchase revenue per currency equal in Silver, fct_events, fct_purchases and revenue_hourly.
-- Any row returned is a mismatch.

with

silver_events as (

    select
        count(*) as event_count,
        count(*) filter (where event_type = 'purchase') as purchase_count
    from {{ source('silver', 'events') }}

),

silver_revenue as (

    select
        currency::text as currency,
        sum(price * quantity) as revenue
    from {{ source('silver', 'events') }}
    where event_type = 'purchase'
    group by currency

),

event_counts as (

    select
        'fct_events.event_count' as measure,
        sum(event_count) as mart_value
    from {{ ref('fct_events') }}
    union all
    select
        'user_event_summary.total_events' as measure,
        sum(total_events) as mart_value
    from {{ ref('user_event_summary') }}
    union all
    select
        'int_events_aggregated_to_sessions.event_count' as measure,
        sum(event_count) as mart_value
    from {{ ref('int_events_aggregated_to_sessions') }}
    union all
    select
        'dim_users.event_count' as measure,
        sum(event_count) as mart_value
    from {{ ref('dim_users') }}

),

purchase_counts as (

    select
        'fct_purchases rows' as measure,
        count(*) as mart_value
    from {{ ref('fct_purchases') }}
    union all
    select
        'revenue_hourly.purchase_line_count' as measure,
        sum(purchase_line_count) as mart_value
    from {{ ref('revenue_hourly') }}
    union all
    select
        'user_event_summary.total_purchases' as measure,
        sum(total_purchases) as mart_value
    from {{ ref('user_event_summary') }}

),

mart_revenue as (

    select
        'fct_events.total_revenue' as measure,
        currency,
        sum(total_revenue) as revenue
    from {{ ref('fct_events') }}
    group by currency
    union all
    select
        'fct_purchases.revenue' as measure,
        currency,
        sum(revenue) as revenue
    from {{ ref('fct_purchases') }}
    group by currency
    union all
    select
        'revenue_hourly.total_revenue' as measure,
        currency,
        sum(total_revenue) as revenue
    from {{ ref('revenue_hourly') }}
    group by currency

),

revenue_measures as (

    select measure
    from
        (
            values
            ('fct_events.total_revenue'),
            ('fct_purchases.revenue'),
            ('revenue_hourly.total_revenue')
        ) as measures (measure)

),

currencies as (

    select currency from silver_revenue
    union
    select currency from mart_revenue

),

-- Every measure for every currency on either side, so a currency missing from a mart shows up.
revenue_grid as (

    select
        revenue_measures.measure,
        currencies.currency
    from revenue_measures
    cross join currencies

),

mismatches as (

    select
        event_counts.measure,
        null as currency,
        silver_events.event_count::numeric as silver_value,
        event_counts.mart_value::numeric as mart_value
    from event_counts
    cross join silver_events
    where event_counts.mart_value is distinct from silver_events.event_count
    union all
    select
        purchase_counts.measure,
        null as currency,
        silver_events.purchase_count::numeric as silver_value,
        purchase_counts.mart_value::numeric as mart_value
    from purchase_counts
    cross join silver_events
    where purchase_counts.mart_value is distinct from silver_events.purchase_count
    union all
    select
        revenue_grid.measure,
        revenue_grid.currency,
        coalesce(silver_revenue.revenue, 0) as silver_value,
        coalesce(mart_revenue.revenue, 0) as mart_value
    from revenue_grid
    left join silver_revenue on revenue_grid.currency = silver_revenue.currency
    left join mart_revenue
        on
            revenue_grid.measure = mart_revenue.measure
            and revenue_grid.currency = mart_revenue.currency
    where coalesce(silver_revenue.revenue, 0) <> coalesce(mart_revenue.revenue, 0)

)

select * from mismatches
