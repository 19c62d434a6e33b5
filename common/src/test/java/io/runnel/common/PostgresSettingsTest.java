package io.runnel.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresSettingsTest {
  private static final PostgresSettings PG =
      PostgresSettings.fromEnv(
          Env.of(Map.of("RUNNEL_PG_X_PASSWORD", "secret")),
          "RUNNEL_PG_X_USER",
          "x",
          "RUNNEL_PG_X_PASSWORD");

  @Test
  void everyUrlCarriesTheTimeouts() {
    assertThat(PG.timeouts())
        .isEqualTo(
            new PostgresSettings.Timeouts(
                Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofSeconds(360)));
    assertThat(PG.jdbcUrl("postgres"))
        .isEqualTo(
            "jdbc:postgresql://127.0.0.1:15432/postgres?connectTimeout=10&loginTimeout=10"
                + "&socketTimeout=360&tcpKeepAlive=true"
                + "&options=-c%20statement_timeout%3D300000ms");
    assertThat(PG.as("y", "other").jdbcUrl()).isEqualTo(PG.jdbcUrl());
  }

  @Test
  void aSilentServerIsOneLineNamingTheSettingAndWhatToDo() {
    SQLException e =
        new SQLException(
            "An I/O error occurred while sending to the backend.",
            "08006",
            new SocketTimeoutException("Read timed out"));
    ServiceUnavailableException u = PG.unavailable(e, "loading batch 3 of silver.events", "rerun");
    assertThat(Exits.messageOf(new RuntimeException("query failed", u)))
        .isEqualTo(
            "PostgreSQL at 127.0.0.1:15432/runnel sent nothing for 360 s"
                + " (RUNNEL_PG_SOCKET_TIMEOUT_SECONDS) while loading batch 3 of silver.events:"
                + " the server, or the network to it, is down or the connection half-open; check"
                + " them, then rerun");
    assertThat(Exits.statusOf(new RuntimeException("query failed", u)))
        .isEqualTo(Exits.UNAVAILABLE);
  }

  @Test
  void aCancelledStatementNamesTheStatementTimeout() {
    SQLException e =
        new SQLException("ERROR: canceling statement due to statement timeout", "57014");
    assertThat(PG.unavailable(e, "merging", "rerun").getMessage())
        .startsWith(
            "PostgreSQL at 127.0.0.1:15432/runnel cancelled a statement after 300 s"
                + " (RUNNEL_PG_STATEMENT_TIMEOUT_SECONDS) while merging");
  }

  @Test
  void otherErrorsAreLeftToTheCaller() {
    assertThat(PG.unavailable(new SQLException("duplicate key", "23505"), "x", "y")).isNull();
    assertThat(PG.unavailable(new SQLException("refused", "08001"), "x", "y").getMessage())
        .startsWith("PostgreSQL at 127.0.0.1:15432/runnel failed while x (SQLException: refused)");
  }
}
