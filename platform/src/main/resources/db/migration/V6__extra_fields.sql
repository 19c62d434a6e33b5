-- Fields a producer sent beyond the contract (a newer producer's, another team's): kept, not
-- dropped. Silver stores them as one JSON object per row; null when the record had none.
ALTER TABLE silver.events ADD COLUMN extra jsonb;
ALTER TABLE silver.products ADD COLUMN extra jsonb;
ALTER TABLE silver.products_history ADD COLUMN extra jsonb;
COMMENT ON COLUMN silver.events.extra IS 'Top-level fields outside the event contract, as the producer sent them (a JSON object); null when there were none.';
COMMENT ON COLUMN silver.products.extra IS 'Top-level fields outside the product contract, as the producer sent them; null when there were none.';
COMMENT ON COLUMN silver.products_history.extra IS 'Top-level fields outside the product contract, as the producer sent them; null when there were none.';
