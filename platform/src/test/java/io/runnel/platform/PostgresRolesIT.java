package io.runnel.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.testing.ServiceEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three roles on the real server, after the migrations: each can do what its name says, and
 * what it must not do is denied by PostgreSQL itself (SQLSTATE 42501).
 */
class PostgresRolesIT {
  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  /** A refused row, as the loader records it. */
  private static final String REJECT =
      "INSERT INTO runnel.load_rejects (target_table, row_key, source_version, reason, job,"
          + " query_id, batch_id) VALUES ('silver.events', 'k', 1, '23514: x', 'it-load',"
          + " gen_random_uuid(), 1)";

  private static Env env;
  private static PostgresSettings admin;
  private static String probe;
  private static String martSchema;

  @BeforeAll
  static void createObjectsTheRolesWorkOn() throws SQLException {
    env = ServiceEnv.get();
    admin =
        PostgresSettings.fromEnv(
            env, WarehouseRoles.ADMIN_USER, "runnel_admin", WarehouseRoles.ADMIN_PASSWORD);
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    probe = "silver.it_probe_" + suffix;
    martSchema = "it_marts_" + suffix;
    // As a later migration would: a Silver table created by the admin role.
    execute(admin, "CREATE TABLE " + probe + " (id int PRIMARY KEY, v text)");
    // As dbt would: the transformer builds its own schema and a table in it.
    execute(as(WarehouseRoles.TRANSFORMER), "CREATE SCHEMA " + martSchema);
    execute(
        as(WarehouseRoles.TRANSFORMER),
        "CREATE TABLE " + martSchema + ".fct_probe AS SELECT 1 AS id");
  }

  @AfterAll
  static void dropThem() throws SQLException {
    if (admin == null) {
      return;
    }
    execute(admin, "DROP TABLE IF EXISTS " + probe);
    execute(admin, "DROP SCHEMA IF EXISTS " + martSchema + " CASCADE");
    execute(admin, "DELETE FROM runnel.load_log WHERE job LIKE 'it-%'");
    execute(admin, "DELETE FROM runnel.load_rejects WHERE job LIKE 'it-%'");
    execute(admin, "DELETE FROM runnel.writer_fence WHERE fence LIKE 'it-%'");
    execute(admin, "DROP ROLE IF EXISTS it_stranger");
  }

  @Test
  void noRoleHoldsAnyPowerBeyondItsGrants() throws SQLException {
    try (Connection c = connect(admin);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT rolname, rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication"
                    + " OR rolbypassrls FROM pg_roles WHERE rolname LIKE 'runnel\\_%'"
                    + " AND rolname <> current_user ORDER BY rolname")) {
      int roles = 0;
      while (rs.next()) {
        assertThat(rs.getBoolean(2)).as(rs.getString(1) + " is privileged").isFalse();
        roles++;
      }
      assertThat(roles).isEqualTo(3);
    }
  }

  @Test
  void loaderWritesSilverAndAppendsToTheLoadLogOnly() throws SQLException {
    PostgresSettings loader = as(WarehouseRoles.LOADER);
    assertAllowed(
        loader,
        "INSERT INTO " + probe + " VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = excluded.v");
    assertAllowed(
        loader,
        "INSERT INTO " + probe + " VALUES (1, 'b') ON CONFLICT (id) DO UPDATE SET v = excluded.v");
    assertAllowed(loader, "SELECT count(*) FROM " + probe);
    assertAllowed(
        loader,
        "INSERT INTO runnel.load_log (job, query_id, batch_id, rows_loaded)"
            + " VALUES ('it-load', gen_random_uuid(), 1, 2)");
    // The rows PostgreSQL refuses (migration V7).
    assertAllowed(
        loader, REJECT + " ON CONFLICT ON CONSTRAINT load_rejects_row_version DO NOTHING");
    // The loader's fencing token (migration V8): taken (the next epoch) and checked FOR SHARE.
    assertAllowed(
        loader,
        "INSERT INTO runnel.writer_fence AS f (fence, epoch, holder) VALUES ('it-fence', 1, 'it')"
            + " ON CONFLICT (fence) DO UPDATE SET epoch = f.epoch + 1");
    assertAllowed(
        loader, "SELECT epoch FROM runnel.writer_fence WHERE fence = 'it-fence' FOR SHARE");
    // Staging tables for COPY are temporary.
    assertAllowed(loader, "CREATE TEMP TABLE staging_probe (id int)");

    assertDenied(loader, "DELETE FROM " + probe);
    assertDenied(loader, "TRUNCATE " + probe);
    assertDenied(loader, "DROP TABLE " + probe);
    assertDenied(loader, "UPDATE runnel.load_log SET rows_loaded = 0");
    assertDenied(loader, "DELETE FROM runnel.load_log");
    assertDenied(loader, "UPDATE runnel.load_rejects SET reason = ''");
    assertDenied(loader, "DELETE FROM runnel.load_rejects");
    assertDenied(loader, "DELETE FROM runnel.writer_fence");
    assertDenied(loader, REJECT.replace("load_rejects", "load_rejects_missing"));
    assertDenied(loader, "CREATE TABLE silver.loader_made (id int)");
    assertDenied(loader, "CREATE TABLE public.loader_made (id int)");
    assertDenied(loader, "CREATE SCHEMA loader_made");
    assertDenied(loader, "SELECT * FROM " + martSchema + ".fct_probe");
  }

  @Test
  void transformerBuildsItsOwnSchemasUsesTemporaryTablesAndOnlyReadsSilver() throws SQLException {
    PostgresSettings transformer = as(WarehouseRoles.TRANSFORMER);
    assertAllowed(transformer, "SELECT count(*) FROM " + probe);
    assertAllowed(transformer, "INSERT INTO " + martSchema + ".fct_probe VALUES (2)");
    // dbt's incremental models stage each run's rows in a temporary table (migration V5).
    assertAllowed(transformer, "CREATE TEMP TABLE t (id int)");

    assertDenied(transformer, "INSERT INTO " + probe + " VALUES (99, 'x')");
    assertDenied(transformer, "UPDATE " + probe + " SET v = 'x'");
    assertDenied(transformer, "DELETE FROM " + probe);
    assertDenied(transformer, "TRUNCATE " + probe);
    assertDenied(transformer, "DROP TABLE " + probe);
    assertDenied(transformer, "CREATE TABLE silver.transformer_made (id int)");
    assertDenied(transformer, "CREATE INDEX ON " + probe + " (v)");
    assertDenied(transformer, "SELECT * FROM runnel.load_log");
    // It may read the rows the load refused (V7), not write them.
    assertAllowed(transformer, "SELECT count(*) FROM runnel.load_rejects");
    assertAllowed(transformer, "SELECT count(*) FROM runnel.load_rejects_missing");
    assertDenied(transformer, REJECT);
  }

  @Test
  void analystOnlyReads() throws SQLException {
    PostgresSettings analyst = as(WarehouseRoles.ANALYST);
    assertAllowed(analyst, "SELECT count(*) FROM " + probe);
    assertAllowed(analyst, "SELECT count(*) FROM " + martSchema + ".fct_probe");
    assertAllowed(analyst, "SELECT count(*) FROM runnel.load_log");
    assertAllowed(analyst, "SELECT count(*) FROM runnel.load_rejects_missing");
    try (Connection c = connect(analyst);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW default_transaction_read_only")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("on");
    }
    // Even with the read-only default switched off, privileges deny every write.
    for (String write :
        new String[] {
          "INSERT INTO " + probe + " VALUES (7, 'x')",
          "UPDATE " + martSchema + ".fct_probe SET id = 0",
          "DELETE FROM runnel.load_log",
          REJECT,
          "CREATE TABLE " + martSchema + ".analyst_made (id int)",
          "CREATE TABLE public.analyst_made (id int)",
          "CREATE SCHEMA analyst_made",
          "CREATE TEMP TABLE t (id int)"
        }) {
      assertDenied(analyst, "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", write);
    }
  }

  @Test
  void aRoleWithoutGrantsCannotEvenConnect() throws SQLException {
    String password = UUID.randomUUID().toString();
    execute(admin, "CREATE ROLE it_stranger LOGIN PASSWORD '" + password + "'");
    assertThatThrownBy(() -> connect(admin.as("it_stranger", password)).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied for database");
  }

  private static PostgresSettings as(WarehouseRoles role) {
    return admin.as(role.role, env.required(role.passwordVariable));
  }

  private static Connection connect(PostgresSettings s) throws SQLException {
    return DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
  }

  /** Runs the statements in order on one connection, each in its own transaction. */
  private static void execute(PostgresSettings s, String... statements) throws SQLException {
    try (Connection c = connect(s);
        Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  private static void assertAllowed(PostgresSettings s, String sql) {
    assertThatCode(() -> execute(s, sql)).as(s.user() + ": " + sql).doesNotThrowAnyException();
  }

  private static void assertDenied(PostgresSettings s, String... statements) {
    assertThatThrownBy(() -> execute(s, statements))
        .as(s.user() + " must not: " + String.join("; ", statements))
        .isInstanceOfSatisfying(
            SQLException.class,
            e ->
                assertThat(e.getSQLState())
                    .as(e.getMessage().toLowerCase(Locale.ROOT))
                    .isEqualTo(INSUFFICIENT_PRIVILEGE));
  }
}
