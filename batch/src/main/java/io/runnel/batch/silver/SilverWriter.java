package io.runnel.batch.silver;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.runnel.batch.SilverTables;
import io.runnel.common.Failpoint;
import io.runnel.common.Fence;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Silver table writes of one batch, each idempotent. Every commit is a Delta transaction
 * ({@code txnAppId} = the batch's prefix + table + part, {@code txnVersion} = the batch id): if a
 * crash interrupted the batch after a commit, Delta skips that write when the batch runs again. The
 * same id goes into the commit's {@code userMetadata}, so that the re-run finds what the earlier
 * attempt wrote and reports the same counts.
 *
 * <p>Each commit is preceded by {@link Fence#confirm}: a writer paused past its lease, whose
 * successor has taken over, commits nothing.
 */
final class SilverWriter {
  private static final Logger LOG = LoggerFactory.getLogger(SilverWriter.class);
  private static final String TXN_APP_ID = "spark.databricks.delta.write.txnAppId";
  private static final String TXN_VERSION = "spark.databricks.delta.write.txnVersion";
  private static final String USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata";

  /** An earlier attempt's commits are among a table's latest: its only writer is this job. */
  private static final int HISTORY_DEPTH = 20;

  private final SparkSession session;
  private final String txnPrefix;
  private final long batchId;
  private final Fence fence;

  /** What a keyed write did: rows inserted under new keys, and earlier winners replaced. */
  record Written(long inserted, long replaced) {}

  SilverWriter(SparkSession session, String txnPrefix, long batchId, Fence fence) {
    this.session = session;
    this.txnPrefix = txnPrefix;
    this.batchId = batchId;
    this.fence = fence;
  }

  /**
   * Writes one row per key into a table keyed by {@code table.key()}, the lowest Kafka coordinates
   * winning, within the batch and against the table. New keys (nearly every row) are appended: a
   * blind append writes each row once and no change-data files. The few rows that replace a winner
   * with later coordinates are MERGEd, in a commit of their own.
   */
  Written winners(SilverTables.Table table, String location, Dataset<Row> rows) {
    Materialized kept =
        Materialized.of(
            SilverTransforms.classify(
                SilverTransforms.winners(rows, table.key()),
                DeltaTable.forPath(session, location).toDF(),
                table.key()));
    Dataset<Row> classified = kept.rows();
    try {
      // The first read of the winners: it ranks, classifies and keeps them (Materialized).
      Map<String, Long> byStatus = new HashMap<>();
      for (Row r : classified.groupBy(SilverTransforms.STATUS).count().collectAsList()) {
        byStatus.put(r.getString(0), r.getLong(1));
      }
      // Rows already in the table are this batch's own when an earlier attempt committed it (or a
      // replay's); only then is the history worth reading.
      Map<String, Map<String, String>> committed =
          byStatus.getOrDefault(SilverTransforms.PRESENT, 0L) > 0 ? committed(location) : Map.of();
      long inserted =
          once(
              table.name() + "-new",
              committed,
              "numOutputRows",
              byStatus.getOrDefault(SilverTransforms.NEW, 0L),
              appId -> {
                append(rowsWith(classified, SilverTransforms.NEW), location, appId);
                return byStatus.get(SilverTransforms.NEW);
              });
      Failpoint.reach("silver." + table.name() + ".after-new", batchId);
      long replaced =
          once(
              table.name() + "-replaced",
              committed,
              "numTargetRowsUpdated",
              byStatus.getOrDefault(SilverTransforms.REPLACES, 0L),
              appId ->
                  inTransaction(
                      appId,
                      () ->
                          replace(
                              table, location, rowsWith(classified, SilverTransforms.REPLACES))));
      return new Written(inserted, replaced);
    } finally {
      kept.close();
    }
  }

  /**
   * Appends rows to a table (the quarantine: one row per Kafka record). Its transaction is in the
   * writer's options, not the session's, so it may run beside another write of the batch.
   */
  long append(SilverTables.Table table, String location, Dataset<Row> rows, long count) {
    append(rows, location, txnPrefix + "-" + table.name());
    return count;
  }

  /** Runs any other write (a MERGE) as this batch's transaction on the table. */
  <T> T other(SilverTables.Table table, Supplier<T> write) {
    return inTransaction(txnPrefix + "-" + table.name(), write);
  }

  private void append(Dataset<Row> rows, String location, String appId) {
    fence.confirm();
    rows.write()
        .format("delta")
        .mode("append")
        .option("txnAppId", appId)
        .option("txnVersion", batchId)
        .option("userMetadata", tag(appId))
        .save(location);
  }

  /**
   * Runs a MERGE as a transaction of the batch: a MERGE takes its transaction from the session's
   * settings only. Synchronized: one such write at a time.
   */
  private synchronized <T> T inTransaction(String appId, Supplier<T> write) {
    fence.confirm();
    session.conf().set(TXN_APP_ID, appId);
    session.conf().set(TXN_VERSION, String.valueOf(batchId));
    session.conf().set(USER_METADATA, tag(appId));
    try {
      return write.get();
    } finally {
      session.conf().unset(TXN_APP_ID);
      session.conf().unset(TXN_VERSION);
      session.conf().unset(USER_METADATA);
    }
  }

  private long replace(SilverTables.Table table, String location, Dataset<Row> winners) {
    List<Row> m =
        DeltaTable.forPath(session, location)
            .as("t")
            .merge(
                winners.as("s"),
                SilverTransforms.equal(table.key(), c -> col("t." + c), c -> col("s." + c)))
            // Checked again at commit time: the table is the one the rows were classified against
            // unless another writer broke the one-writer lease.
            .whenMatched(SilverTransforms.earlier("s", "t"))
            .updateAll()
            .execute()
            .collectAsList();
    return m.isEmpty() ? 0 : m.get(0).<Long>getAs("num_updated_rows");
  }

  /**
   * One commit of this batch: skipped, with the earlier attempt's {@code metric}, when that attempt
   * committed it; skipped when there are no rows; else written (given its transaction id).
   */
  private long once(
      String part,
      Map<String, Map<String, String>> committed,
      String metric,
      long rows,
      ToLongFunction<String> write) {
    String appId = txnPrefix + "-" + part;
    Map<String, String> before = committed.get(tag(appId));
    if (before != null) {
      LOG.info("{}: committed before a restart in batch {}; not repeated", part, batchId);
      return Long.parseLong(before.getOrDefault(metric, "0"));
    }
    return rows == 0 ? 0 : write.applyAsLong(appId);
  }

  /** This batch's commits among the table's latest, by their userMetadata: their metrics. */
  private Map<String, Map<String, String>> committed(String location) {
    Map<String, Map<String, String>> found = new HashMap<>();
    for (Row r :
        DeltaTable.forPath(session, location)
            .history(HISTORY_DEPTH)
            .where(col("userMetadata").endsWith("@" + batchId))
            .select("userMetadata", "operationMetrics")
            .collectAsList()) {
      found.put(r.getString(0), r.getJavaMap(1));
    }
    return found;
  }

  private static Dataset<Row> rowsWith(Dataset<Row> classified, String status) {
    return classified
        .where(col(SilverTransforms.STATUS).equalTo(status))
        .drop(SilverTransforms.STATUS);
  }

  private String tag(String appId) {
    return appId + "@" + batchId;
  }
}
