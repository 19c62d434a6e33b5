package io.runnel.batch.warehouse;

import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.runnel.batch.SilverTables;
import io.runnel.batch.bench.SilverEventsGenerator;
import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.PostgresSettings;
import io.runnel.common.S3Settings;
import io.runnel.common.testing.ServiceEnv;
import io.runnel.common.testing.SparkSubmit;
import io.runnel.spark.TableWriter;
import io.runnel.spark.testing.InterruptedFirstBatch;
import io.runnel.spark.testing.LogCapture;
import io.runnel.spark.testing.TestLakeSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * WarehouseLoadJob under the real spark-submit, from Silver tables on the real S3 server into a
 * PostgreSQL database of each test's own, migrated by the project's migrations. The Silver tables
 * are written here with Spark (appends and MERGEs, as SilverJob makes them); what PostgreSQL holds
 * is compared with them row by row. A first run, a restart, a rerun or a reload runs the job in
 * this JVM ({@link #loadHere}); every crash and kill -9 is a real spark-submit.
 */
class WarehouseLoadIT {
  private static final String JOB = WarehouseLoadJob.class.getName();
  private static final Duration LIMIT = Duration.ofMinutes(10);

  private static Env env;
  private static S3Settings s3;
  private static PostgresSettings admin;
  private static SparkSession spark;

  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String base = "_runnel/it/load-" + id;
  private final String database = "runnel_it_load_" + id.replace('-', '_');

  @BeforeAll
  static void services() {
    env = ServiceEnv.get();
    s3 = S3Settings.fromEnv(env);
    admin =
        PostgresSettings.fromEnv(
            env, "RUNNEL_PG_ADMIN_USER", "runnel_admin", "RUNNEL_PG_ADMIN_PASSWORD");
    spark = TestLakeSession.create("load-it-writer", s3);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void loadsEveryTableExactlyOnceThroughCrashesAroundTheCommitAndARerunChangesNothing()
      throws Exception {
    createDatabase();
    try {
      createSilverTables();
      appendEvents(0, 3_000, 3);
      appendQuarantine(300);
      mergeProducts(50, "v1", 100);
      appendProductHistory(50);

      // 1. The first load: one batch per Silver file at most, so several batches per table; the
      // events query starts over what a kill -9 in its first batch would have left.
      String leftover = InterruptedFirstBatch.plant(s3, base + "/_checkpoints/warehouse/events");
      String first =
          LogCapture.of(() -> loadHere(Map.of("RUNNEL_LOAD_MAX_FILES_PER_TRIGGER", "1")));
      assertThat(first).contains(InterruptedFirstBatch.REMOVED);
      assertThat(InterruptedFirstBatch.remains(s3, leftover)).isFalse();
      assertThat(first).contains("load: silver.events: ");
      assertMirrorsSilver();
      assertThat(pgString("SELECT name FROM silver.products WHERE product_id = 'product_7'"))
          .isEqualTo("product 7 v1");

      // 2. Crash after the PostgreSQL commit, before Spark's checkpoint commit: Spark re-runs the
      // batch, which finds itself in the load log. New winners for some events (a MERGE: the
      // change feed's update_postimage rows) and a product update ride along.
      appendEvents(3_000, 2_000, 2);
      replaceEventWinners(0, 3_000, 7);
      // Rows inserted and replaced within one batch: the replacement wins, and the row counts once.
      replaceEventWinners(3_000, 2_000, 11);
      mergeProducts(10, "v2", 200);
      mergeProducts(5, "v3", 300); // two versions of products 0-4 in one batch: the newest wins
      long batch = nextBatch("events");
      SparkSubmit.Result crashed =
          load(Map.of("RUNNEL_FAILPOINT", "load.events.after-commit@" + batch));
      assertThat(crashed.exitCode()).as(crashed.output()).isEqualTo(137);
      assertThat(pgLong("SELECT count(*) FROM silver.events")).isEqualTo(5_000);
      assertThat(loadLogCount("warehouse.events", batch)).isEqualTo(1);

      // 3. The restart re-runs that batch (found in the load log: skipped), then crashes before
      // committing the next one, which leaves nothing in PostgreSQL.
      appendEvents(5_000, 1_000, 1);
      crashed = load(Map.of("RUNNEL_FAILPOINT", "load.events.before-commit@" + (batch + 1)));
      assertThat(crashed.exitCode()).as(crashed.output()).isEqualTo(137);
      assertThat(crashed.output()).contains("warehouse.events batch " + batch + ": already loaded");
      assertThat(loadLogCount("warehouse.events", batch)).isEqualTo(1);
      assertThat(loadLogCount("warehouse.events", batch + 1)).isZero();
      assertThat(pgLong("SELECT count(*) FROM silver.events")).isEqualTo(5_000);
      // The restart, on the checkpoint the crashed process left.
      loadHere(Map.of());
      assertThat(loadLogCount("warehouse.events", batch + 1)).isEqualTo(1);
      assertMirrorsSilver();
      assertThat(pgString("SELECT name FROM silver.products WHERE product_id = 'product_7'"))
          .as("an updated product version replaces the row")
          .isEqualTo("product 7 v2");
      assertThat(pgString("SELECT name FROM silver.products WHERE product_id = 'product_3'"))
          .isEqualTo("product 3 v3");
      assertThat(pgLong("SELECT count(*) FROM silver.products")).isEqualTo(50);

      // 4. A rerun with no new data changes nothing, not even loaded_at, and logs no batch.
      Map<String, String> before = checksums();
      long logRows = pgLong("SELECT count(*) FROM runnel.load_log");
      loadHere(Map.of());
      assertThat(checksums()).isEqualTo(before);
      assertThat(pgLong("SELECT count(*) FROM runnel.load_log")).isEqualTo(logRows);
      assertThat(
              pgLong("SELECT sum(rows_loaded) FROM runnel.load_log WHERE job = 'warehouse.events'"))
          .as("every event row written by exactly one logged batch: 6,000 inserts, 429 updates")
          .isEqualTo(6_429);

      // 5. A reload from a new checkpoint into the loaded warehouse: every Silver row comes again
      // as an insert, of a key PostgreSQL holds. The plain inserts meet a unique violation, the
      // batch rolls back and goes in again as merges: the one row changed by hand is restored,
      // and nothing else is written, not even loaded_at.
      assertThat(
              execute(
                  "UPDATE silver.events SET user_agent = 'edited by hand' WHERE source_offset = 43"))
          .isEqualTo(1);
      before = checksums();
      String lastLoad = pgString("SELECT max(loaded_at)::text FROM silver.events");
      String reload = reloadFromANewCheckpoint();
      assertThat(reload)
          .contains("silver.events already holds some of its rows")
          .contains("silver.products already holds some of its rows");
      assertMirrorsSilver();
      assertThat(pgLong("SELECT count(*) FROM silver.events WHERE loaded_at > '" + lastLoad + "'"))
          .as("rows the reload wrote")
          .isEqualTo(1);
      Map<String, String> after = checksums();
      for (SilverTables.Table t : SilverTables.ALL) {
        if (t != SilverTables.EVENTS) {
          assertThat(after.get(t.name())).as("silver.%s", t.name()).isEqualTo(before.get(t.name()));
        }
      }
      assertThat(
              pgLong("SELECT sum(rows_loaded) FROM runnel.load_log WHERE job = 'warehouse.events'"))
          .as("the reload logs the one row it wrote")
          .isEqualTo(6_430);

      // 6. Issue 21: a second loader, on checkpoints of its own that lag behind, brings older
      // versions of rows PostgreSQL holds newer (products 0-9 were replaced by v2 and v3 after
      // v1): the version guard keeps the newer rows; the unchanged ones (products 10-49) stay as
      // they are. Its batch is loaded as that loader would (its own fence, a new query id).
      Map<String, String> newer = checksums();
      PostgresWriter lagging =
          writer(
              SilverTables.PRODUCTS,
              LoaderFence.take(loaderSettings(), "it-lagging-" + id, "a lagging loader"));
      Dataset<Row> older = changeFeed(SilverTables.PRODUCTS).where("name LIKE '% v1'");
      PostgresWriter.Outcome stale = lagging.write(older, UUID.randomUUID(), 0);
      assertThat(stale.staged()).isEqualTo(50);
      assertThat(stale.written()).as("rows an older version replaced").isZero();
      assertThat(checksums()).isEqualTo(newer);
      assertThat(pgString("SELECT name FROM silver.products WHERE product_id = 'product_3'"))
          .isEqualTo("product 3 v3");
    } finally {
      dropDatabase();
    }
  }

  /**
   * Issue 21: a loader frozen (SIGSTOP: every thread, its lease's heartbeat too) just before it
   * commits a batch, its successor taking the lease over after the TTL and loading everything once
   * while the frozen one is still frozen (it ends the frozen one's PostgreSQL sessions, whose open
   * transactions held the rows of that batch, and perhaps the fence row), then the frozen one
   * continued: it commits nothing and exits 6 with the fencing line.
   */
  @Test
  void aLoaderPausedPastItsLeaseCommitsNothingOnceItsSuccessorTookOver() throws Exception {
    createDatabase();
    ExecutorService successor = Executors.newSingleThreadExecutor();
    SparkSubmit.Running paused = null;
    long pid = -1;
    try {
      createSilverTables();
      appendEvents(0, 2_000, 2);
      appendQuarantine(100);
      mergeProducts(20, "v1", 100);
      appendProductHistory(20);
      Map<String, String> shortLease = Map.of("RUNNEL_WRITER_LEASE_SECONDS", "3");
      Map<String, String> frozen = new HashMap<>(shortLease);
      frozen.put("RUNNEL_FAILPOINT", "load.events.before-commit@0:stop");
      long started = System.nanoTime();
      paused = submit().start(JOB, jobEnv(frozen), "--available-now");
      paused.awaitOutput("stopping pid ", LIMIT);
      long frozenAt = System.nanoTime();
      String outputWhenFrozen = paused.output();
      System.out.printf(
          "fencing: %s: the first loader's output says it stops (it started %d ms earlier)%n",
          LocalTime.now(), (frozenAt - started) / 1_000_000);
      pid = Long.parseLong(outputWhenFrozen.replaceAll("(?s).*stopping pid (\\d+).*", "$1"));
      long stoppedAfter = awaitStopped(pid);
      // What the frozen loader had committed (its other tables' batches may have been quicker).
      List<String> committedBeforeThePause = pgStrings(LOGGED_BATCHES);
      if (committedBeforeThePause.contains("warehouse.events 0")) {
        // Seen once in about 20 runs (2026-12-07): the batch committed although its thread
        // printed the failpoint's line first; the run then has no batch in flight.
        System.out.printf(
            "fencing: the first loader's events batch 0 was committed when the test found it"
                + " stopped (%d ms after its failpoint line): no batch in flight in this run;"
                + " its output then: %s%n",
            stoppedAfter, outputWhenFrozen);
      }
      long epoch = pgLong("SELECT epoch FROM runnel.writer_fence");

      WarehouseSettings settings =
          WarehouseSettings.fromEnv(ServiceEnv.with(jobEnv(shortLease)), true);
      Future<?> next =
          successor.submit(
              () -> {
                try (TableWriter lease =
                    TableWriter.claim(
                        settings.s3(),
                        settings.checkpointPath(),
                        WarehouseLoadJob.NAME,
                        settings.leaseTtl())) {
                  new WarehouseLoadJob(spark, settings).run();
                }
                return null;
              });
      // The successor takes the lease after the TTL, ends the frozen loader's sessions, takes the
      // fence's next epoch and loads everything, the frozen one still frozen: its open
      // transactions held the rows of its events batch (and, frozen between a check and a
      // commit, the fence row), which would otherwise block the successor until a statement
      // timeout. Within LIMIT: the successor's Spark start-up in this JVM took over 60 s beside
      // the other suites of ./runnel test.
      next.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
      long loadedAt = System.nanoTime();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
          .as("the first loader, still frozen while its successor loaded")
          .contains(true);
      cont(pid);
      SparkSubmit.Result resumed = paused.await(LIMIT);
      System.out.printf(
          "fencing: loader frozen in events batch 0 after %d s (stopped %d ms after its line;"
              + " batches committed before: %s);"
              + " successor loaded everything (epoch %d) %d s later, the first one still frozen;"
              + " the frozen one, continued: exit %d: %s%n",
          (frozenAt - started) / 1_000_000_000,
          stoppedAfter,
          committedBeforeThePause,
          epoch + 1,
          (loadedAt - frozenAt) / 1_000_000_000,
          resumed.exitCode(),
          lastLine(resumed.output()));
      assertThat(resumed.exitCode()).as(resumed.output()).isEqualTo(Exits.FENCED);
      assertThat(resumed.output()).contains("load: fenced: ");
      assertThat(pgStrings(LOGGED_BATCHES + " AND fence_epoch = " + epoch))
          .as("batches committed by the paused loader: none after it was continued")
          .containsExactlyInAnyOrderElementsOf(committedBeforeThePause);
      // Every batch committed once: by the first loader before it froze, or by its successor.
      List<String> bySuccessor = pgStrings(LOGGED_BATCHES + " AND fence_epoch = " + (epoch + 1));
      assertThat(pgStrings(LOGGED_BATCHES))
          .as(
              "every batch committed once, by the first loader before it froze (%s) or by its"
                  + " successor (%s); load log: %s; fence: %s; the paused loader's output: %s",
              committedBeforeThePause,
              bySuccessor,
              pgStrings(
                  "SELECT job || ' ' || batch_id || ' epoch ' || coalesce(fence_epoch, -1)"
                      + " || ' ' || query_id FROM runnel.load_log WHERE true"),
              pgStrings("SELECT fence || ' ' || epoch || ' ' || holder FROM runnel.writer_fence"),
              resumed.output())
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(
              Stream.concat(committedBeforeThePause.stream(), bySuccessor.stream()).toList());
      assertMirrorsSilver();
      System.out.printf(
          "fencing: warehouse rows after: events %d, quarantine %d, products %d, history %d"
              + " (as in Silver); load-log rows %d; %d s from the first loader's start%n",
          pgLong("SELECT count(*) FROM silver.events"),
          pgLong("SELECT count(*) FROM silver.events_quarantine"),
          pgLong("SELECT count(*) FROM silver.products"),
          pgLong("SELECT count(*) FROM silver.products_history"),
          pgLong("SELECT count(*) FROM runnel.load_log"),
          (System.nanoTime() - started) / 1_000_000_000);
    } finally {
      if (paused != null && paused.process().isAlive()) {
        cont(pid);
        paused.killHard();
      }
      successor.shutdownNow();
      dropDatabase();
    }
  }

  private static final String LOGGED_BATCHES =
      "SELECT job || ' ' || batch_id FROM runnel.load_log WHERE true";

  /**
   * Waits until the kernel shows {@code pid} stopped (state T in /proc/PID/stat), as a {@code
   * :stop} failpoint leaves it; returns the milliseconds that took.
   */
  private static long awaitStopped(long pid) throws Exception {
    long started = System.nanoTime();
    Path stat = Path.of("/proc/" + pid + "/stat");
    while (true) {
      String s = Files.readString(stat);
      // The state follows the command name, which is in parentheses and may hold spaces.
      if (s.substring(s.lastIndexOf(')') + 2).startsWith("T")) {
        return (System.nanoTime() - started) / 1_000_000;
      }
      assertThat(System.nanoTime() - started)
          .as("pid %d printed its failpoint line and is not stopped: %s", pid, s)
          .isLessThan(Duration.ofSeconds(30).toNanos());
      Thread.sleep(10);
    }
  }

  /** SIGCONT: continues a process a {@code :stop} failpoint froze. */
  private static void cont(long pid) throws Exception {
    if (pid > 0) {
      new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).inheritIO().start().waitFor();
    }
  }

  /**
   * Issue 20: one row PostgreSQL refuses does not stop the load. This database alone has a CHECK
   * that refuses two events (a genuine refusal by PostgreSQL), one event's currency is too long for
   * char(3) (refused by the COPY, for the whole batch, before it is isolated), and one event's text
   * holds U+0000 (refused by the loader, which must not alter it); they are recorded, every other
   * row lands.
   */
  @Test
  void aRefusedRowIsRecordedOnceAndEveryOtherRowOfItsBatchLands() throws Exception {
    createDatabase();
    try {
      createSilverTables();
      adminExecute(
          "ALTER TABLE silver.events ADD CONSTRAINT refuse_me CHECK (user_id <> 'refuse-me')");
      events(0, 1_000, 0, "true")
          .withColumn(
              "user_id",
              expr("CASE WHEN source_offset IN (10, 30) THEN 'refuse-me' ELSE user_id END"))
          .withColumn(
              "currency", expr("CASE WHEN source_offset = 40 THEN 'EURO' ELSE currency END"))
          .withColumn(
              "user_agent",
              expr(
                  "CASE WHEN source_offset = 20 THEN concat('nul', chr(0), 'here')"
                      + " ELSE user_agent END"))
          .write()
          .format("delta")
          .mode("append")
          .save(lake(SilverTables.EVENTS));
      // The quarantine's raw text keeps U+0000 as U+FFFD (its bytes are in value_bytes).
      appendQuarantine(3);
      spark
          .read()
          .format("delta")
          .load(lake(SilverTables.QUARANTINE))
          .where("source_offset = 1")
          .withColumn("source_offset", expr("cast(99 AS bigint)"))
          .withColumn("value", expr("concat('{', chr(0), '}')"))
          .write()
          .format("delta")
          .mode("append")
          .save(lake(SilverTables.QUARANTINE));

      String first = LogCapture.of(() -> loadHere(Map.of()));
      assertThat(first)
          .contains("load: silver.events: 1,000 rows in ")
          .contains("(996 inserted or changed, ")
          .contains(", 4 rows rejected (runnel.load_rejects)")
          .contains("load: silver.events_quarantine: 4 rows in ")
          .contains("PostgreSQL refused a row (");
      Set<Long> refused = Set.of(10L, 20L, 30L, 40L);
      assertEventsMirrorSilverBut(refused);
      assertThat(pgString("SELECT value FROM silver.events_quarantine WHERE source_offset = 99"))
          .isEqualTo("{\uFFFD}");
      assertThat(pgLong("SELECT count(*) FROM silver.events_quarantine")).isEqualTo(4);

      List<String> rejects =
          pgStrings(
              "SELECT concat_ws(' | ', r.target_table, r.row_key, r.source_topic,"
                  + " r.source_partition, r.source_offset, r.reason, r.row_values->>'user_id',"
                  + " r.row_values->>'currency',"
                  + " r.row_values->>'user_agent', r.row_values->>'event_id' = r.row_key,"
                  + " (r.job, r.query_id, r.batch_id) = (l.job, l.query_id, l.batch_id),"
                  + " l.rows_loaded, l.rows_rejected)"
                  + " FROM runnel.load_rejects r LEFT JOIN runnel.load_log l"
                  + " ON l.job = r.job AND l.query_id = r.query_id AND l.batch_id = r.batch_id"
                  + " ORDER BY r.source_offset");
      String check =
          "23514: new row for relation \"events\" violates check constraint \"refuse_me\"";
      String agent =
          "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
              + " Safari/537.36";
      assertThat(rejects)
          .containsExactly(
              reject(10, check, "refuse-me", "USD", agent),
              reject(20, CopyRows.nulIn("user_agent"), "user_20", "SEK", "nul\uFFFDhere"),
              reject(30, check, "refuse-me", "EUR", agent),
              reject(40, "22001: value too long for type character(3)", "user_40", "EURO", agent));
      assertThat(pgLong("SELECT count(*) FROM runnel.load_rejects_missing")).isEqualTo(4);

      // Spark re-runs the batch after a crash between the PostgreSQL commit and its checkpoint
      // commit: the same query and batch id, found in the load log; nothing is recorded again.
      UUID queryId =
          UUID.fromString(pgString("SELECT query_id::text FROM runnel.load_rejects LIMIT 1"));
      long batch = pgLong("SELECT batch_id FROM runnel.load_rejects LIMIT 1");
      // The fence is never checked: the batch is found in the load log, nothing is committed.
      PostgresWriter writer = writer(SilverTables.EVENTS, new LoaderFence("unchecked", 0));
      assertThat(writer.write(changeFeed(SilverTables.EVENTS), queryId, batch).alreadyLoaded())
          .isTrue();

      // A reload from a new checkpoint: every row again, as merges (the keys are there); the same
      // four rows refused again, recorded once; nothing written.
      Map<String, String> before = checksums();
      String reload = reloadFromANewCheckpoint();
      assertThat(reload)
          .contains("(0 inserted or changed, ")
          .contains(", 4 rows rejected (runnel.load_rejects)");
      assertThat(checksums()).isEqualTo(before);
      assertThat(pgStrings("SELECT row_key FROM runnel.load_rejects")).hasSize(4);

      // A later version of a refused row that PostgreSQL takes: loaded; its refusal stays on
      // record, but no longer as missing.
      replaceEventWinners(10, 1, 1);
      String accepted = LogCapture.of(() -> loadHere(Map.of()));
      assertThat(accepted).contains(", 0 rows rejected (runnel.load_rejects)");
      assertEventsMirrorSilverBut(Set.of(20L, 30L, 40L));
      assertThat(pgString("SELECT user_id FROM silver.events WHERE source_offset = 1000010"))
          .isEqualTo("user_10");
      assertThat(pgLong("SELECT count(*) FROM runnel.load_rejects")).isEqualTo(4);
      assertThat(pgStrings("SELECT source_offset::text FROM runnel.load_rejects_missing"))
          .containsExactlyInAnyOrder("20", "30", "40");
    } finally {
      dropDatabase();
    }
  }

  @Test
  void killNineAtARandomMomentThenARestartLoadsEveryRowOnce() throws Exception {
    createDatabase();
    try {
      createSilverTables();
      for (int i = 0; i < 12; i++) {
        appendEvents(i * 5_000, 5_000, 1);
      }
      Map<String, String> slow =
          Map.of("RUNNEL_LOAD_MAX_FILES_PER_TRIGGER", "1", "RUNNEL_LOAD_TRIGGER_SECONDS", "0");
      SparkSubmit.Running job = submit().start(JOB, jobEnv(slow));
      job.awaitOutput("warehouse.events batch ", Duration.ofMinutes(8));
      Thread.sleep(new Random().nextInt(4_000));
      job.killHard();
      long atKill = pgLong("SELECT count(*) FROM silver.events");
      System.out.println("kill -9 with " + atKill + " of 60000 events in PostgreSQL");

      // The restart, on the checkpoint the killed process left.
      loadHere(Map.of());
      assertThat(pgLong("SELECT count(*) FROM silver.events")).isEqualTo(60_000);
      assertMirrorsSilver();
      assertThat(
              pgLong("SELECT sum(rows_loaded) FROM runnel.load_log WHERE job = 'warehouse.events'"))
          .isEqualTo(60_000);
    } finally {
      dropDatabase();
    }
  }

  @Test
  void refusesASuperuserAndAnUnmigratedDatabaseWithOneLine() throws Exception {
    SparkSubmit.Result superuser =
        load(
            Map.of(
                "RUNNEL_PG_LOADER_USER", admin.user(),
                "RUNNEL_PG_LOADER_PASSWORD", admin.password(),
                "RUNNEL_PG_DATABASE", "postgres"));
    assertThat(superuser.exitCode()).as(superuser.output()).isEqualTo(2);
    assertThat(lastLine(superuser.output()))
        .startsWith("load: RUNNEL_PG_LOADER_USER names the superuser " + admin.user());

    SparkSubmit.Result bare =
        load(Map.of("RUNNEL_PG_DATABASE", "postgres", "RUNNEL_PREFLIGHT_SECONDS", "3"));
    assertThat(bare.exitCode()).as(bare.output()).isEqualTo(3);
    assertThat(lastLine(bare.output())).contains("silver.events does not exist in PostgreSQL at");
  }

  // --- Silver data, as SilverJob would write it
  // ---------------------------------------------------

  private void createSilverTables() {
    for (SilverTables.Table t : SilverTables.ALL) {
      t.createIfMissing(spark, lake(t));
    }
  }

  /** {@code n} events with ids from {@code from}, in {@code files} commits; some awkward text. */
  private void appendEvents(int from, int n, int files) {
    int per = n / files;
    for (int f = 0; f < files; f++) {
      events(from + f * per, per, 0, "true")
          .write()
          .format("delta")
          .mode("append")
          .save(lake(SilverTables.EVENTS));
    }
  }

  private Dataset<Row> events(long from, long n, long offsetShift, String where) {
    return SilverEventsGenerator.events(spark, from, n, offsetShift, where);
  }

  /**
   * A MERGE that gives every {@code every}-th of the first {@code n} events a new winner (other
   * Kafka coordinates): update_postimage rows in the change feed.
   */
  private void replaceEventWinners(int from, int n, int every) {
    Dataset<Row> changed = events(from, n, 1_000_000, "id % " + every + " = 0");
    DeltaTable.forPath(spark, lake(SilverTables.EVENTS))
        .as("t")
        .merge(changed.as("s"), "t.event_id = s.event_id")
        .whenMatched()
        .updateAll()
        .execute();
  }

  private void appendQuarantine(int n) {
    spark
        .range(n)
        .selectExpr(
            "'events' AS source_topic",
            "cast(id % 2 AS int) AS source_partition",
            "id AS source_offset",
            "CASE WHEN id % 3 = 0 THEN array('malformed_json')"
                + " ELSE array('missing:event_id', 'say \"why\", {braces} \\\\ ok') END"
                + " AS error_reasons",
            "CASE WHEN id % 4 = 0 THEN NULL ELSE concat('user_', id) END AS key",
            "CASE WHEN id % 5 = 0 THEN NULL ELSE concat('{\"event_id\":', id, ',\\n\"x\":\"\"}')"
                + " END AS value",
            "CASE WHEN id % 5 = 0 THEN unhex('C328FF00') END AS value_bytes",
            "CASE WHEN id % 2 = 0 THEN '1' END AS schema_version",
            "timestamp_micros(1790000000000000 + id) AS kafka_ts",
            "current_timestamp() AS ingested_at",
            "current_date() AS ingest_date",
            "current_timestamp() AS silver_at")
        .write()
        .format("delta")
        .mode("append")
        .save(lake(SilverTables.QUARANTINE));
  }

  private void mergeProducts(int n, String version, int cents) {
    Dataset<Row> products =
        spark
            .range(n)
            .selectExpr(
                "concat('product_', id) AS product_id",
                "concat('product ', id, ' " + version + "') AS name",
                "'category' AS category",
                "CASE WHEN id % 2 = 0 THEN 'a \"good\" one,\\nreally' END AS description",
                "cast((id * 100 + " + cents + ") / 100.0 AS decimal(12,2)) AS price",
                "'EUR' AS currency",
                "current_timestamp() AS updated_at",
                "'products' AS source_topic",
                "0 AS source_partition",
                "id AS source_offset",
                "current_timestamp() AS ingested_at",
                "current_timestamp() AS silver_at",
                "CASE WHEN id % 3 = 0 THEN '{\"brand\":\"" + version + "\"}' END AS extra");
    DeltaTable.forPath(spark, lake(SilverTables.PRODUCTS))
        .as("t")
        .merge(products.as("s"), "t.product_id = s.product_id")
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  private void appendProductHistory(int n) {
    spark
        .range(n)
        .selectExpr(
            "concat('product_', id) AS product_id",
            "concat('product ', id) AS name",
            "'category' AS category",
            "CAST(NULL AS string) AS description",
            "cast(id AS decimal(12,2)) AS price",
            "'EUR' AS currency",
            "timestamp_micros(1790000000000000 + id) AS valid_from",
            "'products' AS source_topic",
            "0 AS source_partition",
            "id AS source_offset",
            "current_timestamp() AS ingested_at",
            "current_timestamp() AS silver_at",
            "CAST(NULL AS string) AS extra")
        .write()
        .format("delta")
        .mode("append")
        .save(lake(SilverTables.PRODUCTS_HISTORY));
  }

  // --- what PostgreSQL holds against what Silver holds ------------------------------------------

  /**
   * Every table: the same keys, no duplicates, and the same values in the columns that take the
   * most care to encode (text with quotes and new lines, decimals, times, arrays, bytes).
   */
  private void assertMirrorsSilver() throws SQLException {
    assertSame(
        SilverTables.EVENTS,
        "source_offset, price, user_agent, ts, event_date, is_late, schema_version, extra",
        "concat_ws('|', source_offset, cast(price AS string), user_agent,"
            + " cast(unix_micros(ts) AS string), cast(event_date AS string), cast(is_late AS string),"
            + " coalesce(schema_version, 'NULL'), coalesce(extra, 'NULL'))",
        // The fixture's extra is in jsonb's own text form, so the text compares exactly.
        "concat_ws('|', source_offset, price::text, user_agent,"
            + " ((extract(epoch FROM ts) * 1000000)::bigint)::text, event_date::text, is_late::text,"
            + " coalesce(schema_version, 'NULL'), coalesce(extra::text, 'NULL'))");
    assertSame(
        SilverTables.QUARANTINE,
        "error_reasons, key, value, value_bytes",
        "concat_ws('|', array_join(error_reasons, '#'), coalesce(key, 'NULL'),"
            + " coalesce(value, 'NULL'), coalesce(lower(hex(value_bytes)), 'NULL'))",
        "concat_ws('|', array_to_string(error_reasons, '#'), coalesce(key, 'NULL'),"
            + " coalesce(value, 'NULL'), coalesce(encode(value_bytes, 'hex'), 'NULL'))");
    assertSame(
        SilverTables.PRODUCTS,
        "name, description, price",
        "concat_ws('|', name, coalesce(description, 'NULL'), cast(price AS string))",
        "concat_ws('|', name, coalesce(description, 'NULL'), price::text)");
    assertSame(
        SilverTables.PRODUCTS_HISTORY,
        "true",
        "valid_from, price",
        "concat_ws('/', product_id, cast(unix_micros(valid_from) AS string))",
        "concat_ws('|', cast(unix_micros(valid_from) AS string), cast(price AS string))",
        "concat_ws('/', product_id, ((extract(epoch FROM valid_from) * 1000000)::bigint)::text)",
        "concat_ws('|', ((extract(epoch FROM valid_from) * 1000000)::bigint)::text, price::text)");
  }

  private void assertSame(SilverTables.Table t, String what, String sparkValue, String pgValue)
      throws SQLException {
    String key = "concat_ws('/', " + String.join(", ", t.key()) + ")";
    assertSame(t, "true", what, key, sparkValue, key, pgValue);
  }

  /** silver.events holds every Silver event but those at the given (refused) offsets. */
  private void assertEventsMirrorSilverBut(Set<Long> refusedOffsets) throws SQLException {
    String key = "event_id";
    String value = "concat_ws('|', source_offset, user_id, user_agent)";
    assertSame(
        SilverTables.EVENTS,
        "source_offset NOT IN ("
            + refusedOffsets.stream().map(String::valueOf).collect(Collectors.joining(", "))
            + ")",
        "source_offset, user_id, user_agent",
        key,
        value,
        "event_id::text",
        value);
  }

  /**
   * A refused event as the test reads it back: table, key, coordinates, reason, three of its
   * values; whether the key is the event_id and the batch the load log's; that batch's rows loaded
   * and rejected.
   */
  private String reject(long offset, String reason, String userId, String currency, String agent) {
    return String.join(
        " | ",
        "silver.events",
        eventId(offset),
        "events",
        "0",
        String.valueOf(offset),
        reason,
        userId,
        currency,
        agent,
        "t",
        "t",
        "996",
        "4");
  }

  /** The id of the generated event at {@code offset} (offsets 0 to 999,999: the event's id). */
  private String eventId(long offset) {
    return events(offset, 1, 0, "true").select("event_id").first().getString(0);
  }

  private void assertSame(
      SilverTables.Table t,
      String silverRows,
      String what,
      String sparkKey,
      String sparkValue,
      String pgKey,
      String pgValue)
      throws SQLException {
    Map<String, String> silver = new HashMap<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(lake(t))
            .where(silverRows)
            .selectExpr(sparkKey, sparkValue)
            .collectAsList()) {
      silver.put(r.getString(0), r.getString(1));
    }
    Map<String, String> warehouse = new HashMap<>();
    long rows = 0;
    try (Connection c = loaderConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT " + pgKey + ", " + pgValue + " FROM silver." + t.name())) {
      while (rs.next()) {
        warehouse.put(rs.getString(1), rs.getString(2));
        rows++;
      }
    }
    assertThat(rows).as("rows of silver.%s (no duplicate keys)", t.name()).isEqualTo(silver.size());
    assertThat(warehouse).as("silver.%s: key -> %s", t.name(), what).isEqualTo(silver);
  }

  /** One md5 per table over every column, loaded_at included, in key order. */
  private Map<String, String> checksums() throws SQLException {
    Map<String, String> sums = new HashMap<>();
    for (SilverTables.Table t : SilverTables.ALL) {
      sums.put(
          t.name(),
          pgString(
              "SELECT md5(string_agg(x::text, '' ORDER BY "
                  + String.join(", ", t.key())
                  + ")) FROM silver."
                  + t.name()
                  + " x"));
    }
    return sums;
  }

  private long loadLogCount(String job, long batch) throws SQLException {
    return pgLong(
        "SELECT count(*) FROM runnel.load_log WHERE job = '" + job + "' AND batch_id = " + batch);
  }

  // --- plumbing ----------------------------------------------------------------------------------

  /** {@link #loadHere} from a new checkpoint: every Silver row comes again; what it logged. */
  private String reloadFromANewCheckpoint() throws Exception {
    return LogCapture.of(
        () ->
            loadHere(
                Map.of("RUNNEL_WAREHOUSE_CHECKPOINT", base + "/_checkpoints/warehouse-reload")));
  }

  private SparkSubmit.Result load(Map<String, String> overrides) throws Exception {
    long started = System.nanoTime();
    SparkSubmit.Result r = submit().run(JOB, jobEnv(overrides), LIMIT, "--available-now");
    System.out.printf(
        "load %s: exit %d after %d s%n",
        overrides.keySet(), r.exitCode(), (System.nanoTime() - started) / 1_000_000_000);
    return r;
  }

  /**
   * The load --available-now in this JVM, on the test's session, with the settings a spark-submit
   * run gets: for a run that needs no process of its own (a first run, a restart, a rerun); every
   * crash and kill -9 is a real spark-submit.
   */
  private void loadHere(Map<String, String> overrides) throws Exception {
    new WarehouseLoadJob(spark, WarehouseSettings.fromEnv(ServiceEnv.with(jobEnv(overrides)), true))
        .run();
  }

  private Map<String, String> jobEnv(Map<String, String> overrides) {
    Map<String, String> m = new HashMap<>();
    m.put("RUNNEL_SILVER_ROOT", base + "/silver");
    m.put("RUNNEL_WAREHOUSE_CHECKPOINT", base + "/_checkpoints/warehouse");
    m.put("RUNNEL_WAREHOUSE_METRICS_TABLE", base + "/metrics");
    m.put("RUNNEL_PG_DATABASE", database);
    m.put("RUNNEL_WRITER_LEASE_SECONDS", "5");
    m.putAll(overrides);
    return m;
  }

  /** A table's writer as the job makes it, with the settings a run gets and {@code fence}. */
  private PostgresWriter writer(SilverTables.Table table, LoaderFence fence) {
    return new PostgresWriter(
        loaderSettings(),
        WarehouseLoadJob.sql(table),
        WarehouseLoadJob.NAME + "." + table.name(),
        Set.of(),
        1 << 20,
        fence);
  }

  private PostgresSettings loaderSettings() {
    return WarehouseSettings.fromEnv(ServiceEnv.with(jobEnv(Map.of())), true).postgres();
  }

  /** A table's whole change feed, as the load reads it (its new states). */
  private Dataset<Row> changeFeed(SilverTables.Table table) {
    return WarehouseLoadJob.newStates(
        spark
            .read()
            .format("delta")
            .option("readChangeFeed", "true")
            .option("startingVersion", 0)
            .load(lake(table)),
        table);
  }

  private SparkSubmit submit() {
    return SparkSubmit.ofModuleJar(env);
  }

  private String lake(SilverTables.Table t) {
    return s3.lakeUri(t.path(base + "/silver"));
  }

  /** The id of the table query's next batch: one past its newest checkpoint commit. */
  private long nextBatch(String table) {
    String prefix = base + "/_checkpoints/warehouse/" + table + "/commits/";
    try (S3Client client = s3.newClient()) {
      return client
              .listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(prefix))
              .contents()
              .stream()
              .map(S3Object::key)
              .map(k -> k.substring(prefix.length()))
              .filter(k -> k.matches("\\d+"))
              .mapToLong(Long::parseLong)
              .max()
              .orElse(-1)
          + 1;
    }
  }

  private void createDatabase() throws SQLException {
    try (Connection c =
            DriverManager.getConnection(admin.jdbcUrl("postgres"), admin.user(), admin.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database + " ENCODING 'UTF8' TEMPLATE template0");
    }
    Path migrations = Path.of(System.getProperty("runnel.migrations", "missing"));
    assertThat(Files.isDirectory(migrations)).as("migrations at " + migrations).isTrue();
    Flyway.configure()
        .dataSource(admin.jdbcUrl(database), admin.user(), admin.password())
        .locations("filesystem:" + migrations)
        .load()
        .migrate();
  }

  private void dropDatabase() throws SQLException {
    try (Connection c =
            DriverManager.getConnection(admin.jdbcUrl("postgres"), admin.user(), admin.password());
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  /** The tests read as the loader, too: what it may read is what it wrote. */
  private Connection loaderConnection() throws SQLException {
    return DriverManager.getConnection(
        admin.jdbcUrl(database), "runnel_loader", env.required("RUNNEL_PG_LOADER_PASSWORD"));
  }

  private int execute(String statement) throws SQLException {
    try (Connection c = loaderConnection();
        Statement s = c.createStatement()) {
      return s.executeUpdate(statement);
    }
  }

  private void adminExecute(String statement) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(admin.jdbcUrl(database), admin.user(), admin.password());
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private List<String> pgStrings(String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = loaderConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private long pgLong(String query) throws SQLException {
    return Long.parseLong(pgString(query));
  }

  private String pgString(String query) throws SQLException {
    try (Connection c = loaderConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1];
  }
}
