package io.runnel.bi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.common.Env;
import io.runnel.common.testing.ServiceEnv;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboards as a user gets them: a fresh Superset (its own empty metadata database and port,
 * started by the same shell functions as ./runnel) imports the bundle in superset/, then every
 * chart's data comes through the REST API with the chart's saved query context and must equal what
 * Trino returns to runnel_bi for the same SQL. Needs a pipeline run and a running Trino.
 *
 * <p>With {@code -Drunnel.superset.port=PORT} it uses a fresh instance the caller started the same
 * way (local/tests/bi_test.sh does, then renders the screenshots from it: one Superset start
 * instead of two) and leaves it running; without, it starts and stops its own.
 */
class SupersetIT {
  private static final Path ROOT = Path.of(System.getProperty("runnel.root", "..")).normalize();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UUID_LINE = Pattern.compile("(?m)^uuid: ([0-9a-f-]{36})$");
  private static final Pattern FINAL_LIMIT = Pattern.compile("(?is)\\s+LIMIT\\s+(\\d+)\\s*;?\\s*$");

  private static Env env;
  private static Trino trino;
  private static Path home;
  private static int port;
  private static HttpClient http;
  private static String token;

  @BeforeAll
  static void startSuperset() throws Exception {
    env = ServiceEnv.get();
    trino = new Trino(env);
    String given = System.getProperty("runnel.superset.port", "");
    if (given.isBlank()) {
      Path runDir = Path.of(env.required("RUNNEL_RUN_DIR"));
      home = Files.createTempDirectory(runDir, "superset-it-");
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      instance("up");
    } else {
      port = Integer.parseInt(given);
    }
    http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    ObjectNode login = JSON.createObjectNode();
    login.put("username", env.string("RUNNEL_SUPERSET_ADMIN_USER", "admin"));
    login.put("password", env.required("RUNNEL_SUPERSET_ADMIN_PASSWORD"));
    login.put("provider", "db");
    login.put("refresh", false);
    token = call("POST", "/api/v1/security/login", login, 200).get("access_token").asText();
  }

  @AfterAll
  static void stopSuperset() throws Exception {
    if (home == null) {
      return;
    }
    try {
      instance("down");
    } finally {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** local/tests/superset_instance.sh ACTION HOME PORT: the functions ./runnel uses. */
  private static void instance(String action) throws Exception {
    Path log = home.resolve("instance-" + action + ".log");
    Process p =
        new ProcessBuilder(
                "bash",
                ROOT.resolve("local/tests/superset_instance.sh").toString(),
                action,
                home.toString(),
                Integer.toString(port))
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("superset_instance.sh " + action + " did not finish in 15 minutes (log: " + log + ")");
    }
    if (p.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log);
      fail(
          "superset_instance.sh "
              + action
              + " failed: "
              + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
    }
  }

  private static JsonNode call(String method, String path, JsonNode body, int expectedStatus)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("%s %s: %s", method, path, response.body())
        .isEqualTo(expectedStatus);
    return JSON.readTree(response.body());
  }

  /** The UUIDs of the YAML files in one folder of the bundle. */
  private static Set<String> bundleUuids(String folder) throws IOException {
    Set<String> uuids = new HashSet<>();
    try (Stream<Path> files = Files.walk(ROOT.resolve("superset").resolve(folder))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Matcher m = UUID_LINE.matcher(Files.readString(f));
        assertThat(m.find()).as("uuid in %s", f).isTrue();
        uuids.add(m.group(1));
      }
    }
    return uuids;
  }

  private static List<JsonNode> list(String resource) throws Exception {
    List<JsonNode> items = new ArrayList<>();
    call("GET", "/api/v1/" + resource + "/?q=(page_size:100)", null, 200)
        .get("result")
        .forEach(items::add);
    return items;
  }

  @Test
  void theBundleIsImportedWhole() throws Exception {
    Set<String> charts = new HashSet<>();
    list("chart").forEach(c -> charts.add(c.get("uuid").asText()));
    assertThat(charts).isEqualTo(bundleUuids("charts"));
    List<String> dashboards = new ArrayList<>();
    list("dashboard").forEach(d -> dashboards.add(d.get("dashboard_title").asText()));
    assertThat(dashboards).containsExactlyInAnyOrder("Clickstream", "Pipeline health");
  }

  /** One chart's data through POST /api/v1/chart/data with its saved query context. */
  private static JsonNode chartData(JsonNode chart) throws Exception {
    JsonNode saved = call("GET", "/api/v1/chart/" + chart.get("id").asInt(), null, 200);
    String queryContext = saved.get("result").get("query_context").asText(null);
    assertThat(queryContext).as("saved query_context of %s", chart.get("slice_name")).isNotNull();
    JsonNode result = call("POST", "/api/v1/chart/data", JSON.readTree(queryContext), 200);
    assertThat(result.get("result")).hasSize(1);
    return result.get("result").get(0);
  }

  @Test
  void everyChartReturnsWhatTrinoReturnsForItsSql() throws Exception {
    List<String> failures = new ArrayList<>();
    List<JsonNode> charts = list("chart");
    assertThat(charts).hasSize(bundleUuids("charts").size());
    try (Connection bi = trino.bi()) {
      for (JsonNode chart : charts) {
        String name = chart.get("slice_name").asText();
        JsonNode result = chartData(chart);
        String sql = result.get("query").asText();
        List<Map<String, Object>> shown = new ArrayList<>();
        for (JsonNode row : result.get("data")) {
          Map<String, Object> values = new TreeMap<>();
          row.fields().forEachRemaining(e -> values.put(e.getKey(), normalize(e.getValue())));
          shown.add(values);
        }
        if (shown.isEmpty()) {
          failures.add(name + ": no rows");
          continue;
        }
        // The same SQL without its row limit: a top-N chart may break ties either way, so each
        // shown row must be one of Trino's, and the chart shows min(limit, all) rows.
        Matcher limit = FINAL_LIMIT.matcher(sql);
        assertThat(limit.find()).as("%s: Superset's SQL ends with a LIMIT: %s", name, sql).isTrue();
        int rowLimit = Integer.parseInt(limit.group(1));
        List<Map<String, Object>> all = new ArrayList<>();
        for (Map<String, Object> row : Trino.rows(bi, sql.substring(0, limit.start()))) {
          Map<String, Object> values = new TreeMap<>();
          row.forEach((k, v) -> values.put(k, normalize(v)));
          all.add(values);
        }
        if (shown.size() != Math.min(rowLimit, all.size())) {
          failures.add(name + ": " + shown.size() + " rows shown, Trino has " + all.size());
        }
        List<Map<String, Object>> unmatched = new ArrayList<>(all);
        for (Map<String, Object> row : shown) {
          if (!unmatched.remove(row)) {
            failures.add(name + ": row " + row + " is not in Trino's result");
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  /** Spot checks written independently of the charts' SQL. */
  @Test
  void chartTotalsMatchTheLayers() throws Exception {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode chart : list("chart")) {
      byName.put(chart.get("slice_name").asText(), chart);
    }
    try (Connection bi = trino.bi()) {
      long silverEvents = Trino.scalar(bi, "select count(*) from lake.silver.events");
      assertThat(sum(chartData(byName.get("Event type distribution")), "events"))
          .isEqualTo(silverEvents);

      Map<String, Long> layers = new LinkedHashMap<>();
      for (JsonNode row : chartData(byName.get("Rows per layer")).get("data")) {
        layers.put(row.get("layer").asText(), row.get("rows").asLong());
      }
      assertThat(layers)
          .containsEntry(
              "Bronze (lake)", Trino.scalar(bi, "select count(*) from lake.bronze.events"))
          .containsEntry("Silver events (lake)", silverEvents)
          .containsEntry(
              "Silver quarantine (lake)",
              Trino.scalar(bi, "select count(*) from lake.silver.events_quarantine"))
          .containsEntry(
              "Silver events (warehouse)",
              Trino.scalar(bi, "select count(*) from warehouse.silver.events"));

      long quarantinedReasons =
          Trino.scalar(
              bi,
              "select coalesce(sum(cardinality(error_reasons)), 0) from lake.silver.events_quarantine");
      assertThat(sum(chartData(byName.get("Quarantined records by reason")), "records"))
          .isEqualTo(quarantinedReasons);

      Map<String, Long> funnel = new LinkedHashMap<>();
      for (JsonNode row :
          chartData(byName.get("Funnel: view → add to cart → purchase (sessions)")).get("data")) {
        funnel.put(row.get("step").asText(), row.get("sessions").asLong());
      }
      assertThat(funnel)
          .containsEntry(
              "view",
              Trino.scalar(
                  bi, "select sum(viewed_session_count) from warehouse.marts.funnel_daily"))
          .containsEntry(
              "purchase",
              Trino.scalar(
                  bi, "select sum(purchased_session_count) from warehouse.marts.funnel_daily"));

      // Every data-quality check has its row, found or not; shared session ids counted in Silver.
      Map<String, Long> checks = new LinkedHashMap<>();
      for (JsonNode row : chartData(byName.get("Data quality checks (dbt warnings)")).get("data")) {
        if (row.get("field_name").isNull()) {
          checks.put(row.get("check_name").asText(), row.get("failure_count").asLong());
        }
      }
      assertThat(checks)
          .containsOnlyKeys(
              "shared_session_ids",
              "inferred_products",
              "events_with_extra_fields",
              "products_with_extra_fields")
          .containsEntry(
              "shared_session_ids",
              Trino.scalar(
                  bi,
                  "select count(*) from (select session_id from warehouse.silver.events"
                      + " group by session_id having count(distinct user_id) > 1)"));
    }
  }

  /**
   * Superset's side of read-only: its connection to Trino is as runnel_bi, and a CREATE TABLE sent
   * through SQL Lab fails. (That Trino itself denies runnel_bi any write is TrinoIT's.)
   */
  @Test
  void theBiConnectionCannotWrite() throws Exception {
    List<JsonNode> databases = list("database");
    assertThat(databases).hasSize(1);
    JsonNode database = databases.get(0);
    assertThat(database.get("backend").asText()).isEqualTo("trino");
    assertThat(database.get("allow_dml").asBoolean()).isFalse();
    JsonNode connection =
        call("GET", "/api/v1/database/" + database.get("id").asInt() + "/connection", null, 200);
    assertThat(connection.get("result").get("sqlalchemy_uri").asText())
        .startsWith("trino://" + env.string("RUNNEL_TRINO_BI_USER", "runnel_bi") + ":");

    String csrf = call("GET", "/api/v1/security/csrf_token/", null, 200).get("result").asText();
    ObjectNode execute = JSON.createObjectNode();
    execute.put("database_id", database.get("id").asInt());
    execute.put("sql", "CREATE TABLE lake.silver.superset_it_write_probe AS SELECT 1 AS x");
    execute.put("runAsync", false);
    execute.put("client_id", "itwrite" + (System.nanoTime() % 100000));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sqllab/execute/"))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .header("X-CSRFToken", csrf)
            .header("Referer", "http://127.0.0.1:" + port + "/sqllab/")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(execute)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isGreaterThanOrEqualTo(400);
    try (Connection bi = trino.bi()) {
      assertThat(
              Trino.scalar(
                  bi,
                  "select count(*) from lake.information_schema.tables"
                      + " where table_name = 'superset_it_write_probe'"))
          .isZero();
    }
  }

  private static long sum(JsonNode result, String column) {
    long total = 0;
    for (JsonNode row : result.get("data")) {
      total += row.get(column).asLong();
    }
    return total;
  }

  /**
   * One representation for a value from either side: numbers as BigDecimal rounded to 9 significant
   * digits (Superset sends doubles), times as epoch milliseconds (Superset's JSON).
   */
  static Object normalize(Object value) {
    if (value instanceof JsonNode node) {
      if (node.isNull()) {
        return null;
      }
      if (node.isNumber()) {
        return number(node.decimalValue());
      }
      if (node.isBoolean()) {
        return node.booleanValue();
      }
      return node.asText();
    }
    if (value instanceof Timestamp t) {
      return number(
          BigDecimal.valueOf(t.toLocalDateTime().toInstant(ZoneOffset.UTC).toEpochMilli()));
    }
    if (value instanceof LocalDateTime t) {
      return number(BigDecimal.valueOf(t.toInstant(ZoneOffset.UTC).toEpochMilli()));
    }
    if (value instanceof ZonedDateTime t) {
      return number(BigDecimal.valueOf(t.toInstant().toEpochMilli()));
    }
    if (value instanceof OffsetDateTime t) {
      return number(BigDecimal.valueOf(t.toInstant().toEpochMilli()));
    }
    if (value instanceof Number n) {
      return number(new BigDecimal(n.toString()));
    }
    return value;
  }

  private static BigDecimal number(BigDecimal n) {
    return n.round(new java.math.MathContext(9)).stripTrailingZeros();
  }
}
