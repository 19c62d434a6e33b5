package io.runnel.spark.testing;

import io.runnel.common.S3Settings;
import io.runnel.spark.LakeSession;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session integration tests read (and write) the lake with in their own JVM: the jobs'
 * lake session on one local core, without a UI, with one shuffle and snapshot partition (tables in
 * tests are small; more partitions only add scheduling time).
 */
public final class TestLakeSession {
  private TestLakeSession() {}

  public static SparkSession create(String name, S3Settings s3) {
    System.setProperty("spark.master", "local[1]");
    System.setProperty("spark.ui.enabled", "false");
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.sql.shuffle.partitions", "1");
    System.setProperty("spark.databricks.delta.snapshotPartitions", "1");
    return LakeSession.create(name, s3);
  }
}
