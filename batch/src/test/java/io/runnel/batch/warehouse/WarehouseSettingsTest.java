package io.runnel.batch.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.SettingsException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

class WarehouseSettingsTest {
  private static Map<String, String> minimal() {
    Map<String, String> m = new HashMap<>();
    m.put("RUNNEL_S3_ACCESS_KEY", "key");
    m.put("RUNNEL_S3_SECRET_KEY", "secret");
    m.put("RUNNEL_PG_LOADER_PASSWORD", "loader-password");
    return m;
  }

  private static WarehouseSettings settings(Map<String, String> overrides) {
    Map<String, String> m = minimal();
    m.putAll(overrides);
    return WarehouseSettings.fromEnv(Env.of(m), false);
  }

  @Test
  void localDefaultsLoadAsTheLoaderRole() {
    WarehouseSettings s = WarehouseSettings.fromEnv(Env.of(minimal()), true);
    assertThat(s.postgres().user()).isEqualTo("runnel_loader");
    assertThat(s.postgres().jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:15432/runnel?");
    assertThat(s.postgres().timeouts()).isEqualTo(PostgresSettings.Timeouts.defaults());
    assertThat(s.silverRoot()).isEqualTo("silver");
    assertThat(s.checkpoint("events")).isEqualTo("_checkpoints/warehouse/events");
    assertThat(s.metricsPath()).isEqualTo("_runnel/metrics/warehouse");
    assertThat(s.maxFilesPerTrigger()).isZero();
    assertThat(s.triggerInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.chunkBytes()).isEqualTo(1 << 20);
    assertThat(s.availableNow()).isTrue();
  }

  @Test
  void everySettingIsReadFromItsVariable() {
    WarehouseSettings s =
        settings(
            Map.of(
                "RUNNEL_SILVER_ROOT", "it/silver",
                "RUNNEL_WAREHOUSE_CHECKPOINT", "it/cp",
                "RUNNEL_WAREHOUSE_METRICS_TABLE", "it/metrics",
                "RUNNEL_LOAD_MAX_FILES_PER_TRIGGER", "3",
                "RUNNEL_LOAD_TRIGGER_SECONDS", "0.5",
                "RUNNEL_LOAD_COPY_CHUNK_KB", "64",
                "RUNNEL_PG_LOADER_USER", "other_loader",
                "RUNNEL_PG_DATABASE", "runnel_bench"));
    assertThat(s.checkpoint("products")).isEqualTo("it/cp/products");
    assertThat(s.silverRoot()).isEqualTo("it/silver");
    assertThat(s.metricsPath()).isEqualTo("it/metrics");
    assertThat(s.maxFilesPerTrigger()).isEqualTo(3);
    assertThat(s.triggerInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.chunkBytes()).isEqualTo(64 * 1024);
    assertThat(s.postgres().user()).isEqualTo("other_loader");
    assertThat(s.postgres().database()).isEqualTo("runnel_bench");
  }

  @Test
  void aWrongValueIsOneLineNamingTheVariable() {
    assertThatThrownBy(() -> settings(Map.of("RUNNEL_LOAD_TRIGGER_SECONDS", "soon")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("RUNNEL_LOAD_TRIGGER_SECONDS must be a number, got 'soon'");
    assertThatThrownBy(() -> settings(Map.of("RUNNEL_LOAD_MAX_FILES_PER_TRIGGER", "-1")))
        .hasMessage("RUNNEL_LOAD_MAX_FILES_PER_TRIGGER must be between 0 and 1000000, got '-1'");
    assertThatThrownBy(() -> settings(Map.of("RUNNEL_WAREHOUSE_CHECKPOINT", "../elsewhere")))
        .hasMessageStartingWith("RUNNEL_WAREHOUSE_CHECKPOINT must be a relative path");
    assertThatThrownBy(() -> settings(Map.of("RUNNEL_PG_LOADER_USER", "Robert'); --")))
        .hasMessageStartingWith("RUNNEL_PG_LOADER_USER must be a lower-case identifier");
    Map<String, String> noPassword = minimal();
    noPassword.remove("RUNNEL_PG_LOADER_PASSWORD");
    assertThatThrownBy(() -> WarehouseSettings.fromEnv(Env.of(noPassword), false))
        .hasMessage("RUNNEL_PG_LOADER_PASSWORD is not set");
  }

  @Test
  void theDriverReadsTheTimeoutsAndTheLoadersServerSettingsFromTheUrl() throws Exception {
    WarehouseSettings s =
        settings(
            Map.of(
                "RUNNEL_PG_CONNECT_TIMEOUT_SECONDS", "3",
                "RUNNEL_PG_STATEMENT_TIMEOUT_SECONDS", "60",
                "RUNNEL_PG_SOCKET_TIMEOUT_SECONDS", "90"));
    PostgresSettings pg = s.postgres();
    Properties p =
        Driver.parseURL(pg.jdbcUrl(pg.database(), Map.of("work_mem", "256MB")), new Properties());
    assertThat(p.getProperty("connectTimeout")).isEqualTo("3");
    assertThat(p.getProperty("loginTimeout")).isEqualTo("3");
    assertThat(p.getProperty("socketTimeout")).isEqualTo("90");
    assertThat(p.getProperty("tcpKeepAlive")).isEqualTo("true");
    assertThat(p.getProperty("options"))
        .isEqualTo("-c statement_timeout=60000ms -c work_mem=256MB");
    assertThat(p.getProperty("PGDBNAME")).isEqualTo("runnel");
  }

  @Test
  void theSocketTimeoutMustOutlastTheStatementTimeout() {
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(
                        "RUNNEL_PG_STATEMENT_TIMEOUT_SECONDS", "600",
                        "RUNNEL_PG_SOCKET_TIMEOUT_SECONDS", "600")))
        .isInstanceOf(SettingsException.class)
        .hasMessage(
            "RUNNEL_PG_SOCKET_TIMEOUT_SECONDS must be longer than"
                + " RUNNEL_PG_STATEMENT_TIMEOUT_SECONDS (600 s), got 600 s");
    assertThatThrownBy(() -> settings(Map.of("RUNNEL_PG_CONNECT_TIMEOUT_SECONDS", "0")))
        .hasMessage("RUNNEL_PG_CONNECT_TIMEOUT_SECONDS must be between 1 and 600, got '0'");
  }
}
