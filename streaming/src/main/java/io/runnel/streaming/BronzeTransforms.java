package io.runnel.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.is_valid_utf8;
import static org.apache.spark.sql.functions.make_valid_utf8;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Kafka records to Bronze rows. Nothing here can fail on a record's content: Bronze is lossless, so
 * a malformed event is stored like any other and judged later, in Silver.
 */
public final class BronzeTransforms {
  /** The Kafka header carrying the event contract's version (set by the producer). */
  public static final String SCHEMA_VERSION_HEADER = "runnel-schema-version";

  /**
   * Delta keeps min/max statistics of this many leading columns: the coordinates and times that
   * readers filter on, which is why they come first.
   */
  public static final int INDEXED_COLUMNS = 6;

  private BronzeTransforms() {}

  /**
   * Maps the Kafka source's columns (key, value, topic, partition, offset, timestamp, headers) to
   * the Bronze table's.
   *
   * <ul>
   *   <li>{@code value}: the payload as text; where the bytes are not valid UTF-8 the text has
   *       replacement characters and {@code value_bytes} keeps the exact bytes.
   *   <li>{@code ingested_at}: the micro-batch's time, the same for every row of a batch.
   * </ul>
   */
  public static Dataset<Row> toBronze(Dataset<Row> kafka) {
    Column text = col("value").cast("string");
    Column valid = is_valid_utf8(text);
    return kafka
        .withColumn("ingested_at", current_timestamp())
        .select(
            col("topic"),
            col("partition").as("kafka_partition"),
            col("offset").as("kafka_offset"),
            col("timestamp").as("kafka_ts"),
            col("ingested_at"),
            to_date(col("ingested_at")).as("ingest_date"),
            make_valid_utf8(col("key").cast("string")).as("key"),
            schemaVersion().as("schema_version"),
            when(valid, text).otherwise(make_valid_utf8(text)).as("value"),
            when(col("value").isNotNull().and(not(valid)), col("value")).as("value_bytes"),
            col("headers"));
  }

  /**
   * The last value of the schema-version header, as text (U+FFFD for bytes that are not UTF-8: the
   * exact bytes stay in {@code headers}); null when absent.
   */
  static Column schemaVersion() {
    return expr("try_element_at(transform(filter(headers, h -> h.key = '"
            + SCHEMA_VERSION_HEADER
            + "'), h -> make_valid_utf8(cast(h.value as string))), -1)")
        .cast("string")
        .as("schema_version");
  }
}
