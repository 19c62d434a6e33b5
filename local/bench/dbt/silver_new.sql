-- One load of new events on top of the base: :sessions new sessions from the last hour plus 1,000
-- late events of base sessions from the last three days, all loaded now (one load transaction).
-- psql -v run=N keeps the ids of each run's load apart; the rows are marked source_topic 'bench-new'.
\set ON_ERROR_STOP on

insert into silver.events (
    event_id, event_type, user_id, product_id, price, currency, quantity, session_id, ts,
    user_agent, event_date, is_late, schema_version, source_topic, source_partition,
    source_offset, kafka_ts, ingested_at, silver_at, loaded_at
)
select
    md5('bench-new-' || :run || '-' || s || '-' || i)::uuid,
    t.event_type,
    'user_' || u,
    'product_' || ((s * 13 + i * 7) % 200 + 1),
    round((1 + ((s * 13 + i * 7) % 200 + 1) * 0.75) * (array[1.0, 1.08, 0.85, 4.30, 11.20])[1 + u % 5], 2),
    (array['EUR', 'USD', 'GBP', 'PLN', 'SEK'])[1 + u % 5],
    case when t.event_type in ('add_to_cart', 'remove_from_cart', 'purchase') then 1 + s % 3 else i % 2 end,
    md5('bench-new-session-' || :run || '-' || s)::uuid::text,
    ts, 'Mozilla/5.0 (bench)', (ts at time zone 'UTC')::date, false, '1', 'bench-new', u % 2, s * 16 + i,
    ts + interval '1 second', now(), now(), now()
from
    generate_series(1, :sessions) as s
    cross join lateral (select (s::bigint * 7919 + :run) % 50000 + 1 as u) as users
    cross join lateral generate_series(0, 1 + s % 13) as i
    cross join lateral (
        select
            now() - interval '1 hour' + s * (interval '55 minutes' / :sessions) + i * interval '30 seconds' as ts,
            case
                when i = 0 then 'click'
                when i = 1 + s % 13 and s % 3 <> 0 and s % 4 = 0 then 'purchase'
                when i = 2 and s % 3 <> 0 then 'add_to_cart'
                when i = 3 and s % 5 = 0 then 'remove_from_cart'
                else 'view'
            end as event_type
    ) as t;

-- Late events: views and purchases of 1,000 base sessions of the last three days, arriving now.
insert into silver.events (
    event_id, event_type, user_id, product_id, price, currency, quantity, session_id, ts,
    user_agent, event_date, is_late, schema_version, source_topic, source_partition,
    source_offset, kafka_ts, ingested_at, silver_at, loaded_at
)
select
    md5('bench-late-' || :run || '-' || e.event_id)::uuid,
    case when row_number() over (order by e.event_id) % 4 = 0 then 'purchase' else 'view' end,
    e.user_id, e.product_id, e.price, e.currency, 1, e.session_id, e.ts + interval '10 seconds',
    e.user_agent, e.event_date, true, '1', 'bench-new', e.source_partition, e.source_offset + 8,
    now(), now(), now(), now()
from (
    select distinct on (session_id) *
    from silver.events
    where source_topic = 'events' and ts > date_trunc('day', now()) - interval '4 days'
    order by session_id, ts desc
    limit 1000
) as e;
analyze silver.events;
