package io.runnel.batch.silver;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * A Dataset computed once and kept as rows (memory, then disk) until closed: a local checkpoint.
 * Cheaper than {@link Dataset#persist()} for data read a few times in full: the rows are kept as
 * they come, not re-encoded into compressed columns with statistics. Like a cache on local disk,
 * the rows are lost with their executor; the batch then fails and runs again from the streaming
 * checkpoint.
 */
final class Materialized implements AutoCloseable {
  private final Dataset<Row> rows;

  private Materialized(Dataset<Row> rows) {
    this.rows = rows;
  }

  /**
   * Keeps {@code dataset} as it is computed by the first action on {@link #rows()}, which must read
   * every partition (a count, not a {@code first()}): no job of its own, no extra pass.
   */
  static Materialized of(Dataset<Row> dataset) {
    return new Materialized(dataset.localCheckpoint(false, StorageLevel.MEMORY_AND_DISK()));
  }

  Dataset<Row> rows() {
    return rows;
  }

  /** Frees the rows' blocks now, not when the garbage collector finds the RDD unused. */
  @Override
  public void close() {
    if (rows.queryExecution().logical() instanceof LogicalRDD r) {
      r.rdd().unpersist(false);
    }
  }
}
