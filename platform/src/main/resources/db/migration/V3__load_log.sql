-- One row per batch the warehouse loader committed. It is written in the same transaction as the
-- batch's rows, so a batch that is retried after a crash finds its id here and changes nothing.
CREATE TABLE runnel.load_log (
  job          text        NOT NULL,
  batch_id     bigint      NOT NULL CHECK (batch_id >= 0),
  rows_loaded  bigint      NOT NULL CHECK (rows_loaded >= 0),
  loaded_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, batch_id)
);

COMMENT ON TABLE runnel.load_log IS 'Batches committed by the warehouse loader (exactly-once bookkeeping).';
