package io.runnel.spark.testing;

import org.apache.spark.sql.SparkSession;

/** A one-core Spark session with Delta, on local files, for the unit tests of Delta logic. */
public final class LocalSpark {
  private LocalSpark() {}

  public static SparkSession start(String appName) {
    return SparkSession.builder()
        .master("local[1]")
        .appName(appName)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        // One partition each: tiny tables, and Delta's default of 50 costs seconds per snapshot.
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
  }
}
