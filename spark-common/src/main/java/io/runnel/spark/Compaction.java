package io.runnel.spark;

import io.delta.tables.DeltaOptimizeBuilder;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bin-packs a Delta table's small files, off the write path of the batch that made them: Delta's
 * inline auto-compaction rewrites a partition's small files after every commit that leaves two, so
 * a streaming job would rewrite the day's data again and again. The jobs call this on their own
 * schedule instead; the table's one writer (the job) is the only one that compacts it.
 */
public final class Compaction {
  private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);

  /** Files of this size and more are left alone, so a compaction does not rewrite its output. */
  private static final long MIN_FILE_BYTES = 32L << 20;

  /**
   * The compacted files' size: no larger than the batches a reader of the table takes (Silver's
   * RUNNEL_SILVER_MAX_MB_PER_TRIGGER, 64), since a streaming batch holds whole files.
   */
  private static final long MAX_FILE_BYTES = 64L << 20;

  private Compaction() {}

  /** Turns Delta's inline auto-compaction off for the session's writes. */
  public static void offTheWritePath(SparkSession spark) {
    spark.conf().set("spark.databricks.delta.autoCompact.enabled", "false");
  }

  /**
   * Compacts the small files of {@code table}, only in the partitions of yesterday and today when
   * {@code dateColumn} (its date partition column) is given: older partitions no longer grow.
   * Failures are logged, not thrown: the table stays as it was, and the next compaction tries
   * again.
   */
  public static void recent(SparkSession spark, String table, String dateColumn) {
    spark.conf().set("spark.databricks.delta.optimize.minFileSize", String.valueOf(MIN_FILE_BYTES));
    spark.conf().set("spark.databricks.delta.optimize.maxFileSize", String.valueOf(MAX_FILE_BYTES));
    try {
      long started = System.nanoTime();
      DeltaOptimizeBuilder optimize = DeltaTable.forPath(spark, table).optimize();
      if (dateColumn != null) {
        optimize = optimize.where(dateColumn + " >= date_sub(current_date(), 1)");
      }
      Row result = optimize.executeCompaction().first();
      Row metrics = result.getStruct(result.fieldIndex("metrics"));
      LOG.info(
          "compacted {} in {} ms: {} files into {}",
          table,
          (System.nanoTime() - started) / 1_000_000,
          metrics.<Object>getAs("numFilesRemoved"),
          metrics.<Object>getAs("numFilesAdded"));
    } catch (RuntimeException e) {
      LOG.warn("compacting {} failed: {}", table, e.toString());
    }
  }
}
