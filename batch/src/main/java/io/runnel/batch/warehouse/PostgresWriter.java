package io.runnel.batch.warehouse;

import io.runnel.common.Failpoint;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes one micro-batch of one table into PostgreSQL, exactly once: in a single transaction it
 * checks the load log for the batch, COPYs the rows into a temporary staging table, merges them
 * into the target with {@code INSERT ... ON CONFLICT}, and records the batch in the load log. A
 * batch that Spark re-runs after a crash (its checkpoint commit never happened) finds itself in the
 * log and changes nothing; a crash before the commit leaves nothing behind.
 *
 * <p>The rows are encoded on the executors ({@link CopyRows}) and streamed to the driver one
 * partition at a time; the next partition is computed while the current one is copied.
 */
final class PostgresWriter {
  private final PostgresSettings postgres;
  private final LoadSql sql;
  private final String job;
  private final int chunkBytes;

  /** What one batch did. */
  record Outcome(long staged, long written, boolean alreadyLoaded, long copyMs, long mergeMs) {
    static Outcome skipped(long rows) {
      return new Outcome(rows, 0, true, 0, 0);
    }
  }

  PostgresWriter(PostgresSettings postgres, LoadSql sql, String job, int chunkBytes) {
    this.postgres = postgres;
    this.sql = sql;
    this.job = job;
    this.chunkBytes = chunkBytes;
  }

  /** Loads a batch of changes: the target's columns followed by {@link LoadSql#VERSION_COLUMN}. */
  Outcome write(Dataset<Row> changes, UUID queryId, long batchId) throws SQLException {
    try (Connection c = connect(postgres)) {
      CopyRows encoder = new CopyRows(changes.schema(), columnTypes(c), chunkBytes);
      // LZ4 in transit: a partition's chunks sit in the driver's memory (several copies while
      // Spark moves a task result) until they are copied.
      JavaRDD<byte[]> chunks =
          changes
              .queryExecution()
              .toRdd()
              .toJavaRDD()
              .mapPartitions(rows -> Lz4Chunks.compress(encoder.chunks(rows)));
      c.setAutoCommit(false);
      try {
        Outcome outcome = load(c, chunks, queryId, batchId);
        if (outcome.staged() == 0 || outcome.alreadyLoaded()) {
          c.rollback(); // nothing to record: an empty batch leaves no trace in the log
          return outcome;
        }
        Failpoint.reach("load.before-commit", batchId);
        Failpoint.reach("load." + sql.table() + ".before-commit", batchId);
        c.commit();
        // Between here and Spark's checkpoint commit a crash makes Spark re-run this batch; the
        // load log makes the re-run a no-op.
        Failpoint.reach("load.after-commit", batchId);
        Failpoint.reach("load." + sql.table() + ".after-commit", batchId);
        return outcome;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private Outcome load(Connection c, JavaRDD<byte[]> chunks, UUID queryId, long batchId)
      throws SQLException {
    Long logged = loggedRows(c, queryId, batchId);
    if (logged != null) {
      return Outcome.skipped(logged);
    }
    try (Statement s = c.createStatement()) {
      s.execute(sql.createStaging());
    }
    long started = System.nanoTime();
    long staged = copy(c, chunks);
    long copied = System.nanoTime();
    if (staged == 0) {
      return new Outcome(0, 0, false, 0, 0);
    }
    long written;
    long sourceVersion;
    try (Statement s = c.createStatement()) {
      written = s.executeLargeUpdate(sql.upsert());
      try (ResultSet rs = s.executeQuery(sql.sourceVersion())) {
        rs.next();
        sourceVersion = rs.getLong(1);
      }
    }
    try (PreparedStatement log = c.prepareStatement(LoadSql.logBatch())) {
      log.setString(1, job);
      log.setObject(2, queryId);
      log.setLong(3, batchId);
      log.setLong(4, written);
      log.setLong(5, sourceVersion);
      log.executeUpdate();
    }
    return new Outcome(
        staged,
        written,
        false,
        (copied - started) / 1_000_000,
        (System.nanoTime() - copied) / 1_000_000);
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

  /** Streams every partition's chunks into COPY; returns the rows PostgreSQL read. */
  private long copy(Connection c, JavaRDD<byte[]> chunks) throws SQLException {
    int partitions = chunks.getNumPartitions();
    // As many partitions at a time as Spark has cores, so that encoding uses them all.
    int group = Math.max(1, chunks.context().defaultParallelism());
    CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.copy());
    // A thread of this batch (it inherits the batch's Spark job properties) computes the next
    // group of partitions while the current one is copied.
    ExecutorService prefetch = Executors.newSingleThreadExecutor();
    try {
      Future<List<byte[]>[]> next = partitions > 0 ? fetch(prefetch, chunks, 0, group) : null;
      byte[] buffer = new byte[chunkBytes];
      copy.writeToCopy(CopyRows.HEADER, 0, CopyRows.HEADER.length);
      for (int first = 0; first < partitions; first += group) {
        List<byte[]>[] current = next.get();
        next = first + group < partitions ? fetch(prefetch, chunks, first + group, group) : null;
        for (List<byte[]> partition : current) {
          for (byte[] chunk : partition) {
            Lz4Chunks.decompress(chunk, buffer, (b, n) -> copy.writeToCopy(b, 0, n));
          }
        }
      }
      copy.writeToCopy(CopyRows.TRAILER, 0, CopyRows.TRAILER.length);
      return copy.endCopy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while copying", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("encoding a partition failed", e.getCause());
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
      prefetch.shutdownNow();
    }
  }

  private static Future<List<byte[]>[]> fetch(
      ExecutorService prefetch, JavaRDD<byte[]> chunks, int first, int group) {
    int[] ids =
        java.util.stream.IntStream.range(first, Math.min(first + group, chunks.getNumPartitions()))
            .toArray();
    return prefetch.submit(() -> chunks.collectPartitions(ids));
  }

  static Connection connect(PostgresSettings pg) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", pg.user());
    props.setProperty("password", pg.password());
    props.setProperty("ApplicationName", "runnel-load");
    // A dead server or network must fail the batch, not hang it.
    props.setProperty("connectTimeout", "10");
    props.setProperty("tcpKeepAlive", "true");
    // Memory for the one big sort (DISTINCT ON) and for the staging table, which lives in
    // session-local buffers: without these both spill to disk. Must be set before the session
    // touches a temporary table, hence at connection.
    props.setProperty("options", "-c work_mem=256MB -c temp_buffers=512MB");
    return DriverManager.getConnection(pg.jdbcUrl(), props);
  }

  /**
   * Checks at start that PostgreSQL answers, that the role is not a superuser (the loader must be
   * able to do only what it needs), and that the migrations created the targets and the load log.
   */
  static void preflight(PostgresSettings pg, Collection<LoadSql> targets, Duration timeout) {
    String where = "PostgreSQL at " + pg.host() + ":" + pg.port() + "/" + pg.database();
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
                  java.util.stream.Stream.of(LoadSql.LOAD_LOG))
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
      throw new ServiceUnavailableException(where + ": " + e.getMessage());
    }
  }
}
