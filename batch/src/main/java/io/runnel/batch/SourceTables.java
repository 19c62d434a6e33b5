package io.runnel.batch;

import io.delta.tables.DeltaTable;
import io.runnel.common.ServiceUnavailableException;
import java.time.Duration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Delta table a job reads, which the job upstream creates with its first batch. */
public final class SourceTables {
  private static final Logger LOG = LoggerFactory.getLogger(SourceTables.class);
  private static final Duration POLL = Duration.ofSeconds(2);

  private SourceTables() {}

  /**
   * Returns once {@code location} is a Delta table. A run that drains and stops fails at once
   * instead (there is nothing to drain); a continuous run waits, because the upstream job started
   * beside it (as {@code ./runnel demo --continuous} does) creates the table with its first batch.
   *
   * @param what the table for people, e.g. "the Bronze table"
   * @param upstream the command that creates it, e.g. "./runnel bronze"
   */
  public static void await(
      SparkSession spark, String location, boolean wait, String what, String upstream)
      throws InterruptedException {
    if (exists(spark, location)) {
      return;
    }
    String missing = what + " " + location + " does not exist yet";
    if (!wait) {
      throw new ServiceUnavailableException(missing + ": run " + upstream + " first");
    }
    LOG.info("{}: waiting for {} to create it", missing, upstream);
    long since = System.nanoTime();
    while (!exists(spark, location)) {
      Thread.sleep(POLL.toMillis());
    }
    LOG.info(
        "{} {} exists now (waited {} s)",
        what,
        location,
        Duration.ofNanos(System.nanoTime() - since).toSeconds());
  }

  /**
   * Whether {@code location} holds a committed Delta table now. Delta caches a table's log per
   * path, and a log first seen between the upstream job's creating {@code _delta_log} and its first
   * commit stays at "no table" for good; so the cached log is dropped before each look.
   */
  static boolean exists(SparkSession spark, String location) {
    DeltaLog.invalidateCache(spark, new Path(location));
    return DeltaTable.isDeltaTable(spark, location);
  }
}
