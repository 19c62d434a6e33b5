-- Every layer against the one before it, in one federated query: Bronze holds every record
-- Kafka has taken on the events topic (its end offsets, so records that retention deleted still
-- count); each Bronze record is the Silver winner of its event, quarantined, or a duplicate of a
-- Silver event (so "unaccounted" must be 0); the warehouse holds exactly Silver but for the rows
-- PostgreSQL refused (runnel.load_rejects_missing, kept with their reason); the marts count
-- it once. Run while Bronze is streaming, Kafka may be a few records ahead.
-- ./runnel sql -f trino/queries/reconciliation.sql
WITH kafka AS (
    SELECT sum(end_offset) AS records
    FROM (
        SELECT max(_partition_offset) + 1 AS end_offset
        FROM stream.default.events
        GROUP BY _partition_id
    )
),
bronze AS (
    SELECT b.topic, b.kafka_partition, b.kafka_offset,
           lower(json_extract_scalar(b.value, '$.event_id')) AS event_id
    FROM lake.bronze.events AS b
    WHERE b.topic = 'events'
),
classified AS (
    SELECT
        CASE
            WHEN s.event_id IS NOT NULL THEN 'silver'
            WHEN q.source_offset IS NOT NULL THEN 'quarantined'
            WHEN d.event_id IS NOT NULL THEN 'duplicate'
            ELSE 'unaccounted'
        END AS fate
    FROM bronze AS b
    LEFT JOIN lake.silver.events AS s
        ON s.source_topic = b.topic AND s.source_partition = b.kafka_partition
        AND s.source_offset = b.kafka_offset
    LEFT JOIN lake.silver.events_quarantine AS q
        ON q.source_topic = b.topic AND q.source_partition = b.kafka_partition
        AND q.source_offset = b.kafka_offset
    LEFT JOIN (SELECT DISTINCT lower(event_id) AS event_id FROM lake.silver.events) AS d
        ON d.event_id = b.event_id
),
fates AS (
    SELECT
        count(*) AS bronze,
        count_if(fate = 'silver') AS silver_winners,
        count_if(fate = 'quarantined') AS quarantined,
        count_if(fate = 'duplicate') AS duplicates,
        count_if(fate = 'unaccounted') AS unaccounted
    FROM classified
),
layers AS (
    SELECT
        f.*,
        (SELECT records FROM kafka) AS kafka,
        (SELECT count(*) FROM lake.silver.events) AS silver,
        (SELECT count(*) FROM warehouse.silver.events) AS warehouse,
        (SELECT count(*) FROM warehouse.runnel.load_rejects_missing
         WHERE target_table = 'silver.events') AS refused,
        (SELECT sum(event_count) FROM warehouse.marts.fct_events) AS marts
    FROM fates AS f
)
SELECT layer, row_count, expected, row_count = expected AS agrees
FROM layers
CROSS JOIN UNNEST(
    ARRAY['0 kafka (events topic)', '1 bronze (events topic)', '2 silver winners', '3 quarantined', '4 duplicates collapsed',
          '5 unaccounted', '6 silver.events', '7 warehouse silver.events', '8 refused by PostgreSQL',
          '9 marts fct_events'],
    ARRAY[kafka, bronze, silver_winners, quarantined, duplicates, unaccounted, silver, warehouse, refused,
          marts],
    ARRAY[bronze, silver_winners + quarantined + duplicates, silver, quarantined, duplicates, 0, silver,
          silver - refused, refused, warehouse]
) AS t (layer, row_count, expected)
ORDER BY layer;
