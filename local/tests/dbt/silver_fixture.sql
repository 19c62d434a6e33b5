-- A deterministic Silver for the dbt tests, written as the warehouse loader would (run as the
-- admin role). psql -v batch=1: the first loads, 500 sessions (about 3,000 events) loaded over 41
-- hours, and 20 products.
-- psql -v batch=2: a second load: 100 new sessions, late events for old sessions (one moves a
-- session's start to the day before, one empties the day it leaves), a re-delivery of already
-- loaded events, rows whose load committed half an hour before the first load's newest row
-- (inside the lookback window), and a price change plus a new product in the catalog. Event
-- times are fixed; load times are relative to now() so that source freshness passes.
-- Both batches also hold events that are valid one by one but odd together (issue 20): session
-- ids shared by several users, purchases of products the catalog does not hold (one of them
-- arrives in the catalog in batch 2), and fields beyond the contract in `extra`.

\set ON_ERROR_STOP on

begin;

create temporary table fixture_clock on commit drop as
select
    case
        when :batch = 1 then date_trunc('second', now()) - interval '2 days'
        else (select max(loaded_at) from silver.events)
    end as first_load_at,
    date_trunc('second', now()) - interval '10 minutes' as second_load_at;

-- 20 products, EUR list prices.
insert into silver.products (
    product_id, name, category, description, price, currency, updated_at,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at
)
select
    'product_' || p,
    'Fixture product ' || p,
    (array['toys', 'kitchen', 'beauty', 'books'])[1 + p % 4],
    null,
    (5 + p * 2.5)::numeric(12, 2),
    'EUR',
    timestamptz '2026-01-01 00:00:00+00',
    'products', 0, p, first_load_at, first_load_at, first_load_at
from generate_series(1, 20) as p, fixture_clock
where :batch = 1;

insert into silver.products_history (
    product_id, name, category, description, price, currency, valid_from,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at
)
select product_id, name, category, description, price, currency, updated_at,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at
from silver.products
where :batch = 1;

-- Batch 2: product_3 changes price, product_21 is new.
insert into silver.products (
    product_id, name, category, description, price, currency, updated_at,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at
)
select v.product_id, v.name, 'toys', 'new in batch 2', v.price, 'EUR', v.updated_at,
    'products', 0, v.source_offset, second_load_at, second_load_at, second_load_at
from (
    values
    ('product_3', 'Fixture product 3', 19.99::numeric(12, 2), timestamptz '2026-01-25 00:00:00+00', 21),
    ('product_21', 'Fixture product 21', 42.00::numeric(12, 2), timestamptz '2026-01-25 00:00:00+00', 22)
) as v (product_id, name, price, updated_at, source_offset), fixture_clock
where :batch = 2
on conflict (product_id) do update set
    name = excluded.name, description = excluded.description, price = excluded.price,
    updated_at = excluded.updated_at, source_offset = excluded.source_offset,
    ingested_at = excluded.ingested_at, silver_at = excluded.silver_at, loaded_at = excluded.loaded_at;

insert into silver.products_history (
    product_id, name, category, description, price, currency, valid_from,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at
)
select product_id, name, category, description, price, currency, updated_at,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at
from silver.products
where :batch = 2 and product_id in ('product_3', 'product_21');

-- Batch 2: product_90, bought since batch 1 but unknown to the catalog until now (a product
-- published late), arrives with a field beyond the contract.
insert into silver.products (
    product_id, name, category, description, price, currency, updated_at,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at, extra
)
select
    'product_90', 'Fixture product 90', 'books', 'published late', 10.00, 'EUR',
    timestamptz '2026-01-26 00:00:00+00', 'products', 0, 23, second_load_at, second_load_at, second_load_at,
    '{"brand": "Acme", "ean": "4006381333931"}'::jsonb
from fixture_clock
where :batch = 2;

insert into silver.products_history (
    product_id, name, category, description, price, currency, valid_from,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at, extra
)
select product_id, name, category, description, price, currency, updated_at,
    source_topic, source_partition, source_offset, ingested_at, silver_at, loaded_at, extra
from silver.products
where :batch = 2 and product_id = 'product_90';

-- Sessions: session n belongs to user_(n*7 % 200 + 1), starts 50 minutes after session n-1 (from
-- 2026-01-01), and has 2 + n % 9 events 37 s apart: a click, views, an add_to_cart in two of three
-- sessions, a remove_from_cart in some, a purchase in every fourth that has a cart.
create temporary table fixture_events on commit drop as
with sessions as (
    select
        n,
        'user_' || (n * 7 % 200 + 1) as user_id,
        (array['EUR', 'EUR', 'USD', 'GBP', 'PLN'])[1 + (n * 7 % 200 + 1) % 5] as currency,
        (array[1.0, 1.0, 1.08, 0.85, 4.30])[1 + (n * 7 % 200 + 1) % 5] as per_euro,
        md5('session-' || n)::uuid::text as session_id,
        timestamptz '2026-01-01 00:00:00+00' + n * interval '50 minutes' as started_at,
        2 + n % 9 as event_count
    from generate_series(case when :batch = 1 then 1 else 501 end, case when :batch = 1 then 500 else 600 end) as n
),
events as (
    select
        s.*,
        i,
        case
            when i = 0 then 'click'
            when i = s.event_count - 1 and n % 3 <> 0 and n % 4 = 0 then 'purchase'
            when i = 2 and n % 3 <> 0 then 'add_to_cart'
            when i = 3 and n % 5 = 0 then 'remove_from_cart'
            else 'view'
        end as event_type,
        'product_' || ((n * 13 + i * 7) % 20 + 1) as product_id,
        s.started_at + i * interval '37 seconds' as ts
    from sessions as s, generate_series(0, s.event_count - 1) as i
)
select
    md5('event-' || n || '-' || i)::uuid as event_id,
    event_type,
    user_id,
    product_id,
    round((5 + substr(product_id, 9)::int * 2.5) * per_euro, 2)::numeric(12, 2) as price,
    currency,
    case when event_type in ('add_to_cart', 'remove_from_cart', 'purchase') then 1 + n % 3 else i % 2 end as quantity,
    session_id,
    ts,
    false as is_late,
    -- Rows of sessions 591..600 were loaded by a transaction that committed late: their load time
    -- is half an hour before the first load's newest row, inside the lookback window.
    n between 591 and 600 as commits_late,
    n as session_number,
    null::jsonb as extra
from events;

-- Batch 2: late events for 30 old sessions, up to a day after their session; session 40's late
-- view happened before its first event, on the previous day.
insert into fixture_events
select
    md5('late-' || n)::uuid,
    (array['view', 'add_to_cart', 'purchase'])[1 + n % 3],
    'user_' || (n * 7 % 200 + 1),
    'product_' || (n % 20 + 1),
    round((5 + (n % 20 + 1) * 2.5) * (array[1.0, 1.0, 1.08, 0.85, 4.30])[1 + (n * 7 % 200 + 1) % 5], 2),
    (array['EUR', 'EUR', 'USD', 'GBP', 'PLN'])[1 + (n * 7 % 200 + 1) % 5],
    case when n % 3 = 0 then 0 else 2 end,
    md5('session-' || n)::uuid::text,
    case
        when n = 40 then timestamptz '2026-01-01 00:00:00+00' + n * interval '50 minutes' - interval '1 day'
        else timestamptz '2026-01-01 00:00:00+00' + n * interval '50 minutes' + (n % 24) * interval '1 hour'
    end,
    true,
    false,
    n,
    null
from generate_series(10, 300, 10) as n
where :batch = 2;

-- A session alone on its day (2025-12-30), whose late view (batch 2) happened the day before:
-- the day it leaves has no session left, and funnel_daily must lose that day's row.
insert into fixture_events
select
    md5('lonely-' || :batch)::uuid,
    case when :batch = 1 then 'click' else 'view' end,
    'user_1', 'product_1', 7.50, 'EUR', 0,
    md5('session-lonely')::uuid::text,
    case when :batch = 1 then timestamptz '2025-12-30 12:00:00+00' else timestamptz '2025-12-29 12:00:00+00' end,
    :batch = 2,
    false,
    0,
    null;

-- Valid one by one, odd together (issue 20); all in EUR, loaded with each batch's newest rows.
-- * A session id shared by users (a client bug, a shared device): session-shared has user_1 and
--   user_2 in batch 1, and user_3 joins it in batch 2; session 7 (user_50) gets a view of user_77
--   in batch 2, so it becomes shared only then.
-- * Purchases of products the catalog does not hold: product_90 (its catalog row arrives in batch
--   2), product_91 (never), product_92 (first bought in batch 2).
-- * Fields beyond the contract in `extra`: coupon_code twice and ab_variant twice.
insert into fixture_events
select
    md5('odd-' || v.tag)::uuid,
    v.event_type,
    v.user_id,
    v.product_id,
    v.price,
    'EUR',
    v.quantity,
    md5(v.session_seed)::uuid::text,
    v.ts,
    false,
    false,
    500,
    v.extra::jsonb
from (
    values
    (1, 'shared-1-view', 'view', 'user_1', 'product_2', 10.00, 0, 'session-shared', timestamptz '2026-01-10 10:00:00+00', null),
    (1, 'shared-1-cart', 'add_to_cart', 'user_1', 'product_91', 20.00, 1, 'session-shared', timestamptz '2026-01-10 10:01:00+00', null),
    (1, 'shared-2-view', 'view', 'user_2', 'product_90', 10.00, 0, 'session-shared', timestamptz '2026-01-10 10:02:00+00', null),
    (1, 'shared-2-cart', 'add_to_cart', 'user_2', 'product_90', 10.00, 2, 'session-shared', timestamptz '2026-01-10 10:03:00+00', null),
    (1, 'shared-2-buy', 'purchase', 'user_2', 'product_90', 10.00, 2, 'session-shared', timestamptz '2026-01-10 10:04:00+00',
        '{"coupon_code": "WINTER", "ab_variant": "b"}'),
    (1, 'shared-1-buy', 'purchase', 'user_1', 'product_91', 20.00, 1, 'session-shared', timestamptz '2026-01-10 10:05:00+00',
        '{"coupon_code": "WINTER"}'),
    (2, 'shared-3-view', 'view', 'user_3', 'product_92', 30.00, 0, 'session-shared', timestamptz '2026-01-10 10:06:00+00',
        '{"ab_variant": "a"}'),
    (2, 'shared-3-buy', 'purchase', 'user_3', 'product_92', 30.00, 1, 'session-shared', timestamptz '2026-01-10 10:07:00+00', null),
    (2, 'session-7-view', 'view', 'user_77', 'product_4', 15.00, 0, 'session-7', timestamptz '2026-01-01 05:51:00+00', null)
) as v (batch, tag, event_type, user_id, product_id, price, quantity, session_seed, ts, extra)
where v.batch = :batch;

insert into silver.events (
    event_id, event_type, user_id, product_id, price, currency, quantity, session_id, ts,
    user_agent, event_date, is_late, schema_version, source_topic, source_partition,
    source_offset, kafka_ts, ingested_at, silver_at, loaded_at, extra
)
select
    e.event_id, e.event_type, e.user_id, e.product_id, e.price, e.currency, e.quantity,
    e.session_id, e.ts, 'Mozilla/5.0 (fixture)', (e.ts at time zone 'UTC')::date, e.is_late, '1',
    'events', abs(hashtext(e.user_id)) % 2,
    :batch * 100000 + row_number() over (order by e.ts, e.event_id),
    case when e.is_late then c.second_load_at - interval '1 minute' else e.ts + interval '1 second' end,
    e.ts + interval '2 seconds',
    case when :batch = 1 then c.first_load_at else c.second_load_at end - interval '1 minute',
    case
        -- The first load's sessions were loaded over 41 hours, 5 minutes apart: only the last
        -- dozen fall inside the lookback window of the next run.
        when :batch = 1 then c.first_load_at - (500 - e.session_number) * interval '5 minutes'
        when e.commits_late then c.first_load_at - interval '30 minutes'
        else c.second_load_at
    end,
    e.extra
from fixture_events as e, fixture_clock as c;

-- Batch 2: a re-delivery of eleven already loaded events (same content, a new load time), one of
-- them with fields beyond the contract.
update silver.events
set loaded_at = c.second_load_at
from fixture_clock as c
where
    :batch = 2
    and (
        event_id in (select md5('event-' || n || '-0')::uuid from generate_series(100, 109) as n)
        or event_id = md5('odd-shared-2-buy')::uuid
    );

commit;
