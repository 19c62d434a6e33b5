package io.runnel.spark;

import io.runnel.common.S3Settings;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session every job uses: S3A and Delta configured from {@link S3Settings}. The master is
 * never set here; {@code spark-submit} decides where the job runs.
 */
public final class LakeSession {
  /** The Parquet row-group size of every table Runnel writes. */
  public static final long ROW_GROUP_BYTES = 16L << 20;

  private LakeSession() {}

  public static SparkSession create(String appName, S3Settings s3) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    s3.sparkConf().forEach(builder::config);
    // Trino 476 reads Runnel's tables: keep table features it reads (deletion vectors have given
    // wrong results in its connector), and compact small files as the job writes them.
    builder.config("spark.databricks.delta.properties.defaults.enableDeletionVectors", "false");
    builder.config("spark.databricks.delta.autoCompact.enabled", "true");
    // Parquet row groups of 16 MB (not 128): a reader splits a file only between row groups, so a
    // compacted file of one big group is read by one task, on one core, by every job downstream.
    builder.config("spark.hadoop.parquet.block.size", String.valueOf(ROW_GROUP_BYTES));
    // Dates derived from timestamps (ingest_date, event_date) are UTC dates on every machine.
    builder.config("spark.sql.session.timeZone", "UTC");
    return builder.getOrCreate();
  }
}
