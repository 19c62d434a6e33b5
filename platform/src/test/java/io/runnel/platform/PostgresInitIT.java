package io.runnel.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.testing.ServiceEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** pg-init on the real server: idempotent, every migration applied once, passwords working. */
class PostgresInitIT {
  private final Env env = ServiceEnv.get();
  private final PostgresSettings admin =
      PostgresSettings.fromEnv(
          env, WarehouseRoles.ADMIN_USER, "runnel_admin", WarehouseRoles.ADMIN_PASSWORD);

  @Test
  void runningItAgainChangesNothing() throws SQLException {
    List<String> before = history();
    assertThat(RunnelAdmin.run("pg-init", "--timeout-seconds", "10")).isZero();
    assertThat(PostgresInitCommand.migrate(admin).migrationsExecuted).isZero();
    assertThat(history()).isEqualTo(before);
  }

  @Test
  void everyMigrationIsAppliedOnceAndSucceeded() throws Exception {
    // The expected history is read from the migration files, so a new migration needs no edit here.
    Pattern name = Pattern.compile("V(\\d+)__(.+)\\.sql");
    List<String> expected;
    // The module's folder is the working directory of the test JVM (Maven's default).
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
      expected =
          files
              .map(f -> name.matcher(f.getFileName().toString()))
              .filter(Matcher::matches)
              .sorted(Comparator.comparingInt(m -> Integer.parseInt(m.group(1))))
              .map(m -> m.group(1) + " " + m.group(2).replace('_', ' ') + " true")
              .toList();
    }
    assertThat(expected).hasSizeGreaterThanOrEqualTo(5).startsWith("1 roles true");
    assertThat(history()).containsExactlyElementsOf(expected);
  }

  @Test
  void eachRoleLogsInWithThePasswordFromTheEnvironment() throws SQLException {
    for (WarehouseRoles role : WarehouseRoles.all()) {
      try (Connection c =
              DriverManager.getConnection(
                  admin.jdbcUrl(), role.role, env.required(role.passwordVariable));
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT current_user")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(role.role);
      }
    }
  }

  private List<String> history() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT version, description, success FROM public.flyway_schema_history"
                    + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getBoolean(3));
      }
    }
    return rows;
  }
}
