package io.runnel.batch.warehouse;

import static org.apache.spark.sql.functions.col;

import io.runnel.batch.SilverTables;
import io.runnel.batch.SourceTables;
import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.Preflight;
import io.runnel.spark.Checkpoint;
import io.runnel.spark.Drain;
import io.runnel.spark.LakeSession;
import io.runnel.spark.MetricsListener;
import io.runnel.spark.TableWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
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

/**
 * Silver into PostgreSQL schema {@code silver}, incrementally and exactly once. Each Silver table
 * is read through Delta's change data feed (inserts and the new side of updates) by its own
 * streaming query with its own checkpoint ({@code <checkpoint>/<table>}); each micro-batch is
 * written by {@link PostgresWriter} in one PostgreSQL transaction together with its load-log row.
 *
 * <p>Run with {@code spark-submit --class io.runnel.batch.warehouse.WarehouseLoadJob
 * runnel-batch.jar [--available-now]}; settings come from the environment ({@link
 * WarehouseSettings}).
 */
public final class WarehouseLoadJob {
  static final String NAME = "warehouse";
  private static final Logger LOG = LoggerFactory.getLogger(WarehouseLoadJob.class);
  private static final String SCHEMA = "silver";

  /** The change types that carry a row's new state; deletes never happen in Silver. */
  static final List<String> NEW_STATES = List.of("insert", "update_postimage");

  private static final String CHANGE_TYPE = "_change_type";

  private final SparkSession spark;
  private final WarehouseSettings settings;
  private final Map<String, Totals> totals = new LinkedHashMap<>();

  WarehouseLoadJob(SparkSession spark, WarehouseSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  public static void main(String[] args) {
    System.exit(Exits.execute("load", new Cli(), args));
  }

  @Command(
      name = "load",
      mixinStandardHelpOptions = true,
      description = "Loads new Silver rows into PostgreSQL schema silver, exactly once.")
  static final class Cli implements Callable<Integer> {
    @Option(
        names = "--available-now",
        description =
            "Load what Silver holds now, then stop (default: run continuously; SIGUSR1 then drains: what is left, then stop).")
    boolean availableNow;

    @Override
    public Integer call() throws Exception {
      WarehouseSettings settings = WarehouseSettings.fromEnv(Env.system(), availableNow);
      Preflight.s3Bucket(settings.s3(), settings.preflightTimeout());
      PostgresWriter.preflight(
          settings.postgres(),
          SilverTables.ALL.stream().map(WarehouseLoadJob::sql).toList(),
          settings.preflightTimeout());
      // One loader per set of checkpoints: two would race on the checkpoint files (the load log
      // alone would keep PostgreSQL right, but not Spark's offsets).
      TableWriter.runClaimed(
          settings.s3(),
          settings.checkpointPath(),
          NAME,
          settings.leaseTtl(),
          (spark, lease) -> new WarehouseLoadJob(spark, settings).run());
      return Exits.OK;
    }
  }

  static LoadSql sql(SilverTables.Table table) {
    return new LoadSql(SCHEMA, table.name(), table.columns(), table.key());
  }

  /**
   * The text columns whose U+0000 (which PostgreSQL text cannot hold) the load replaces with U+FFFD
   * instead of refusing the row: the quarantine's raw key and value only, which are there to be
   * read by people. The exact bytes of those records belong in {@code value_bytes}: Silver is to
   * keep them there for such rows (issue 20; today it fills it for payloads that are not UTF-8
   * only). Everywhere else such a row is refused, not altered.
   */
  static Set<String> nulReplaced(SilverTables.Table table) {
    return table == SilverTables.QUARANTINE ? Set.of("key", "value") : Set.of();
  }

  /**
   * Pure: the change feed of one table as the rows to load (columns, then the Delta version, then
   * the change type).
   */
  static Dataset<Row> newStates(Dataset<Row> changeFeed, SilverTables.Table table) {
    Column[] columns =
        Stream.concat(table.columns().stream(), Stream.of(LoadSql.VERSION_COLUMN, CHANGE_TYPE))
            .map(c -> col(c))
            .toArray(Column[]::new);
    return changeFeed.where(col(CHANGE_TYPE).isin(NEW_STATES.toArray())).select(columns);
  }

  /**
   * Loads until the queries stop. Takes the fence's next epoch first: run it only while holding the
   * writer lease on the checkpoints ({@link io.runnel.spark.TableWriter}), as {@code main} does.
   */
  void run() throws TimeoutException, StreamingQueryException, InterruptedException, SQLException {
    String holder = NAME + " pid " + ProcessHandle.current().pid();
    LoaderFence fence =
        LoaderFence.take(
            settings.postgres(), settings.s3().lakeUri(settings.checkpointPath()), holder);
    LOG.info("took epoch {} of the loader fence {}", fence.epoch(), fence.name());
    for (SilverTables.Table t : SilverTables.ALL) {
      // A continuous load waits for SilverJob to create the tables.
      SourceTables.await(
          spark, location(t), !settings.availableNow(), "the Silver table", "./runnel silver");
    }
    // Read splits of a row group (LakeSession): a partition is what the driver holds while it
    // copies it, and what PostgreSQL merges while Spark encodes the next ones. Spark would
    // otherwise pack many small Silver files into one partition per core.
    spark
        .conf()
        .set("spark.sql.files.maxPartitionBytes", String.valueOf(LakeSession.ROW_GROUP_BYTES));
    MetricsListener metrics =
        new MetricsListener(spark, NAME, settings.s3().lakeUri(settings.metricsPath()));
    spark.streams().addListener(metrics);
    // One writer per table for the whole run: a drain's available-now queries go on with it.
    Map<SilverTables.Table, PostgresWriter> writers = new LinkedHashMap<>();
    for (SilverTables.Table t : SilverTables.ALL) {
      writers.put(
          t,
          new PostgresWriter(
              settings.postgres(),
              sql(t),
              NAME + "." + t.name(),
              nulReplaced(t),
              settings.chunkBytes(),
              fence));
      totals.put(t.name(), new Totals());
    }
    boolean availableNow = settings.availableNow() || Drain.requested();
    List<StreamingQuery> queries = new ArrayList<>();
    try {
      for (var w : writers.entrySet()) {
        queries.add(start(w.getKey(), w.getValue(), availableNow));
      }
      LOG.info(
          "loading {} tables from {} into {} as {} ({})",
          queries.size(),
          settings.s3().lakeUri(settings.silverRoot()),
          settings.postgres(),
          settings.postgres().user(),
          availableNow
              ? "available now, then stop"
              : "every " + settings.triggerInterval().toMillis() + " ms; SIGUSR1 drains");
      if (!availableNow && Drain.await(queries)) {
        LOG.info("draining: what Silver holds now, then stop");
        queries.clear();
        for (var w : writers.entrySet()) {
          queries.add(start(w.getKey(), w.getValue(), true));
        }
      }
      awaitAll(queries);
      totals.forEach((table, t) -> System.out.println("load: " + SCHEMA + "." + table + ": " + t));
    } finally {
      queries.forEach(WarehouseLoadJob::stopQuietly);
      metrics.flush();
      spark.streams().removeListener(metrics);
    }
  }

  private StreamingQuery start(
      SilverTables.Table table, PostgresWriter writer, boolean availableNow)
      throws TimeoutException {
    String job = NAME + "." + table.name();
    Totals total = totals.get(table.name());
    var reader = spark.readStream().format("delta").option("readChangeFeed", "true");
    if (settings.maxFilesPerTrigger() > 0) {
      reader = reader.option("maxFilesPerTrigger", settings.maxFilesPerTrigger());
    }
    DataStreamWriter<Row> stream =
        Checkpoint.at(
                spark,
                newStates(reader.load(location(table)), table).writeStream().queryName(job),
                settings.s3().lakeUri(settings.checkpoint(table.name())))
            .foreachBatch(
                (VoidFunction2<Dataset<Row>, Long>)
                    (rows, batchId) -> writeBatch(writer, job, total, rows, batchId));
    stream =
        availableNow
            ? stream.trigger(Trigger.AvailableNow())
            : stream.trigger(Trigger.ProcessingTime(settings.triggerInterval().toMillis()));
    return stream.start();
  }

  private static void writeBatch(
      PostgresWriter writer, String job, Totals total, Dataset<Row> rows, long batchId)
      throws SQLException {
    long started = System.nanoTime();
    String queryId = Checkpoint.queryId(rows);
    PostgresWriter.Outcome o = writer.write(rows, UUID.fromString(queryId), batchId);
    long nanos = System.nanoTime() - started;
    total.add(o, nanos);
    if (o.alreadyLoaded()) {
      LOG.info(
          "{} batch {}: already loaded ({} rows, found in the load log), skipped",
          job,
          batchId,
          o.staged());
    } else if (o.staged() > 0) {
      LOG.info(
          "{} batch {}: {} rows staged, {} inserted or changed in {} ms (COPY {} ms, merge and"
              + " commit {} ms; {} rows/s)",
          job,
          batchId,
          String.format("%,d", o.staged()),
          String.format("%,d", o.written()),
          nanos / 1_000_000,
          o.copyMs(),
          o.mergeMs(),
          String.format("%,.0f", o.staged() * 1e9 / nanos));
      if (o.rejected() > 0) {
        LOG.warn(
            "{} batch {}: {} rows refused, recorded in {} (every other row loaded)",
            job,
            batchId,
            String.format("%,d", o.rejected()),
            LoadSql.REJECTS);
      }
    }
  }

  /**
   * Waits for every query; the first to fail stops the others and its error ends the run. An
   * available-now run ends when all have drained.
   */
  private void awaitAll(List<StreamingQuery> queries) throws StreamingQueryException {
    try {
      while (queries.stream().anyMatch(StreamingQuery::isActive)) {
        spark.streams().awaitAnyTermination();
        spark.streams().resetTerminated();
      }
      for (StreamingQuery q : queries) {
        if (q.exception().isDefined()) {
          throw q.exception().get();
        }
      }
    } catch (StreamingQueryException e) {
      queries.forEach(WarehouseLoadJob::stopQuietly);
      throw e;
    }
  }

  private static void stopQuietly(StreamingQuery q) {
    if (!q.isActive()) {
      return;
    }
    try {
      q.stop();
    } catch (TimeoutException | RuntimeException e) {
      LOG.warn("stopping {} failed: {}", q.name(), e.toString());
    }
  }

  private String location(SilverTables.Table table) {
    return settings.s3().lakeUri(table.path(settings.silverRoot()));
  }

  /**
   * One table's figures for the run's summary line; local/bench/load.sh reads its rows/s. The
   * rejected rows are the refusals of this run (a row version refused again by a reload counts
   * again; the rejects table holds it once).
   */
  static final class Totals {
    private long staged;
    private long written;
    private long rejected;
    private long batches;
    private long skipped;
    private long nanos;

    synchronized void add(PostgresWriter.Outcome o, long batchNanos) {
      if (o.alreadyLoaded()) {
        skipped++;
      } else if (o.staged() > 0) {
        staged += o.staged();
        written += o.written();
        rejected += o.rejected();
        batches++;
        nanos += batchNanos;
      }
    }

    @Override
    public synchronized String toString() {
      return String.format(
          "%,d rows in %,d batches (%,d inserted or changed, %,.0f rows/s while loading)"
              + ", %,d batches already loaded and skipped, %,d rows rejected (%s)",
          staged,
          batches,
          written,
          nanos == 0 ? 0.0 : staged * 1e9 / nanos,
          skipped,
          rejected,
          LoadSql.REJECTS);
    }
  }
}
