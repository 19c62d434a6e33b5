package io.runnel.streaming;

import io.delta.tables.DeltaTable;
import io.runnel.common.BronzeCheckpoint;
import io.runnel.common.DataLossException;
import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.Fence;
import io.runnel.common.KafkaDataLoss;
import io.runnel.common.KafkaOffsets;
import io.runnel.common.Preflight;
import io.runnel.spark.Checkpoint;
import io.runnel.spark.Compaction;
import io.runnel.spark.Drain;
import io.runnel.spark.MetricsListener;
import io.runnel.spark.TableWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Kafka to the Bronze Delta table, exactly once and lossless. Every Kafka record becomes one row
 * (malformed or not); each micro-batch is one Delta commit that records the streaming query's id
 * and the batch id (as Delta's own streaming sink does, so tables that sink wrote go on), and a
 * batch re-run after a crash is skipped rather than written twice.
 *
 * <p>Fencing (issue 21): every commit this driver makes, each micro-batch and each compaction,
 * confirms the writer lease first, so a writer paused past its lease commits nothing once it
 * resumes (README, "One writer per table").
 *
 * <p>Run with {@code spark-submit --class io.runnel.streaming.BronzeIngestJob runnel-streaming.jar
 * [--available-now]}; settings come from the environment ({@link BronzeSettings}).
 */
public final class BronzeIngestJob {
  static final String NAME = "bronze_ingest";
  private static final Logger LOG = LoggerFactory.getLogger(BronzeIngestJob.class);

  private final SparkSession spark;
  private final BronzeSettings settings;
  private final Fence fence;

  /**
   * @param fence confirmed before each commit (micro-batch or compaction): the job's writer lease
   */
  BronzeIngestJob(SparkSession spark, BronzeSettings settings, Fence fence) {
    this.spark = spark;
    this.settings = settings;
    this.fence = fence;
  }

  public static void main(String[] args) {
    System.exit(Exits.execute("bronze", new Cli(), args));
  }

  @Command(
      name = "bronze",
      mixinStandardHelpOptions = true,
      description = "Streams the event topics from Kafka into the Bronze Delta table.")
  static final class Cli implements Callable<Integer> {
    @Option(
        names = "--available-now",
        description =
            "Ingest what Kafka holds now, then stop (default: run continuously; SIGUSR1 then drains: what is left, then stop).")
    boolean availableNow;

    @Override
    public Integer call() throws Exception {
      BronzeSettings settings = BronzeSettings.fromEnv(Env.system(), availableNow);
      Duration wait = settings.preflightTimeout();
      Preflight.kafka(settings.kafkaBootstrap(), BronzeSettings.BOOTSTRAP, settings.topics(), wait);
      Preflight.s3Bucket(settings.s3(), wait);
      TableWriter.runClaimed(
          settings.s3(),
          settings.tablePath(),
          NAME,
          settings.leaseTtl(),
          (spark, fence) -> new BronzeIngestJob(spark, settings, fence).run());
      return Exits.OK;
    }
  }

  /** Runs the query until it stops (available-now) or fails; returns normally on a clean stop. */
  void run() throws TimeoutException, StreamingQueryException {
    String table = settings.s3().lakeUri(settings.tablePath());
    MetricsListener metrics =
        new MetricsListener(spark, NAME, settings.s3().lakeUri(settings.metricsPath()));
    spark.streams().addListener(metrics);
    // Compaction off the write path: inline auto-compaction stalls the batch that triggers it
    // for seconds, which is what a freshness p99 sees. The same driver compacts on a timer
    // instead (one writer per table still holds: it is this job).
    Compaction.offTheWritePath(spark);
    ScheduledExecutorService compactor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "runnel-bronze-compaction");
              t.setDaemon(true);
              return t;
            });
    if (!settings.availableNow()) {
      long every = settings.compactionInterval().toSeconds();
      compactor.scheduleWithFixedDelay(() -> compact(table), every, every, TimeUnit.SECONDS);
    }
    try {
      Dataset<Row> bronze = BronzeTransforms.toBronze(source());
      // Statistics only on the leading columns readers filter on (coordinates and times): the
      // payload's min/max is useless and costs CPU on every batch. Applies when the first batch
      // creates the table.
      spark
          .conf()
          .set(
              "spark.databricks.delta.properties.defaults.dataSkippingNumIndexedCols",
              String.valueOf(BronzeTransforms.INDEXED_COLUMNS));
      // Each value is unique: a dictionary for it is built, found useless and dropped, per page.
      spark.sparkContext().hadoopConfiguration().set("parquet.enable.dictionary#value", "false");
      // Before the query starts: a gap Kafka left is reported here with what to do, and nothing
      // is written.
      failOnDataLoss();
      boolean availableNow = settings.availableNow() || Drain.requested();
      LOG.info(
          "ingesting {} from {} into {} ({})",
          settings.topics(),
          settings.kafkaBootstrap(),
          table,
          availableNow
              ? "available now, then stop"
              : "every " + settings.triggerInterval().toMillis() + " ms; SIGUSR1 drains");
      if (!availableNow && await(writer(bronze, table, false).start(), true)) {
        LOG.info("draining: what Kafka holds now, then stop");
        availableNow = true;
      }
      if (availableNow) {
        await(writer(bronze, table, true).start(), false);
        compact(table);
        reconcile(table);
      }
    } finally {
      compactor.shutdownNow();
      metrics.flush();
      spark.streams().removeListener(metrics);
    }
  }

  /**
   * Until the query ends, or (when {@code drainable}) a drain is asked for: then true, the query
   * stopped between two batches.
   */
  private boolean await(StreamingQuery query, boolean drainable)
      throws TimeoutException, StreamingQueryException {
    try {
      if (drainable) {
        return Drain.await(List.of(query));
      }
      query.awaitTermination();
      return false;
    } catch (StreamingQueryException e) {
      // Retention overtook a running Bronze: Spark's own error (failOnDataLoss) names no way on;
      // measure the gap and say it in the one line.
      if (String.valueOf(e.getMessage()).contains("KAFKA_DATA_LOSS")) {
        failOnDataLoss();
      }
      throw e;
    }
  }

  /**
   * One micro-batch, one Delta commit, after the writer lease is confirmed. The transaction is the
   * one Delta's streaming sink writes (application id = the query's id, version = the batch id):
   * Delta skips a batch already committed under it, whether this code or that sink committed it.
   */
  void append(Dataset<Row> batch, long batchId, String table) {
    String queryId = Checkpoint.queryId(batch);
    fence.confirm();
    batch
        .write()
        .format("delta")
        .mode("append")
        .partitionBy("ingest_date")
        .option("txnAppId", queryId)
        .option("txnVersion", batchId)
        .save(table);
  }

  /**
   * Stops with a {@link DataLossException} when Kafka no longer holds records between where this
   * checkpoint resumes and Kafka's earliest offsets (retention, or deleteRecords, overtook Bronze):
   * never a silent gap. Spark would fail too (failOnDataLoss), but without naming the lost ranges
   * or a way on.
   */
  void failOnDataLoss() {
    Map<TopicPartition, Long> resume;
    try (S3Client client = settings.s3().newClient()) {
      resume =
          BronzeCheckpoint.read(client, settings.s3().bucket(), settings.checkpointPath())
              .offsets();
    }
    if (resume.isEmpty()) {
      return; // a new checkpoint starts at startingOffsets: nothing read yet, nothing lost
    }
    KafkaOffsets now =
        KafkaOffsets.read(
            settings.kafkaBootstrap(),
            BronzeSettings.BOOTSTRAP,
            settings.topics(),
            settings.preflightTimeout());
    List<KafkaDataLoss.Gap> gaps = KafkaDataLoss.gaps(resume, now.earliest());
    if (!gaps.isEmpty()) {
      throw new DataLossException(
          KafkaDataLoss.line(
              gaps, resume, now.earliest(), settings.checkpointPath(), Instant.now()));
    }
  }

  /** Bin-packs the small files of yesterday's and today's partitions (the ones still growing). */
  void compact(String table) {
    if (DeltaTable.isDeltaTable(spark, table)) {
      fence.confirm();
      Compaction.recent(spark, table, "ingest_date");
    }
  }

  /**
   * After an available-now run Bronze should hold one row per Kafka record: says whether it does.
   * (After Kafka retention deleted old records, Bronze holds more; that is expected.)
   */
  void reconcile(String table) {
    try {
      long rows = spark.read().format("delta").load(table).count();
      long records = KafkaRecordCount.of(settings.kafkaBootstrap(), settings.topics());
      String verdict =
          rows == records
              ? "in agreement"
              : rows > records
                  ? "Bronze holds more (Kafka retention has deleted " + (rows - records) + ")"
                  : "MISSING " + (records - rows) + " rows";
      System.out.printf(
          "bronze: %,d rows in %s; %,d records in Kafka topics %s: %s%n",
          rows, table, records, settings.topics(), verdict);
    } catch (Exception e) {
      LOG.warn("could not reconcile Bronze with Kafka: {}", e.toString());
    }
  }

  Dataset<Row> source() {
    var reader =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", settings.kafkaBootstrap())
            .option("subscribe", String.join(",", settings.topics()))
            .option("startingOffsets", settings.startingOffsets())
            // Records expired from Kafka before Bronze read them are an error, never a silent gap.
            .option("failOnDataLoss", "true")
            .option("includeHeaders", "true");
    if (settings.maxOffsetsPerTrigger() > 0) {
      reader = reader.option("maxOffsetsPerTrigger", settings.maxOffsetsPerTrigger());
    }
    return reader.load();
  }

  DataStreamWriter<Row> writer(Dataset<Row> bronze, String table, boolean availableNow) {
    DataStreamWriter<Row> w =
        Checkpoint.at(
            spark,
            bronze
                .writeStream()
                .queryName(NAME)
                .foreachBatch(
                    (VoidFunction2<Dataset<Row>, Long>)
                        (batch, batchId) -> append(batch, batchId, table)),
            // On the same S3 store as the table: the checkpoint and the table move together.
            settings.s3().lakeUri(settings.checkpointPath()));
    return availableNow
        ? w.trigger(Trigger.AvailableNow())
        : w.trigger(Trigger.ProcessingTime(settings.triggerInterval().toMillis()));
  }
}
