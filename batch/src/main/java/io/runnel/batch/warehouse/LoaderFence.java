package io.runnel.batch.warehouse;

import io.runnel.common.Fence;
import io.runnel.common.PostgresSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A loader's fencing token in PostgreSQL ({@link LoadSql#WRITER_FENCE}): the loader that holds the
 * writer lease on a set of checkpoints takes the fence's next epoch when it starts, and every batch
 * transaction checks, just before its COMMIT and in the same transaction, that the epoch is still
 * its own. A loader paused past its lease (GC, SIGSTOP) whose successor has taken over finds a
 * newer epoch and rolls back: the check and the commit are one transaction, so no window is left
 * between them.
 *
 * @param name the fence: the loader's checkpoint root, one loader per set of checkpoints
 * @param epoch this loader's epoch
 */
record LoaderFence(String name, long epoch) {
  /** Takes the next epoch of {@code name}; committed at once, so a paused predecessor sees it. */
  static LoaderFence take(PostgresSettings postgres, String name, String holder)
      throws SQLException {
    try (Connection c = PostgresWriter.connect(postgres);
        PreparedStatement p = c.prepareStatement(LoadSql.takeFence())) {
      p.setString(1, name);
      p.setString(2, holder);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return new LoaderFence(name, rs.getLong(1));
      }
    }
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
          throw new Fence.FencedException(
              "fenced: another loader ("
                  + (now < 0 ? "none: the fence row is gone" : rs.getString(2) + ", epoch " + now)
                  + ") took over "
                  + name
                  + " while this one (epoch "
                  + epoch
                  + ") was paused; nothing was committed");
        }
      }
    }
  }
}
