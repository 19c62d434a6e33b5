package io.runnel.batch.bench;

import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The load benchmark's database chores, as the admin role (the loader may not truncate): {@code
 * --truncate} empties the silver tables, the load log and the rejects between runs; {@code --count}
 * prints the events' row and distinct-key counts, to check each run loaded every row once. Plain
 * JDBC: {@code java -cp runnel-batch.jar io.runnel.batch.bench.BenchDatabase --count}.
 */
public final class BenchDatabase {
  private BenchDatabase() {}

  public static void main(String[] args) throws SQLException {
    PostgresSettings admin =
        PostgresSettings.fromEnv(
            Env.system(), "RUNNEL_PG_ADMIN_USER", "runnel_admin", "RUNNEL_PG_ADMIN_PASSWORD");
    try (Connection c =
            DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
        Statement s = c.createStatement()) {
      if (args.length == 1 && args[0].equals("--truncate")) {
        s.execute(
            "TRUNCATE silver.events, silver.events_quarantine, silver.products,"
                + " silver.products_history, runnel.load_log, runnel.load_rejects");
        // Fresh statistics and no dead tuples: each run starts from the same state.
        s.execute("VACUUM ANALYZE silver.events");
      } else if (args.length == 1 && args[0].equals("--count")) {
        try (ResultSet rs =
            s.executeQuery("SELECT count(*), count(DISTINCT event_id) FROM silver.events")) {
          rs.next();
          System.out.println(rs.getLong(1) + " " + rs.getLong(2));
        }
      } else {
        throw new IllegalArgumentException("usage: BenchDatabase --truncate | --count");
      }
    }
  }
}
