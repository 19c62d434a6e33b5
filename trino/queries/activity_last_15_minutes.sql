-- Activity of the last 15 minutes, live from the lake (Silver events, seconds to minutes old),
-- next to each user's lifetime profile from the warehouse (dbt's dim_users, as of the last dbt
-- run). A user with no profile yet is new since that run.
-- ./runnel sql -f trino/queries/activity_last_15_minutes.sql
SELECT
    e.user_id,
    count(*) AS events_15m,
    count_if(e.event_type = 'view') AS views_15m,
    count_if(e.event_type = 'add_to_cart') AS carts_15m,
    count_if(e.event_type = 'purchase') AS purchases_15m,
    sum(CASE WHEN e.event_type = 'purchase' THEN e.price * e.quantity END) AS revenue_15m,
    max(e.ts) AS last_event_at,
    u.event_count AS lifetime_events,
    u.purchase_count AS lifetime_purchases,
    u.first_seen_at,
    u.user_id IS NULL AS new_since_last_dbt_run
FROM lake.silver.events AS e
LEFT JOIN warehouse.marts.dim_users AS u ON u.user_id = e.user_id
WHERE e.ts >= current_timestamp - INTERVAL '15' MINUTE
GROUP BY e.user_id, u.user_id, u.event_count, u.purchase_count, u.first_seen_at
ORDER BY events_15m DESC, e.user_id;
