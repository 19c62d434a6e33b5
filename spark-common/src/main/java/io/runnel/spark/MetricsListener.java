package io.runnel.spark;

import io.delta.tables.DeltaTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every micro-batch (rows, rows/s, duration, Kafka lag) and appends the same figures to the
 * job's metrics Delta table, which the pipeline-health dashboard reads.
 *
 * <p>Appends happen off the listener thread (a Spark action must not block the listener bus),
 * batched: one Delta commit every {@link #FLUSH_INTERVAL} at most, not one per micro-batch (a
 * commit per batch cost the job a noticeable share of its CPU). They are idempotent: Delta's {@code
 * txnAppId}/{@code txnVersion} record the newest (query, batch) written, so a batch replayed after
 * a crash is not counted twice. A crash can lose the figures not yet flushed; they are metrics, not
 * data.
 */
public final class MetricsListener extends StreamingQueryListener {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsListener.class);

  private final SparkSession spark;
  private final String job;
  private final String metricsTable;
  static final Duration FLUSH_INTERVAL = Duration.ofSeconds(10);

  private final ScheduledExecutorService writer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "runnel-metrics-writer");
            t.setDaemon(true);
            return t;
          });
  private final ConcurrentLinkedQueue<BatchMetrics> pending = new ConcurrentLinkedQueue<>();

  public MetricsListener(SparkSession spark, String job, String metricsTable) {
    this.spark = spark;
    this.job = job;
    this.metricsTable = metricsTable;
    createIfMissing();
    long every = FLUSH_INTERVAL.toMillis();
    writer.scheduleWithFixedDelay(this::append, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Pure: the figures of one progress report, labelled with the query's name when it has one (a job
   * with one query per table names each query; the others name their query after the job).
   */
  public static BatchMetrics metricsOf(String job, StreamingQueryProgress p) {
    long lag = -1;
    for (SourceProgress source : p.sources()) {
      long sourceLag = KafkaLag.between(source.endOffset(), source.latestOffset());
      if (sourceLag >= 0) {
        lag = Math.max(lag, 0) + sourceLag;
      }
    }
    Long duration = p.durationMs().get("triggerExecution");
    long rowsOut = p.sink() == null ? -1 : p.sink().numOutputRows();
    return new BatchMetrics(
        p.name() == null || p.name().isBlank() ? job : p.name(),
        p.id().toString(),
        p.runId().toString(),
        p.batchId(),
        Instant.parse(p.timestamp()),
        p.numInputRows(),
        rowsOut,
        finite(p.inputRowsPerSecond()),
        finite(p.processedRowsPerSecond()),
        duration == null ? 0 : duration,
        lag);
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {
    LOG.info("{} started (query {}, run {})", job, event.id(), event.runId());
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    BatchMetrics m = metricsOf(job, event.progress());
    if (m.rowsIn() == 0 && m.kafkaLag() <= 0) {
      return; // an idle trigger: nothing worth a row
    }
    LOG.info("{} {}", m.logLine(), event.progress().durationMs());
    pending.add(m);
  }

  @Override
  public void onQueryIdle(QueryIdleEvent event) {}

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {
    if (event.exception().isDefined()) {
      LOG.error("{} stopped with an error: {}", job, event.exception().get());
    } else {
      LOG.info("{} stopped", job);
    }
  }

  /** Writes what is pending and stops the writer; call before stopping the session. */
  public void flush() {
    writer.submit(this::append);
    writer.shutdown();
    try {
      if (!writer.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("metrics of the last batches were not written within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The table exists, empty, before the first batch: Trino and the pipeline-health dashboard read
   * it whether or not a batch's figures were ever flushed (a job stopped within its first flush
   * interval, or a run whose only batch was one already loaded, records none).
   */
  private void createIfMissing() {
    try {
      if (!DeltaTable.isDeltaTable(spark, metricsTable)) {
        spark
            .createDataFrame(List.<Row>of(), BatchMetrics.SCHEMA)
            .write()
            .format("delta")
            .mode("append")
            .save(metricsTable);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not create the metrics table {}: {}", metricsTable, e.toString());
    }
  }

  private void append() {
    List<BatchMetrics> batch = new ArrayList<>();
    for (BatchMetrics m; (m = pending.poll()) != null; ) {
      batch.add(m);
    }
    if (batch.isEmpty()) {
      return;
    }
    BatchMetrics newest = batch.get(batch.size() - 1);
    try {
      spark
          .createDataFrame(BatchMetrics.rows(batch, Instant.now()), BatchMetrics.SCHEMA)
          .coalesce(1)
          .write()
          .format("delta")
          .mode("append")
          .option("txnAppId", "runnel-metrics-" + newest.queryId())
          .option("txnVersion", newest.batchId())
          .save(metricsTable);
    } catch (RuntimeException e) {
      // Metrics must never stop the pipeline.
      LOG.warn(
          "could not record metrics of {} batches {}..{}: {}",
          job,
          batch.get(0).batchId(),
          newest.batchId(),
          e.toString());
    }
  }

  private static double finite(double d) {
    return Double.isFinite(d) ? d : 0;
  }
}
