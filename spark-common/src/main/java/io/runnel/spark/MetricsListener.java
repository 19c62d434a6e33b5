package io.runnel.spark;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * <p>The append happens off the listener thread (a Spark action must not block the listener bus)
 * and is idempotent: Delta's {@code txnAppId}/{@code txnVersion} record each (query, batch), so a
 * batch replayed after a crash is not counted twice.
 */
public final class MetricsListener extends StreamingQueryListener {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsListener.class);

  private final SparkSession spark;
  private final String job;
  private final String metricsTable;
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "runnel-metrics-writer");
            t.setDaemon(true);
            return t;
          });

  public MetricsListener(SparkSession spark, String job, String metricsTable) {
    this.spark = spark;
    this.job = job;
    this.metricsTable = metricsTable;
  }

  /** Pure: the figures of one progress report. */
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
        job,
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
    writer.submit(() -> append(m));
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

  /** Waits for the pending appends; call before stopping the session. */
  public void flush() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("metrics of the last batches were not written within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void append(BatchMetrics m) {
    try {
      spark
          .createDataFrame(BatchMetrics.rows(List.of(m), Instant.now()), BatchMetrics.SCHEMA)
          .write()
          .format("delta")
          .mode("append")
          .option("txnAppId", "runnel-metrics-" + m.queryId())
          .option("txnVersion", m.batchId())
          .save(metricsTable);
    } catch (RuntimeException e) {
      // Metrics must never stop the pipeline.
      LOG.warn("could not record metrics of {} batch {}: {}", job, m.batchId(), e.toString());
    }
  }

  private static double finite(double d) {
    return Double.isFinite(d) ? d : 0;
  }
}
