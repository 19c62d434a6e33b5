-- The Silver tables as the warehouse loader writes them: one per Silver Delta table, same column
-- names (see io.runnel.batch.SilverTables), plus loaded_at, the time of the load transaction that
-- last wrote the row (dbt's incremental models and source freshness key on it).
-- Indexes are only the keys and what dbt's incremental models filter on: every extra index slows
-- each load.

CREATE TABLE silver.events (
  event_id          uuid          PRIMARY KEY,
  event_type        text          NOT NULL
                    CHECK (event_type IN ('view', 'click', 'add_to_cart', 'remove_from_cart', 'purchase')),
  user_id           text          NOT NULL,
  product_id        text          NOT NULL,
  price             numeric(12,2) NOT NULL CHECK (price >= 0),
  currency          char(3)       NOT NULL,
  quantity          integer       NOT NULL CHECK (quantity >= 0),
  session_id        text          NOT NULL,
  ts                timestamptz   NOT NULL,
  user_agent        text          NOT NULL,
  event_date        date          NOT NULL,
  is_late           boolean       NOT NULL,
  schema_version    text,
  source_topic      text          NOT NULL,
  source_partition  integer       NOT NULL,
  source_offset     bigint        NOT NULL,
  kafka_ts          timestamptz   NOT NULL,
  ingested_at       timestamptz   NOT NULL,
  silver_at         timestamptz   NOT NULL,
  loaded_at         timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX events_loaded_at_idx ON silver.events (loaded_at);
COMMENT ON TABLE silver.events IS 'Validated, deduplicated events (one row per event_id), mirrored from the Silver Delta table.';

CREATE TABLE silver.events_quarantine (
  source_topic      text          NOT NULL,
  source_partition  integer       NOT NULL,
  source_offset     bigint        NOT NULL,
  error_reasons     text[]        NOT NULL CHECK (cardinality(error_reasons) > 0),
  key               text,
  value             text,
  value_bytes       bytea,
  schema_version    text,
  kafka_ts          timestamptz   NOT NULL,
  ingested_at       timestamptz   NOT NULL,
  ingest_date       date          NOT NULL,
  silver_at         timestamptz   NOT NULL,
  loaded_at         timestamptz   NOT NULL DEFAULT now(),
  PRIMARY KEY (source_topic, source_partition, source_offset)
);
CREATE INDEX events_quarantine_loaded_at_idx ON silver.events_quarantine (loaded_at);
COMMENT ON TABLE silver.events_quarantine IS 'Records that failed validation, with every rule they failed and the raw payload.';

CREATE TABLE silver.products (
  product_id        text          PRIMARY KEY,
  name              text          NOT NULL,
  category          text          NOT NULL,
  description       text,
  price             numeric(12,2) NOT NULL CHECK (price >= 0),
  currency          char(3)       NOT NULL,
  updated_at        timestamptz   NOT NULL,
  source_topic      text          NOT NULL,
  source_partition  integer       NOT NULL,
  source_offset     bigint        NOT NULL,
  ingested_at       timestamptz   NOT NULL,
  silver_at         timestamptz   NOT NULL,
  loaded_at         timestamptz   NOT NULL DEFAULT now()
);
COMMENT ON TABLE silver.products IS 'The latest version of each product.';

CREATE TABLE silver.products_history (
  product_id        text          NOT NULL,
  name              text          NOT NULL,
  category          text          NOT NULL,
  description       text,
  price             numeric(12,2) NOT NULL CHECK (price >= 0),
  currency          char(3)       NOT NULL,
  valid_from        timestamptz   NOT NULL,
  source_topic      text          NOT NULL,
  source_partition  integer       NOT NULL,
  source_offset     bigint        NOT NULL,
  ingested_at       timestamptz   NOT NULL,
  silver_at         timestamptz   NOT NULL,
  loaded_at         timestamptz   NOT NULL DEFAULT now(),
  PRIMARY KEY (product_id, valid_from)
);
COMMENT ON TABLE silver.products_history IS 'Every version of every product, by the time it took effect (for slowly changing dimensions).';

-- A streaming query's batch ids restart at 0 with a new checkpoint, so a batch is identified by
-- the query's id (kept in its checkpoint) together with the batch id.
ALTER TABLE runnel.load_log ADD COLUMN query_id uuid;
UPDATE runnel.load_log SET query_id = '00000000-0000-0000-0000-000000000000' WHERE query_id IS NULL;
ALTER TABLE runnel.load_log ALTER COLUMN query_id SET NOT NULL;
ALTER TABLE runnel.load_log DROP CONSTRAINT load_log_pkey;
ALTER TABLE runnel.load_log ADD PRIMARY KEY (job, query_id, batch_id);
ALTER TABLE runnel.load_log ADD COLUMN source_version bigint;
COMMENT ON COLUMN runnel.load_log.source_version IS 'The newest Silver Delta version the batch read.';
