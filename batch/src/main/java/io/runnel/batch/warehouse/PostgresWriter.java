package io.runnel.batch.warehouse;

import io.runnel.batch.warehouse.CopyRows.Part;
import io.runnel.common.Failpoint;
import io.runnel.common.Fence;
import io.runnel.common.PostgresSettings;
import io.runnel.common.Readiness;
import io.runnel.common.ServiceUnavailableException;
import io.runnel.common.SettingsException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one micro-batch of one table into PostgreSQL, exactly once: in a single transaction it
 * checks the load log for the batch, COPYs the rows into temporary staging tables, merges them into
 * the target with {@code INSERT ... ON CONFLICT}, and records the batch in the load log. A batch
 * that Spark re-runs after a crash (its checkpoint commit never happened) finds itself in the log
 * and changes nothing; a crash before the commit leaves nothing behind.
 *
 * <p>The rows are encoded on the executors ({@link CopyRows}) and handed to the driver a partition
 * at a time. Each partition's inserts are merged as soon as they are copied, so PostgreSQL merges
 * one partition while Spark encodes the next ones: the two sides work on different cores instead of
 * waiting for each other. The batch's updates (rows Silver replaced or changed: few) are gathered
 * in a staging table of their own and merged last, since an update is always newer than its row's
 * insert.
 *
 * <p>Inserts go in with a plain INSERT ({@link LoadSql#insert}). When one meets a key the target
 * already holds (a reload from a new checkpoint, a rebuilt Silver table, a concurrent loader), the
 * transaction rolls back and the batch is loaded again with {@code INSERT ... ON CONFLICT}, as are
 * the table's later batches in this run.
 *
 * <p>No row stops the load. A row PostgreSQL refuses (a constraint, a value out of its column's
 * range) fails the batch's transaction; it rolls back and the batch is loaded again with {@link
 * RowIsolation}, which records each refused row in {@link LoadSql#REJECTS} and loads every other
 * one, in the same transaction as the load-log row. Rows the executors cannot send (text holding
 * U+0000) are recorded there as they come, without a second attempt.
 */
final class PostgresWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);

  private final PostgresSettings postgres;
  private final LoadSql sql;
  private final String job;
  private final Set<String> nulReplaced;
  private final int chunkBytes;
  private final LoaderFence fence;

  /** Set once a batch's inserts met keys the target held: merge every insert from then on. */
  private boolean mergeInserts;

  /**
   * What one batch did: rows staged (refused ones included), rows written, rows refused (recorded
   * in the rejects table).
   */
  record Outcome(
      long staged, long written, long rejected, boolean alreadyLoaded, long copyMs, long mergeMs) {
    static Outcome skipped(long rows) {
      return new Outcome(rows, 0, 0, true, 0, 0);
    }
  }

  /**
   * @param nulReplaced the text columns whose U+0000 is replaced instead of refusing the row
   *     ({@link CopyRows})
   * @param fence the loader's fencing token, checked in each batch's transaction before its COMMIT
   */
  PostgresWriter(
      PostgresSettings postgres,
      LoadSql sql,
      String job,
      Set<String> nulReplaced,
      int chunkBytes,
      LoaderFence fence) {
    this.postgres = postgres;
    this.fence = fence;
    this.sql = sql;
    this.job = job;
    this.nulReplaced = Set.copyOf(nulReplaced);
    this.chunkBytes = chunkBytes;
  }

  /**
   * Loads a batch of changes: the target's columns, then {@link LoadSql#VERSION_COLUMN}, then the
   * Delta change type.
   */
  Outcome write(Dataset<Row> changes, UUID queryId, long batchId) throws SQLException {
    try {
      return writeOrFail(changes, queryId, batchId);
    } catch (SQLException e) {
      // A successor that took over ends this loader's sessions: say so, not "PostgreSQL failed".
      Optional<Fence.FencedException> fenced = fence.movedOn(postgres);
      if (fenced.isPresent()) {
        fenced.get().addSuppressed(e);
        throw fenced.get();
      }
      ServiceUnavailableException unavailable =
          postgres.unavailable(
              e,
              "loading batch " + batchId + " of " + sql.target(),
              "run the load again: the batch rolled back, and the load resumes from its"
                  + " checkpoint");
      if (unavailable != null) {
        throw unavailable;
      }
      throw e;
    }
  }

  private Outcome writeOrFail(Dataset<Row> changes, UUID queryId, long batchId)
      throws SQLException {
    try (Connection c = connect(postgres, fence.session())) {
      StructType encoded =
          new StructType(Arrays.copyOf(changes.schema().fields(), changes.schema().size() - 1));
      List<String> types = columnTypes(c);
      CopyRows encoder = new CopyRows(encoded, types, nulReplaced, chunkBytes);
      int changeType = encoded.size();
      // LZ4 in transit: a partition's chunks sit in the driver's memory (several copies while
      // Spark moves a task result) until they are copied.
      JavaRDD<CopyRows.Chunk> chunks =
          changes
              .queryExecution()
              .toRdd()
              .toJavaRDD()
              .mapPartitions(rows -> Lz4Chunks.compress(encoder.chunks(rows, changeType)));
      c.setAutoCommit(false);
      try {
        Outcome outcome = loadOrMerge(c, chunks, types, queryId, batchId);
        if (outcome.staged() == 0 || outcome.alreadyLoaded()) {
          c.rollback(); // nothing to record: an empty batch leaves no trace in the log
          return outcome;
        }
        Failpoint.reach("load.before-commit", batchId);
        Failpoint.reach("load." + sql.table() + ".before-commit", batchId);
        // Fencing: the same transaction, immediately before its COMMIT.
        fence.confirm(c);
        c.commit();
        // Between here and Spark's checkpoint commit a crash makes Spark re-run this batch; the
        // load log makes the re-run a no-op.
        Failpoint.reach("load.after-commit", batchId);
        Failpoint.reach("load." + sql.table() + ".after-commit", batchId);
        return outcome;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailed) {
          // A broken connection: the server rolls the transaction back itself; report the cause.
          e.addSuppressed(rollbackFailed);
        }
        throw e;
      }
    }
  }

  /**
   * Loads the batch with plain inserts; if a key is already there, again with merges; if PostgreSQL
   * refuses a row, again with the refused rows isolated.
   */
  private Outcome loadOrMerge(
      Connection c, JavaRDD<CopyRows.Chunk> chunks, List<String> types, UUID queryId, long batchId)
      throws SQLException {
    boolean isolate = false;
    while (true) {
      try {
        return load(c, chunks, types, queryId, batchId, isolate);
      } catch (SQLException e) {
        boolean keysPresent =
            !mergeInserts && PSQLState.UNIQUE_VIOLATION.getState().equals(e.getSQLState());
        if (!keysPresent && (isolate || !RowIsolation.refusesRows(e, mergeInserts))) {
          throw e;
        }
        c.rollback();
        if (keysPresent) {
          mergeInserts = true;
          LOG.info(
              "{} batch {}: {} already holds some of its rows (a reload, or another loader):"
                  + " loading it again, and this run's later batches, with INSERT ... ON CONFLICT",
              job,
              batchId,
              sql.target());
        } else {
          isolate = true;
          LOG.warn(
              "{} batch {}: PostgreSQL refused a row ({}): loading the batch again, the refused"
                  + " rows into {}",
              job,
              batchId,
              RowIsolation.reason(e),
              LoadSql.REJECTS);
        }
      }
    }
  }

  /**
   * One attempt at a batch. {@code isolate}: staging tables without type modifiers, and each
   * staging table screened for refused rows before it is moved.
   */
  private Outcome load(
      Connection c,
      JavaRDD<CopyRows.Chunk> chunks,
      List<String> types,
      UUID queryId,
      long batchId,
      boolean isolate)
      throws SQLException {
    Long logged = loggedRows(c, queryId, batchId);
    if (logged != null) {
      return Outcome.skipped(logged);
    }
    RowIsolation isolation = new RowIsolation(c, sql, job, queryId, batchId);
    try (Statement s = c.createStatement();
        Partitions partitions = new Partitions(chunks)) {
      for (String staging : List.of(sql.staging(), sql.updatesStaging())) {
        s.execute(
            isolate ? sql.createLooseStaging(staging, types, false) : sql.createStaging(staging));
      }
      Timer copyTime = new Timer();
      Timer mergeTime = new Timer();
      String moveInserts = mergeInserts ? sql.upsert(sql.staging()) : sql.insert(sql.staging());
      long inserts = 0;
      long updates = 0;
      long refused = 0;
      long rejected = 0;
      long written = 0;
      long sourceVersion = Long.MIN_VALUE;
      while (partitions.hasNext()) {
        List<CopyRows.Chunk> partition = copyTime.time(partitions::next);
        long copied = copyTime.time(() -> copy(c, sql.staging(), partition, Part.INSERTS));
        if (copied > 0) {
          inserts += copied;
          if (isolate) {
            rejected += mergeTime.time(() -> isolation.screen(sql.staging(), mergeInserts));
          }
          written += mergeTime.time(() -> s.executeLargeUpdate(moveInserts));
          sourceVersion = Math.max(sourceVersion, maxVersion(s, sql.staging()));
          s.execute(sql.truncateStaging());
        }
        updates += copyTime.time(() -> copy(c, sql.updatesStaging(), partition, Part.UPDATES));
        if (refused == 0 && partition.stream().anyMatch(k -> k.part() == Part.REFUSED)) {
          s.execute(sql.createLooseStaging(sql.refusedStaging(), types, true));
        }
        refused += copyTime.time(() -> copy(c, sql.refusedStaging(), partition, Part.REFUSED));
      }
      if (updates > 0) {
        if (isolate) {
          rejected += mergeTime.time(() -> isolation.screen(sql.updatesStaging(), true));
        }
        // So that the counts below look up the few updated keys instead of scanning the target.
        s.execute("ANALYZE " + sql.updatesStaging());
        long before = single(s, sql.writtenByThisTransaction());
        mergeTime.time(() -> s.executeLargeUpdate(sql.upsert(sql.updatesStaging())));
        written += single(s, sql.writtenByThisTransaction()) - before;
        sourceVersion = Math.max(sourceVersion, maxVersion(s, sql.updatesStaging()));
      }
      if (refused > 0) {
        isolation.recordRefusedByTheExecutors();
        rejected += refused;
        sourceVersion = Math.max(sourceVersion, maxVersion(s, sql.refusedStaging()));
      }
      long staged = inserts + updates + refused;
      if (staged == 0) {
        return new Outcome(0, 0, 0, false, 0, 0);
      }
      try (PreparedStatement log = c.prepareStatement(LoadSql.logBatch())) {
        log.setString(1, job);
        log.setObject(2, queryId);
        log.setLong(3, batchId);
        log.setLong(4, written);
        log.setLong(5, sourceVersion);
        log.setLong(6, rejected);
        log.setLong(7, fence.epoch());
        log.executeUpdate();
      }
      return new Outcome(staged, written, rejected, false, copyTime.millis(), mergeTime.millis());
    }
  }

  private long maxVersion(Statement s, String staging) throws SQLException {
    return single(s, sql.sourceVersion(staging));
  }

  /** The one number a query returns. */
  static long single(Statement s, String query) throws SQLException {
    try (ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Adds up the time spent in one kind of step. */
  private static final class Timer {
    interface Step<T> {
      T run() throws SQLException;
    }

    private long nanos;

    <T> T time(Step<T> step) throws SQLException {
      long started = System.nanoTime();
      try {
        return step.run();
      } finally {
        nanos += System.nanoTime() - started;
      }
    }

    long millis() {
      return nanos / 1_000_000;
    }
  }

  /** The PostgreSQL type of each COPY column (the target's columns, then the Delta version). */
  private List<String> columnTypes(Connection c) throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (PreparedStatement p = c.prepareStatement(LoadSql.columnTypes())) {
      p.setString(1, sql.target());
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String column : sql.columns()) {
      String type = types.get(column);
      if (type == null) {
        throw new ServiceUnavailableException(
            sql.target() + " has no column " + column + ": migrate the database first");
      }
      out.add(type);
    }
    out.add("int8"); // LoadSql.VERSION_COLUMN
    return out;
  }

  private Long loggedRows(Connection c, UUID queryId, long batchId) throws SQLException {
    try (PreparedStatement find = c.prepareStatement(LoadSql.findBatch())) {
      find.setString(1, job);
      find.setObject(2, queryId);
      find.setLong(3, batchId);
      try (ResultSet rs = find.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  /**
   * COPYs a partition's chunks of one part into {@code staging}; returns the rows PostgreSQL read
   * (0, and no COPY, when the partition has none).
   */
  private long copy(Connection c, String staging, List<CopyRows.Chunk> partition, Part part)
      throws SQLException {
    if (partition.stream().noneMatch(chunk -> chunk.part() == part)) {
      return 0;
    }
    CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.copy(staging));
    try {
      byte[] buffer = new byte[chunkBytes];
      copy.writeToCopy(CopyRows.HEADER, 0, CopyRows.HEADER.length);
      for (CopyRows.Chunk chunk : partition) {
        if (chunk.part() == part) {
          Lz4Chunks.decompress(chunk, buffer, (b, n) -> copy.writeToCopy(b, 0, n));
        }
      }
      copy.writeToCopy(CopyRows.TRAILER, 0, CopyRows.TRAILER.length);
      return copy.endCopy();
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
  }

  /**
   * The encoded partitions of a batch, in order, each fetched by a job of its own: half as many
   * jobs at a time as Spark has cores (at least one), and up to twice as many partitions as cores
   * ahead of the one being copied and merged, so the driver holds a bounded amount. One task
   * encodes a partition faster than PostgreSQL merges one, so more jobs at a time only take cores
   * from the merge where the two share a machine (BENCHMARKS.md: 6 pairs on {@code local[2]}). The
   * fetching threads are this batch's (they inherit its Spark job properties).
   */
  private static final class Partitions implements AutoCloseable {
    private final JavaRDD<CopyRows.Chunk> chunks;
    private final ExecutorService jobs;
    private final int ahead;
    private final Deque<Future<List<CopyRows.Chunk>>> window = new ArrayDeque<>();
    private int submitted;

    Partitions(JavaRDD<CopyRows.Chunk> chunks) {
      this.chunks = chunks;
      int cores = Math.max(1, chunks.context().defaultParallelism());
      this.jobs = Executors.newFixedThreadPool(Math.max(1, cores / 2));
      this.ahead = 2 * cores;
      fill();
    }

    boolean hasNext() {
      return !window.isEmpty();
    }

    /** The next partition's chunks. */
    List<CopyRows.Chunk> next() {
      try {
        List<CopyRows.Chunk> partition = window.removeFirst().get();
        fill();
        return partition;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while encoding", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("encoding a partition failed", e.getCause());
      }
    }

    private void fill() {
      while (window.size() < ahead && submitted < chunks.getNumPartitions()) {
        int[] id = {submitted++};
        window.addLast(jobs.submit(() -> chunks.collectPartitions(id)[0]));
      }
    }

    @Override
    public void close() {
      jobs.shutdownNow();
    }
  }

  static Connection connect(PostgresSettings pg) throws SQLException {
    return connect(pg, "runnel-load");
  }

  /** A session named {@code applicationName}: a batch's is its fence's ({@link LoaderFence}). */
  static Connection connect(PostgresSettings pg, String applicationName) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", pg.user());
    props.setProperty("password", pg.password());
    props.setProperty("ApplicationName", applicationName);
    // The URL carries the timeouts (PostgresSettings.Timeouts): a dead server or a half-open
    // connection fails the batch within them instead of hanging it. Memory for the one big sort
    // (DISTINCT ON) and for the staging table, which lives in session-local buffers: without
    // these both spill to disk. Must be set before the session touches a temporary table, hence
    // at connection. UTC: the rejects table's keys and values are times written as text.
    return DriverManager.getConnection(
        pg.jdbcUrl(
            pg.database(), Map.of("work_mem", "256MB", "temp_buffers", "512MB", "TimeZone", "UTC")),
        props);
  }

  /**
   * Checks at start that PostgreSQL answers, that the role is not a superuser (the loader must be
   * able to do only what it needs), and that the migrations created the targets and the load log.
   */
  static void preflight(PostgresSettings pg, Collection<LoadSql> targets, Duration timeout) {
    String where = pg.where();
    try (Connection c = Readiness.await(where, timeout, () -> connect(pg))) {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
        if (rs.next() && rs.getBoolean(1)) {
          throw new SettingsException(
              WarehouseSettings.LOADER_USER
                  + " names the superuser "
                  + pg.user()
                  + ": the loader runs as runnel_loader, which can only write silver.* and the"
                  + " load log");
        }
      }
      for (String table :
          java.util.stream.Stream.concat(
                  targets.stream().map(LoadSql::target),
                  java.util.stream.Stream.of(
                      LoadSql.LOAD_LOG, LoadSql.REJECTS, LoadSql.WRITER_FENCE))
              .toList()) {
        try (PreparedStatement p =
            c.prepareStatement(
                "SELECT to_regclass(?) IS NOT NULL AND has_table_privilege(?, 'INSERT')")) {
          p.setString(1, table);
          p.setString(2, table);
          try (ResultSet rs = p.executeQuery()) {
            if (!rs.next() || !rs.getBoolean(1)) {
              throw new ServiceUnavailableException(
                  table
                      + " does not exist in "
                      + where
                      + " or "
                      + pg.user()
                      + " may not insert into it: migrate the database first (./runnel up, or"
                      + " runnel-platform.jar pg-init)");
            }
          }
        }
      }
    } catch (SQLException e) {
      ServiceUnavailableException unavailable =
          pg.unavailable(e, "checking the loader's tables", "run the load again");
      throw unavailable != null
          ? unavailable
          : new ServiceUnavailableException(where + ": " + e.getMessage());
    }
  }
}
