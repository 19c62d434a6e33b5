-- Issue 21: a loader paused past its writer lease (GC, SIGSTOP) must commit nothing once its
-- successor has taken over, and no loader may replace a newer row with an older one.

-- The loaders' fencing tokens: one row per set of checkpoints. A loader takes the next epoch when
-- it starts (holding the S3 writer lease on those checkpoints); each batch transaction reads the
-- row FOR SHARE just before its COMMIT and rolls back if the epoch is no longer its own.
CREATE TABLE runnel.writer_fence (
  fence     text        PRIMARY KEY,
  epoch     bigint      NOT NULL CHECK (epoch > 0),
  holder    text        NOT NULL,
  taken_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE runnel.writer_fence IS 'Fencing tokens of the warehouse loaders: the epoch of the loader that holds each set of checkpoints.';
COMMENT ON COLUMN runnel.writer_fence.fence IS 'The loader''s checkpoint root, e.g. s3a://lakehouse/_checkpoints/warehouse.';
-- V2's defaults give the loader SELECT and INSERT here; taking the next epoch is an UPDATE, and
-- FOR SHARE needs UPDATE too. Still no DELETE.
GRANT UPDATE ON runnel.writer_fence TO runnel_loader;

-- Which loader epoch committed each batch.
ALTER TABLE runnel.load_log ADD COLUMN fence_epoch bigint;
COMMENT ON COLUMN runnel.load_log.fence_epoch IS 'The runnel.writer_fence epoch of the loader that committed the batch (null before V8).';

-- The Silver Delta version (change data feed _commit_version, strictly increasing per table) of
-- the row as last written; the load's ON CONFLICT ... DO UPDATE never replaces a row with an
-- older one. Nullable: rows loaded before V8 have none, and any version may replace them.
ALTER TABLE silver.events ADD COLUMN source_version bigint;
ALTER TABLE silver.events_quarantine ADD COLUMN source_version bigint;
ALTER TABLE silver.products ADD COLUMN source_version bigint;
ALTER TABLE silver.products_history ADD COLUMN source_version bigint;
COMMENT ON COLUMN silver.events.source_version IS 'The Silver Delta table version the row was loaded from; an older version never replaces it (null: loaded before V8).';
COMMENT ON COLUMN silver.events_quarantine.source_version IS 'The Silver Delta table version the row was loaded from; an older version never replaces it (null: loaded before V8).';
COMMENT ON COLUMN silver.products.source_version IS 'The Silver Delta table version the row was loaded from; an older version never replaces it (null: loaded before V8).';
COMMENT ON COLUMN silver.products_history.source_version IS 'The Silver Delta table version the row was loaded from; an older version never replaces it (null: loaded before V8).';
