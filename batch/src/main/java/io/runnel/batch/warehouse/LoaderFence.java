package io.runnel.batch.warehouse;

import io.runnel.common.Fence;
import io.runnel.common.PostgresSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loader's fencing token in PostgreSQL ({@link LoadSql#WRITER_FENCE}): the loader that holds the
 * writer lease on a set of checkpoints takes the fence's next epoch when it starts, and every batch
 * transaction checks, just before its COMMIT and in the same transaction, that the epoch is still
 * its own. A loader paused past its lease (GC, SIGSTOP) whose successor has taken over finds a
 * newer epoch and rolls back: the check and the commit are one transaction, so no window is left
 * between them.
 *
 * <p>A frozen loader also holds PostgreSQL locks: the fence row's, if it froze between the check
 * and the commit, which would block the successor's take; its batch's rows, which would block the
 * successor's batches on the same keys until a statement timeout, again at every restart. Every
 * session of a loader is named after its fence ({@link #session}), and the successor, which holds
 * the writer lease, ends the sessions of that name before it takes the fence: their transactions
 * roll back and their locks go. A loader that resumes finds its session gone and the fence moved on
 * ({@link #movedOn}), and stops with the fencing line.
 *
 * @param name the fence: the loader's checkpoint root, one loader per set of checkpoints
 * @param epoch this loader's epoch
 */
record LoaderFence(String name, long epoch) {
  private static final Logger LOG = LoggerFactory.getLogger(LoaderFence.class);

  /**
   * Takes the next epoch of {@code name}, committed at once so that a paused predecessor sees it,
   * after ending the PostgreSQL sessions a predecessor left (run it only while holding the writer
   * lease, which makes every other session of this fence a predecessor's).
   */
  static LoaderFence take(PostgresSettings postgres, String name, String holder)
      throws SQLException {
    try (Connection c = PostgresWriter.connect(postgres, session(name))) {
      try (PreparedStatement end = c.prepareStatement(LoadSql.endSessions())) {
        end.setString(1, session(name));
        try (ResultSet rs = end.executeQuery()) {
          while (rs.next()) {
            LOG.warn(
                "ended PostgreSQL session {} of an earlier loader of {} ({}, since {}): it was"
                    + " frozen or gone past its lease; its open transaction rolls back",
                rs.getInt(1),
                name,
                rs.getString(2),
                rs.getTimestamp(3).toInstant());
          }
        }
      }
      try (PreparedStatement p = c.prepareStatement(LoadSql.takeFence())) {
        p.setString(1, name);
        p.setString(2, holder);
        try (ResultSet rs = p.executeQuery()) {
          rs.next();
          return new LoaderFence(name, rs.getLong(1));
        }
      }
    }
  }

  /**
   * The PostgreSQL application name of every session of the loaders of {@code name}: "runnel-load"
   * and a hash of the fence (an application name holds at most 63 bytes, a checkpoint root more).
   */
  static String session(String name) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return "runnel-load " + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** This loader's sessions' application name. */
  String session() {
    return session(name);
  }

  /**
   * After a batch failed: the fencing line, if a successor has taken the fence meanwhile (and, say,
   * ended this loader's session), else empty. Empty too when PostgreSQL does not answer.
   */
  Optional<Fence.FencedException> movedOn(PostgresSettings postgres) {
    // Spark interrupts a batch's thread when it stops the query (the lease lost, say); the JDBC
    // driver would then fail this read too.
    boolean interrupted = Thread.interrupted();
    try (Connection c = PostgresWriter.connect(postgres, session());
        PreparedStatement p = c.prepareStatement(LoadSql.readFence())) {
      p.setString(1, name);
      try (ResultSet rs = p.executeQuery()) {
        long now = rs.next() ? rs.getLong(1) : -1;
        return now == epoch
            ? Optional.empty()
            : Optional.of(fenced(now, now < 0 ? null : rs.getString(2)));
      }
    } catch (SQLException e) {
      return Optional.empty();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Fence.FencedException fenced(long now, String holder) {
    return new Fence.FencedException(
        "fenced: another loader ("
            + (now < 0 ? "none: the fence row is gone" : holder + ", epoch " + now)
            + ") took over "
            + name
            + " while this one (epoch "
            + epoch
            + ") was paused; nothing was committed");
  }

  /**
   * In a batch's transaction, just before its COMMIT: returns when the epoch is still this
   * loader's, and holds the fence's row (FOR SHARE) until the transaction ends.
   *
   * @throws Fence.FencedException when a successor took the fence over
   */
  void confirm(Connection c) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(LoadSql.checkFence())) {
      p.setString(1, name);
      try (ResultSet rs = p.executeQuery()) {
        long now = rs.next() ? rs.getLong(1) : -1;
        if (now != epoch) {
          throw fenced(now, now < 0 ? null : rs.getString(2));
        }
      }
    }
  }
}
