package io.runnel.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.testing.ServiceEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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
  void everyMigrationIsAppliedOnceAndSucceeded() throws SQLException {
    assertThat(history())
        .containsExactly(
            "1 roles true", "2 schemas true", "3 load log true", "4 silver tables true");
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
