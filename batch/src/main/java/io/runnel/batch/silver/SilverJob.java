package io.runnel.batch.silver;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.runnel.batch.SilverTables;
import io.runnel.batch.SourceTables;
import io.runnel.common.BatchFailedException;
import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.Failpoint;
import io.runnel.common.Fence;
import io.runnel.common.Preflight;
import io.runnel.spark.Checkpoint;
import io.runnel.spark.Compaction;
import io.runnel.spark.Drain;
import io.runnel.spark.MetricsListener;
import io.runnel.spark.TableWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Bronze to Silver, incrementally and exactly once: each micro-batch of new Bronze rows is checked
 * against the named rules ({@link SilverRules}); valid events go into {@code silver/events} (one
 * row per event_id, the lowest Kafka coordinates win), product versions into {@code
 * silver/products_history} and {@code silver/products}, and every failed record into {@code
 * silver/events_quarantine} with all its reasons.
 *
 * <p>Each table write is a Delta transaction of the streaming query's id (kept in the checkpoint)
 * and the batch id ({@link SilverWriter}): a batch re-run after a crash skips the writes that
 * already committed and does the rest.
 *
 * <p>Run with {@code spark-submit --class io.runnel.batch.silver.SilverJob runnel-batch.jar
 * [--available-now]}; settings come from the environment ({@link SilverSettings}).
 */
public final class SilverJob {
  static final String NAME = "silver";
  private static final Logger LOG = LoggerFactory.getLogger(SilverJob.class);
  private static final List<String> UNIQUE_COLUMNS =
      List.of("event_id", "session_id", "ts", "kafka_ts", "source_offset");

  private final SparkSession spark;
  private final SilverSettings settings;
  private final SilverRules rules;
  private final Fence fence;
  private final BatchCounts total = new BatchCounts(0, 0, 0, 0, 0, 0, 0);

  /**
   * @param fence confirmed immediately before each commit: the job's writer lease ({@link
   *     io.runnel.spark.TableWriter})
   */
  SilverJob(SparkSession spark, SilverSettings settings, Fence fence) {
    this.spark = spark;
    this.settings = settings;
    this.fence = fence;
    this.rules = new SilverRules(settings.rules());
    // Compacted every few batches (compact), not by every commit that leaves two small files.
    Compaction.offTheWritePath(spark);
    // Nearly every event_id of a batch is unique: a partial row_number limit before the shuffle
    // would sort every row to drop the few duplicates (a tenth), then the shuffle sorts again.
    spark.conf().set("spark.sql.optimizer.windowGroupLimitThreshold", "-1");
    // A batch's events fall on a few dates: a writer per date instead of sorting the batch by date.
    // Past this many dates in one task, Spark sorts the rest.
    spark.conf().set("spark.sql.maxConcurrentOutputFileWriters", "4");
    // Columns (nearly) unique per row: a Parquet dictionary for them is built, found too large
    // and dropped, after hashing every value.
    for (String column : UNIQUE_COLUMNS) {
      spark
          .sparkContext()
          .hadoopConfiguration()
          .set("parquet.enable.dictionary#" + column, "false");
    }
  }

  public static void main(String[] args) {
    System.exit(Exits.execute("silver", new Cli(), args));
  }

  @Command(
      name = "silver",
      mixinStandardHelpOptions = true,
      description = "Validates, deduplicates and merges new Bronze rows into the Silver tables.")
  static final class Cli implements Callable<Integer> {
    @Option(
        names = "--available-now",
        description =
            "Process what Bronze holds now, then stop (default: run continuously; SIGUSR1 then drains: what is left, then stop).")
    boolean availableNow;

    @Option(
        names = "--replay-from",
        paramLabel = "INSTANT",
        description =
            "Reprocess the Bronze rows whose Kafka timestamp is in [--replay-from, --replay-to),"
                + " ISO-8601 (e.g. 2026-11-26T10:00:00Z), then stop. Idempotent: Silver changes"
                + " only where it was missing something.")
    Instant replayFrom;

    @Option(
        names = "--replay-to",
        paramLabel = "INSTANT",
        description = "End of the replay window.")
    Instant replayTo;

    @Override
    public Integer call() throws Exception {
      if ((replayFrom == null) != (replayTo == null)) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this), "--replay-from and --replay-to go together");
      }
      if (replayFrom != null && !replayFrom.isBefore(replayTo)) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this), "--replay-from must be before --replay-to");
      }
      SilverSettings settings =
          SilverSettings.fromEnv(Env.system(), availableNow || replayFrom != null);
      Preflight.s3Bucket(settings.s3(), settings.preflightTimeout());
      // One lease for the job's four tables, in their parent folder (SilverJob is their only
      // writer). Not inside a table's folder: Delta takes a non-empty folder for an existing table
      // and CREATE TABLE IF NOT EXISTS would silently do nothing.
      TableWriter.runClaimed(
          settings.s3(),
          settings.silverRoot(),
          NAME,
          settings.leaseTtl(),
          (spark, fence) -> {
            SilverJob job = new SilverJob(spark, settings, fence);
            if (replayFrom != null) {
              job.replay(replayFrom, replayTo);
            } else {
              job.run();
            }
          });
      return Exits.OK;
    }
  }

  /**
   * The Bronze table's location, once it and the Silver tables exist (a continuous run waits for
   * Bronze's first batch).
   */
  private String prepare(boolean waitForBronze) throws InterruptedException {
    String bronze = settings.s3().lakeUri(settings.bronzePath());
    SourceTables.await(spark, bronze, waitForBronze, "the Bronze table", "./runnel bronze");
    fence.confirm();
    for (SilverTables.Table t : SilverTables.ALL) {
      t.createIfMissing(spark, location(t));
    }
    return bronze;
  }

  /**
   * Reprocesses one window of Bronze (by Kafka timestamp) as a single batch, outside the streaming
   * checkpoint. The MERGEs keep Silver's winners and the quarantine keeps one row per Kafka record,
   * so a replay of rows Silver has already seen changes nothing; it only fills what is missing.
   */
  void replay(Instant from, Instant to) throws InterruptedException {
    String bronze = prepare(false);
    long started = System.nanoTime();
    Dataset<Row> window =
        spark
            .read()
            .format("delta")
            .load(bronze)
            .where(
                col("kafka_ts")
                    .geq(functions.lit(Timestamp.from(from)))
                    .and(col("kafka_ts").lt(functions.lit(Timestamp.from(to)))));
    // A fresh transaction id: Delta must not take this for a re-run of an earlier write.
    BatchCounts counts = write(window, "runnel-silver-replay-" + UUID.randomUUID(), 0, true);
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "silver: replay of [%s, %s): %,d Bronze rows re-read; %,d new events, %,d replaced"
            + " winners, %,d new product versions, %,d new quarantined rows%s; %.1f s%n",
        from,
        to,
        counts.read,
        counts.newEvents,
        counts.replacedWinners,
        counts.newProductVersions,
        counts.quarantined,
        counts.newEvents + counts.replacedWinners + counts.newProductVersions + counts.quarantined
                == 0
            ? ": Silver unchanged"
            : "",
        seconds);
  }

  void run() throws TimeoutException, StreamingQueryException, InterruptedException {
    String bronze = prepare(!settings.availableNow());
    MetricsListener metrics =
        new MetricsListener(spark, NAME, settings.s3().lakeUri(settings.metricsPath()));
    spark.streams().addListener(metrics);
    try {
      var reader = spark.readStream().format("delta");
      if (settings.maxFilesPerTrigger() > 0) {
        reader = reader.option("maxFilesPerTrigger", settings.maxFilesPerTrigger());
      }
      if (settings.maxMbPerTrigger() > 0) {
        // A backlog (Silver stopped while Bronze went on, or a first run over a large Bronze)
        // goes in batches of bounded size, not in one whose rows outgrow the driver's memory.
        reader = reader.option("maxBytesPerTrigger", settings.maxMbPerTrigger() + "m");
      }
      Dataset<Row> source = reader.load(bronze);
      boolean availableNow = settings.availableNow() || Drain.requested();
      LOG.info(
          "reading {} into {} ({})",
          bronze,
          settings.s3().lakeUri(settings.silverRoot()),
          availableNow
              ? "available now, then stop"
              : "every " + settings.triggerInterval().toMillis() + " ms; SIGUSR1 drains");
      long started = System.nanoTime();
      if (!availableNow && Drain.await(List.of(start(source, false)))) {
        LOG.info("draining: what Bronze holds now, then stop");
        availableNow = true;
      }
      if (availableNow) {
        start(source, true).awaitTermination();
      }
      System.out.println("silver: this run: " + total.describe(System.nanoTime() - started));
    } finally {
      metrics.flush();
      spark.streams().removeListener(metrics);
    }
  }

  private StreamingQuery start(Dataset<Row> bronze, boolean availableNow) throws TimeoutException {
    DataStreamWriter<Row> writer =
        Checkpoint.at(
                spark,
                bronze.writeStream().queryName(NAME),
                settings.s3().lakeUri(settings.checkpointPath()))
            .foreachBatch((VoidFunction2<Dataset<Row>, Long>) this::writeBatch);
    return writer
        .trigger(
            availableNow
                ? Trigger.AvailableNow()
                : Trigger.ProcessingTime(settings.triggerInterval().toMillis()))
        .start();
  }

  /** One micro-batch of the streaming query. */
  void writeBatch(Dataset<Row> bronze, long batchId) {
    String queryId = Checkpoint.queryId(bronze);
    BatchCounts counts;
    try {
      counts = write(bronze, "runnel-silver-" + queryId, batchId, false);
    } catch (RuntimeException e) {
      throw new BatchFailedException("batch " + batchId + " of " + BronzeCoordinates.of(bronze), e);
    }
    if (counts != null) {
      total.add(counts);
    }
    int every = settings.compactEveryBatches();
    if (every > 0 && (batchId + 1) % every == 0) {
      for (SilverTables.Table t : SilverTables.ALL) {
        fence.confirm();
        Compaction.recent(bronze.sparkSession(), location(t), t.partitionColumn());
      }
    }
  }

  /**
   * Checks the rows once, then writes each table idempotently ({@link SilverWriter}). A replay also
   * MERGEs the quarantine on the Kafka coordinates instead of appending. Returns what was written,
   * or null when there were no rows.
   */
  private BatchCounts write(Dataset<Row> bronze, String txnPrefix, long batchId, boolean replay) {
    long started = System.nanoTime();
    long[] lap = {started};
    SparkSession session = bronze.sparkSession();
    Timestamp silverAt = Timestamp.from(Instant.now());
    Materialized kept =
        Materialized.of(
            SilverTransforms.check(
                bronze, rules, settings.eventTopics(), settings.productTopics()));
    Dataset<Row> checked = kept.rows();
    try {
      // The batch's first read: it runs the rules and keeps the rows (Materialized).
      Row kinds =
          checked
              .selectExpr(
                  "count(*)",
                  "count_if(kind = 'event')",
                  "count_if(kind = 'product')",
                  "count_if(kind = 'bad')")
              .first();
      long read = kinds.getLong(0);
      if (read == 0) {
        return null;
      }
      String timings = "check " + lap(lap);
      // A table without rows in this batch is not written (every Delta commit costs seconds);
      // whether it is skipped depends on the batch's rows only, so a replay skips it too.
      SilverWriter writer = new SilverWriter(session, txnPrefix, batchId, fence);
      // The quarantine's few rows are written beside the events: its commit is mostly waiting on
      // S3, which the events' CPU-bound write fills.
      long badRows = kinds.getLong(3);
      ExecutorService beside = Executors.newSingleThreadExecutor();
      Future<Long> quarantined;
      try {
        quarantined =
            badRows == 0
                ? CompletableFuture.completedFuture(0L)
                : beside.submit(
                    () -> {
                      Dataset<Row> bad = SilverTransforms.quarantine(checked, silverAt);
                      return replay
                          ? writer.other(
                              SilverTables.QUARANTINE, () -> mergeQuarantine(session, bad))
                          : writer.append(
                              SilverTables.QUARANTINE,
                              location(SilverTables.QUARANTINE),
                              bad,
                              badRows);
                    });
      } finally {
        beside.shutdown();
      }
      SilverWriter.Written events = new SilverWriter.Written(0, 0);
      try {
        if (kinds.getLong(1) > 0) {
          events =
              writer.winners(
                  SilverTables.EVENTS,
                  location(SilverTables.EVENTS),
                  SilverTransforms.events(checked, silverAt));
        }
      } catch (RuntimeException e) {
        // The batch fails; the quarantine's write ends first (the kept batch is freed after it).
        try {
          done(quarantined);
        } catch (RuntimeException also) {
          e.addSuppressed(also);
        }
        throw e;
      }
      Failpoint.reach("silver.after-events", batchId);
      timings += ", events " + lap(lap);
      long quarantinedRows = done(quarantined);
      Failpoint.reach("silver.after-quarantine", batchId);
      timings += ", quarantine " + lap(lap);

      SilverWriter.Written versions = new SilverWriter.Written(0, 0);
      if (kinds.getLong(2) > 0) {
        Dataset<Row> productVersions = SilverTransforms.productVersions(checked, silverAt);
        versions =
            writer.winners(
                SilverTables.PRODUCTS_HISTORY,
                location(SilverTables.PRODUCTS_HISTORY),
                productVersions);
        writer.other(
            SilverTables.PRODUCTS,
            () -> {
              mergeLatestProducts(session, SilverTransforms.latestProducts(productVersions));
              return null;
            });
      }
      timings += ", products " + lap(lap);
      BatchCounts counts =
          new BatchCounts(
              read,
              events.inserted(),
              events.replaced(),
              versions.inserted(),
              quarantinedRows,
              kinds.getLong(1) - events.inserted() + kinds.getLong(2) - versions.inserted(),
              1);
      LOG.info(
          "batch {}: {} in {} ms ({})",
          batchId,
          counts.describe(),
          (System.nanoTime() - started) / 1_000_000,
          timings);
      return counts;
    } finally {
      kept.close();
    }
  }

  /** The result of a write beside the batch's thread, its failure as the batch's failure. */
  private static long done(Future<Long> write) {
    try {
      return write.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    }
  }

  /** Milliseconds since the last lap, as text; starts the next lap. */
  private static String lap(long[] last) {
    long now = System.nanoTime();
    String ms = (now - last[0]) / 1_000_000 + " ms";
    last[0] = now;
    return ms;
  }

  /** One row per Kafka record: a replayed bad record that is already quarantined is not added. */
  private long mergeQuarantine(SparkSession session, Dataset<Row> bad) {
    List<Row> m =
        DeltaTable.forPath(session, location(SilverTables.QUARANTINE))
            .as("t")
            .merge(
                bad.as("s"),
                "t.source_topic = s.source_topic AND t.source_partition = s.source_partition"
                    + " AND t.source_offset = s.source_offset")
            .whenNotMatched()
            .insertAll()
            .execute()
            .collectAsList();
    return m.isEmpty() ? 0 : m.get(0).<Long>getAs("num_inserted_rows");
  }

  private void mergeLatestProducts(SparkSession session, Dataset<Row> latest) {
    DeltaTable.forPath(session, location(SilverTables.PRODUCTS))
        .as("t")
        .merge(latest.as("s"), "t.product_id = s.product_id")
        .whenMatched(
            col("s.updated_at")
                .gt(col("t.updated_at"))
                .or(
                    col("s.updated_at")
                        .equalTo(col("t.updated_at"))
                        .and(SilverTransforms.earlier("s", "t"))))
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  private String location(SilverTables.Table table) {
    return settings.s3().lakeUri(table.path(settings.silverRoot()));
  }

  /** What a batch (or a run) did with the Bronze rows it read. */
  static final class BatchCounts {
    long read;
    long newEvents;
    long replacedWinners;
    long newProductVersions;
    long quarantined;
    long duplicates;
    long batches;

    BatchCounts(
        long read,
        long newEvents,
        long replacedWinners,
        long newProductVersions,
        long quarantined,
        long duplicates,
        long batches) {
      this.read = read;
      this.newEvents = newEvents;
      this.replacedWinners = replacedWinners;
      this.newProductVersions = newProductVersions;
      this.quarantined = quarantined;
      this.duplicates = duplicates;
      this.batches = batches;
    }

    synchronized void add(BatchCounts b) {
      read += b.read;
      newEvents += b.newEvents;
      replacedWinners += b.replacedWinners;
      newProductVersions += b.newProductVersions;
      quarantined += b.quarantined;
      duplicates += b.duplicates;
      batches += b.batches;
    }

    /** Bronze rows read = new events + new product versions + quarantined + duplicates. */
    synchronized String describe() {
      return String.format(
          "%,d Bronze rows read in %,d batches = %,d new events + %,d new product versions + %,d"
              + " quarantined + %,d duplicates collapsed (%,d of them replaced an earlier winner)",
          read, batches, newEvents, newProductVersions, quarantined, duplicates, replacedWinners);
    }

    /** The same, with the time the run took and its rate. */
    synchronized String describe(long nanos) {
      double seconds = nanos / 1e9;
      return String.format(
          "%s; %.1f s, %,.0f rows/s", describe(), seconds, seconds > 0 ? read / seconds : 0.0);
    }
  }
}
