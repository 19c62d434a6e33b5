-- The benchmark's Silver base: :sessions sessions (2 + s % 13 events each, 8 on average: 5M events
-- for 625,000 sessions) of 50,000 users over the 60 days before yesterday, each event loaded two
-- minutes after it happened, and 200 products. Indexes are dropped for the bulk insert and rebuilt
-- as migrations V4 and V5 define them.
\set ON_ERROR_STOP on

alter table silver.events drop constraint events_pkey;
drop index silver.events_loaded_at_idx;
drop index silver.events_session_id_idx;
drop index silver.events_event_date_user_id_idx;

insert into silver.products (
    product_id, name, category, description, price, currency, updated_at,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at
)
select
    'product_' || p, 'Bench product ' || p, (array['toys', 'kitchen', 'beauty', 'books'])[1 + p % 4], null,
    (1 + p * 0.75)::numeric(12, 2), 'EUR', now() - interval '90 days',
    'products', 0, p, now() - interval '90 days', now() - interval '90 days', now() - interval '90 days'
from generate_series(1, 200) as p;

insert into silver.events (
    event_id, event_type, user_id, product_id, price, currency, quantity, session_id, ts,
    user_agent, event_date, is_late, schema_version, source_topic, source_partition,
    source_offset, kafka_ts, ingested_at, silver_at, loaded_at
)
select
    md5('bench-' || s || '-' || i)::uuid,
    t.event_type,
    'user_' || u,
    'product_' || ((s * 13 + i * 7) % 200 + 1),
    round((1 + ((s * 13 + i * 7) % 200 + 1) * 0.75) * (array[1.0, 1.08, 0.85, 4.30, 11.20])[1 + u % 5], 2),
    (array['EUR', 'USD', 'GBP', 'PLN', 'SEK'])[1 + u % 5],
    case when t.event_type in ('add_to_cart', 'remove_from_cart', 'purchase') then 1 + s % 3 else i % 2 end,
    md5('bench-session-' || s)::uuid::text,
    ts, 'Mozilla/5.0 (bench)', (ts at time zone 'UTC')::date, false, '1', 'events', u % 2, s * 16 + i,
    ts + interval '1 second', ts + interval '1 minute', ts + interval '90 seconds', ts + interval '2 minutes'
from
    generate_series(1, :sessions) as s
    cross join lateral (select (s::bigint * 7919) % 50000 + 1 as u) as users
    cross join lateral generate_series(0, 1 + s % 13) as i
    cross join lateral (
        select
            date_trunc('day', now()) - interval '61 days' + s * (interval '60 days' / :sessions) + i * interval '30 seconds' as ts,
            case
                when i = 0 then 'click'
                when i = 1 + s % 13 and s % 3 <> 0 and s % 4 = 0 then 'purchase'
                when i = 2 and s % 3 <> 0 then 'add_to_cart'
                when i = 3 and s % 5 = 0 then 'remove_from_cart'
                else 'view'
            end as event_type
    ) as t;

alter table silver.events add constraint events_pkey primary key (event_id);
create index events_loaded_at_idx on silver.events (loaded_at);
create index events_session_id_idx on silver.events (session_id);
create index events_event_date_user_id_idx on silver.events (event_date, user_id);
vacuum analyze silver.events;
vacuum analyze silver.products;
