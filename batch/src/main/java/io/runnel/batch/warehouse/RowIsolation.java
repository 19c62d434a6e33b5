package io.runnel.batch.warehouse;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

/**
 * The rows of a batch that PostgreSQL refuses, found and set aside so that one row cannot stop the
 * load (issue 20): each goes to {@link LoadSql#REJECTS}, with its key, coordinates, values and
 * PostgreSQL's reason, and every other row is loaded.
 *
 * <p>Rows the executors refuse ({@link CopyRows.Part#REFUSED}) are recorded as they come. Only a
 * batch that failed on a row is isolated ({@link PostgresWriter} rolls it back and loads it again
 * with this), so the normal path pays nothing. For each staging table, the newest version of each
 * key (the rows the merge would write) is numbered; ranges of them are inserted into the target
 * under a savepoint and always rolled back, halving a range that fails down to single rows ({@link
 * #refused}). The refused rows are recorded and removed from the staging table, and the search runs
 * again, since an older version of a refused key in the same batch may now win. The caller's own
 * statement then moves the staging table as in a batch with no refusal, outside any savepoint: the
 * rows it writes carry the transaction's id, which the load's count of written rows relies on
 * ({@link LoadSql#writtenByThisTransaction}).
 */
final class RowIsolation {
  /** The longest reason kept: a refusal is one line, a message is rarely longer. */
  static final int MAX_REASON = 1_000;

  private static final String SAVEPOINT = "load_probe";

  /** A row PostgreSQL refused: its number among the winners, and why. */
  record Refusal(long row, String reason) {}

  /** Writes the rows numbered first to last, then undoes it. */
  interface Probe {
    /** Null when PostgreSQL took the rows, else its refusal. */
    SQLException tryRows(long first, long last) throws SQLException;
  }

  private final Connection c;
  private final LoadSql sql;
  private final String job;
  private final UUID queryId;
  private final long batchId;

  RowIsolation(Connection c, LoadSql sql, String job, UUID queryId, long batchId) {
    this.c = c;
    this.sql = sql;
    this.job = job;
    this.queryId = queryId;
    this.batchId = batchId;
  }

  /**
   * Pure: the rows among 1 to {@code rows} that PostgreSQL refuses, in order. A range it takes is
   * done; one it refuses is halved, down to single rows, whose refusals are the reasons. One
   * refused row among n costs about 2 log2(n) probes.
   */
  static List<Refusal> refused(long rows, Probe probe) throws SQLException {
    List<Refusal> out = new ArrayList<>();
    if (rows > 0) {
      bisect(1, rows, probe, out);
    }
    return out;
  }

  private static void bisect(long first, long last, Probe probe, List<Refusal> out)
      throws SQLException {
    SQLException refusal = probe.tryRows(first, last);
    if (refusal == null) {
      return;
    }
    if (first == last) {
      out.add(new Refusal(first, reason(refusal)));
      return;
    }
    long middle = first + (last - first) / 2;
    bisect(first, middle, probe, out);
    bisect(middle + 1, last, probe, out);
  }

  /**
   * Whether PostgreSQL refused a row rather than the load: a data exception (class 22: a value out
   * of its type's range, too long, not valid in the encoding) or an integrity constraint violation
   * (class 23: NOT NULL, CHECK, a unique or foreign key). A unique violation of a plain insert is
   * not one: the target holds the key, and the writer merges instead ({@code merging} false).
   */
  static boolean refusesRows(SQLException e, boolean merging) {
    String state = e.getSQLState();
    if (state == null) {
      return false;
    }
    if (!merging && PSQLState.UNIQUE_VIOLATION.getState().equals(state)) {
      return false;
    }
    return state.startsWith("22") || state.startsWith("23");
  }

  /**
   * Pure: a refusal as the rejects table records it, one line: {@code SQLSTATE: message}, with
   * PostgreSQL's primary message only (its detail repeats the row, which row_values holds).
   */
  static String reason(SQLException e) {
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    String message = server != null && server.getMessage() != null ? server.getMessage() : "";
    if (message.isBlank()) {
      message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return reason(e.getSQLState() == null ? "?????" : e.getSQLState(), message);
  }

  static String reason(String sqlState, String message) {
    String line = sqlState + ": " + message.strip().replaceAll("\\s+", " ");
    return line.length() <= MAX_REASON ? line : line.substring(0, MAX_REASON - 1) + "…";
  }

  /**
   * Sets aside the rows of a staging table that its move into the target ({@link LoadSql#insert},
   * or {@link LoadSql#upsert} when {@code merging}) would be refused: records them in the rejects
   * table and deletes them from the staging table. Returns how many were refused.
   */
  long screen(String staging, boolean merging) throws SQLException {
    long refused = 0;
    try (Statement s = c.createStatement();
        PreparedStatement move = c.prepareStatement(sql.moveWinners(merging))) {
      while (true) {
        s.execute(sql.createWinners(staging));
        s.execute(sql.indexWinners());
        long rows = PostgresWriter.single(s, "SELECT count(*) FROM " + sql.winners());
        s.execute("SAVEPOINT " + SAVEPOINT);
        List<Refusal> found = refused(rows, (first, last) -> probe(s, move, merging, first, last));
        s.execute("RELEASE SAVEPOINT " + SAVEPOINT);
        if (!found.isEmpty()) {
          record(staging, found);
          refused += found.size();
        }
        s.execute("DROP TABLE " + sql.winners());
        if (found.isEmpty()) {
          return refused;
        }
      }
    }
  }

  private static SQLException probe(
      Statement s, PreparedStatement move, boolean merging, long first, long last)
      throws SQLException {
    move.setLong(1, first);
    move.setLong(2, last);
    try {
      move.executeUpdate();
      return null;
    } catch (SQLException e) {
      if (!refusesRows(e, merging)) {
        throw e;
      }
      return e;
    } finally {
      s.execute("ROLLBACK TO SAVEPOINT " + SAVEPOINT);
    }
  }

  private void record(String staging, List<Refusal> found) throws SQLException {
    try (PreparedStatement reject = c.prepareStatement(sql.rejectWinner())) {
      for (Refusal r : found) {
        reject.setString(1, r.reason());
        batchIdentity(reject, 2);
        reject.setLong(5, r.row());
        reject.addBatch();
      }
      reject.executeBatch();
    }
    try (PreparedStatement remove = c.prepareStatement(sql.removeWinners(staging))) {
      Array rows = c.createArrayOf("bigint", found.stream().map(Refusal::row).toArray());
      remove.setArray(1, rows);
      remove.executeUpdate();
    }
  }

  /** Records the rows the executors refused, copied into {@link LoadSql#refusedStaging}. */
  void recordRefusedByTheExecutors() throws SQLException {
    try (PreparedStatement reject = c.prepareStatement(sql.rejectRefused())) {
      batchIdentity(reject, 1);
      reject.executeUpdate();
    }
  }

  private void batchIdentity(PreparedStatement p, int first) throws SQLException {
    p.setString(first, job);
    p.setObject(first + 1, queryId);
    p.setLong(first + 2, batchId);
  }
}
