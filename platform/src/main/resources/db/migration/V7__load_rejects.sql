-- Rows PostgreSQL refused during a warehouse load (issue 20: no record stops the pipeline). The
-- loader writes them in the same transaction as the rest of their batch and its load-log row, so
-- a batch that Spark re-runs after a crash finds itself in the log and records nothing twice; a
-- reload from a new checkpoint that meets the same row version again adds nothing either (the
-- unique constraint, ON CONFLICT DO NOTHING). Append-only: a refused row stays here after a later
-- version of its key is accepted; runnel.load_rejects_missing lists those still missing.
CREATE TABLE runnel.load_rejects (
  target_table      text        NOT NULL,
  row_key           text        NOT NULL,
  source_topic      text,
  source_partition  integer,
  source_offset     bigint,
  source_version    bigint      NOT NULL,
  reason            text        NOT NULL,
  row_values        json,
  job               text        NOT NULL,
  query_id          uuid        NOT NULL,
  batch_id          bigint      NOT NULL CHECK (batch_id >= 0),
  rejected_at       timestamptz NOT NULL DEFAULT now(),
  -- One row per refused version of a row: its key and its Kafka coordinates (which may be null
  -- when a null coordinate is what PostgreSQL refused).
  CONSTRAINT load_rejects_row_version
    UNIQUE NULLS NOT DISTINCT (target_table, row_key, source_topic, source_partition, source_offset)
);

COMMENT ON TABLE runnel.load_rejects IS 'Rows the warehouse loader could not write, one per refused row version; every other row of their batch was loaded.';
COMMENT ON COLUMN runnel.load_rejects.target_table IS 'The table the row was meant for, e.g. silver.events.';
COMMENT ON COLUMN runnel.load_rejects.row_key IS 'The row''s Silver key as text, parts joined by /: event_id; product_id; product_id/valid_from (UTC); source_topic/source_partition/source_offset.';
COMMENT ON COLUMN runnel.load_rejects.source_version IS 'The Silver Delta table version that wrote the refused row (change data feed _commit_version).';
COMMENT ON COLUMN runnel.load_rejects.reason IS 'SQLSTATE: message, as PostgreSQL refused the row (22021 for text holding U+0000, which the loader refuses before sending).';
COMMENT ON COLUMN runnel.load_rejects.row_values IS 'The refused row''s values as a JSON object (times in UTC; U+0000 shown as U+FFFD).';
COMMENT ON COLUMN runnel.load_rejects.job IS 'With query_id and batch_id: the batch, as in runnel.load_log.';

-- Refused rows of a batch, per load-log row: what the reconciliation adds to PostgreSQL's rows.
ALTER TABLE runnel.load_log ADD COLUMN rows_rejected bigint NOT NULL DEFAULT 0
  CHECK (rows_rejected >= 0);
COMMENT ON COLUMN runnel.load_log.rows_rejected IS 'Rows of the batch PostgreSQL refused (in runnel.load_rejects).';

-- The refused rows whose key the target does not hold: neither an earlier version of the row
-- nor a later, accepted one. A refused update of a row the target holds is not listed (the
-- target keeps its previous version). The key is read back from row_values, typed, so that
-- each lookup uses the target's primary key.
CREATE VIEW runnel.load_rejects_missing AS
SELECT r.*
FROM runnel.load_rejects AS r
WHERE NOT EXISTS (
    SELECT FROM silver.events AS t
    WHERE r.target_table = 'silver.events'
      AND t.event_id = (r.row_values ->> 'event_id')::uuid)
  AND NOT EXISTS (
    SELECT FROM silver.events_quarantine AS t
    WHERE r.target_table = 'silver.events_quarantine'
      AND (t.source_topic, t.source_partition, t.source_offset)
        = (r.source_topic, r.source_partition, r.source_offset))
  AND NOT EXISTS (
    SELECT FROM silver.products AS t
    WHERE r.target_table = 'silver.products'
      AND t.product_id = r.row_values ->> 'product_id')
  AND NOT EXISTS (
    SELECT FROM silver.products_history AS t
    WHERE r.target_table = 'silver.products_history'
      AND t.product_id = r.row_values ->> 'product_id'
      AND t.valid_from = (r.row_values ->> 'valid_from')::timestamptz);

COMMENT ON VIEW runnel.load_rejects_missing IS 'Refused rows whose key the warehouse table does not hold (not loaded at all).';

-- The loader appends (V1's default privileges give it SELECT and INSERT in schema runnel); it
-- writes nothing through the view. The analyst reads both (V1's defaults); dbt may read them too.
REVOKE INSERT ON runnel.load_rejects_missing FROM runnel_loader;
GRANT USAGE ON SCHEMA runnel TO runnel_transformer;
GRANT SELECT ON runnel.load_rejects, runnel.load_rejects_missing TO runnel_transformer;
