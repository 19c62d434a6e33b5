package io.runnel.bi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.S3Settings;
import io.runnel.common.testing.ServiceEnv;
import io.runnel.spark.testing.TestLakeSession;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Trino on the data a pipeline run left behind (local/tests/bi_test.sh runs one first): what Trino
 * reads from the lake equals what Spark reads, the federated queries in trino/queries return what
 * the layers hold, and the BI user can read and do nothing else.
 */
class TrinoIT {
  private static final Path ROOT = Path.of(System.getProperty("runnel.root", ".."));

  private static Env env;
  private static Trino trino;
  private static S3Settings s3;
  private static PostgresSettings warehouse;
  private static SparkSession spark;

  @BeforeAll
  static void services() {
    env = ServiceEnv.get();
    trino = new Trino(env);
    s3 = S3Settings.fromEnv(env);
    warehouse =
        PostgresSettings.fromEnv(
            env, "RUNNEL_PG_ADMIN_USER", "runnel_admin", "RUNNEL_PG_ADMIN_PASSWORD");
    spark = TestLakeSession.create("trino-it", s3);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** Trino name to its location, as trino/lake_tables.csv and the jobs' settings place it. */
  private static Map<String, String> lakeTables() throws Exception {
    Map<String, String> tables = new java.util.LinkedHashMap<>();
    try (Reader in = Files.newBufferedReader(ROOT.resolve("trino/lake_tables.csv"))) {
      CSVFormat format =
          CSVFormat.DEFAULT
              .builder()
              .setCommentMarker('#')
              .setHeader()
              .setSkipHeaderRecord(true)
              .get();
      for (CSVRecord r : format.parse(in)) {
        String path = env.lakePath(r.get("setting"), r.get("default")) + r.get("suffix");
        tables.put(r.get("table"), s3.lakeUri(path));
      }
    }
    return tables;
  }

  @Test
  void everyLakeTableReadsTheSameInTrinoAsInSparkAtTheSameVersion() throws Exception {
    try (Connection c = trino.bi()) {
      for (Map.Entry<String, String> t : lakeTables().entrySet()) {
        // Both read one table version, so a job committing meanwhile cannot make them differ.
        long version =
            DeltaTable.forPath(spark, t.getValue()).history(1).first().<Long>getAs("version");
        Dataset<Row> atVersion =
            spark.read().format("delta").option("versionAsOf", version).load(t.getValue());
        long sparkRows = atVersion.count();
        long trinoRows =
            Trino.scalar(
                c, "SELECT count(*) FROM lake." + t.getKey() + " FOR VERSION AS OF " + version);
        assertThat(trinoRows)
            .as("lake.%s rows at version %d", t.getKey(), version)
            .isEqualTo(sparkRows);
        assertThat(sparkRows)
            .as("lake.%s is empty: did the pipeline run?", t.getKey())
            .isPositive();
      }
      // Values too, not only counts: decimals, timestamps and strings decode alike.
      String events = lakeTables().get("silver.events");
      long version = DeltaTable.forPath(spark, events).history(1).first().<Long>getAs("version");
      Row expected =
          spark
              .read()
              .format("delta")
              .option("versionAsOf", version)
              .load(events)
              .agg(
                  functions.sum(functions.col("price").multiply(functions.col("quantity"))),
                  functions.countDistinct("user_id"),
                  functions.max("ts"),
                  functions.sum(functions.length(functions.col("event_id"))))
              .first();
      List<Map<String, Object>> actual =
          Trino.rows(
              c,
              "SELECT sum(price * quantity) AS amount, count(DISTINCT user_id) AS users,"
                  + " CAST(max(ts) AS timestamp(3)) AS newest, sum(length(event_id)) AS id_chars"
                  + " FROM lake.silver.events FOR VERSION AS OF "
                  + version);
      assertThat(((java.math.BigDecimal) actual.get(0).get("amount")))
          .isEqualByComparingTo((java.math.BigDecimal) expected.get(0));
      assertThat(actual.get(0).get("users")).isEqualTo(expected.getLong(1));
      assertThat(actual.get(0).get("id_chars")).isEqualTo(expected.getLong(3));
      assertThat(((Timestamp) actual.get(0).get("newest")).toInstant())
          .isEqualTo(expected.getTimestamp(2).toInstant());
    }
  }

  @Test
  void theReconciliationQueryAgreesWithEachLayerReadDirectly() throws Exception {
    List<Map<String, Object>> rows;
    try (Connection c = trino.bi()) {
      rows = Trino.rows(c, Trino.queryFile(ROOT.resolve("trino/queries/reconciliation.sql")));
    }
    Map<String, Long> byLayer = new HashMap<>();
    for (Map<String, Object> r : rows) {
      assertThat(r.get("agrees")).as("%s", r).isEqualTo(true);
      byLayer.put(((String) r.get("layer")).substring(2), (Long) r.get("row_count"));
    }
    assertThat(byLayer.get("unaccounted")).isZero();
    // A pipeline run of the BI test has bad records and duplicates: both paths are exercised.
    assertThat(byLayer.get("quarantined")).isPositive();
    assertThat(byLayer.get("duplicates collapsed")).isPositive();

    assertThat(byLayer.get("kafka (events topic)")).isEqualTo(kafkaEndOffsets("events"));
    Map<String, String> lake = lakeTables();
    Dataset<Row> bronze = spark.read().format("delta").load(lake.get("bronze.events"));
    assertThat(byLayer.get("bronze (events topic)"))
        .isEqualTo(bronze.where("topic = 'events'").count());
    assertThat(byLayer.get("silver.events"))
        .isEqualTo(spark.read().format("delta").load(lake.get("silver.events")).count());
    assertThat(byLayer.get("quarantined"))
        .isEqualTo(
            spark
                .read()
                .format("delta")
                .load(lake.get("silver.events_quarantine"))
                .where("source_topic = 'events'")
                .count());
    try (Connection pg = postgres()) {
      assertThat(byLayer.get("warehouse silver.events"))
          .isEqualTo(Trino.scalar(pg, "SELECT count(*) FROM silver.events"));
      assertThat(byLayer.get("refused by PostgreSQL"))
          .isEqualTo(
              Trino.scalar(
                  pg,
                  "SELECT count(*) FROM runnel.load_rejects_missing"
                      + " WHERE target_table = 'silver.events'"));
      assertThat(byLayer.get("marts fct_events"))
          .isEqualTo(Trino.scalar(pg, "SELECT sum(event_count) FROM marts.fct_events"));
    }
  }

  @Test
  void theLiveActivityQueryJoinsTheLakeWithTheWarehouseDimensions() throws Exception {
    Dataset<Row> events =
        spark.read().format("delta").load(lakeTables().get("silver.events")).cache();
    long before = recentEvents(events, Instant.now());
    List<Map<String, Object>> rows;
    try (Connection c = trino.bi()) {
      rows =
          Trino.rows(
              c, Trino.queryFile(ROOT.resolve("trino/queries/activity_last_15_minutes.sql")));
    }
    long after = recentEvents(events, Instant.now());
    assertThat(rows).as("events of the last 15 minutes: did the pipeline just run?").isNotEmpty();
    long total = rows.stream().mapToLong(r -> (Long) r.get("events_15m")).sum();
    // The window moved between the reads; the query's total lies between the two.
    assertThat(total).isBetween(after, before);

    Map<String, Long> lifetime = new HashMap<>();
    try (Connection pg = postgres();
        var s = pg.createStatement();
        var rs = s.executeQuery("SELECT user_id, event_count FROM marts.dim_users")) {
      while (rs.next()) {
        lifetime.put(rs.getString(1), rs.getLong(2));
      }
    }
    List<String> mismatched = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      String user = (String) r.get("user_id");
      Long expected = lifetime.get(user);
      boolean isNew = (Boolean) r.get("new_since_last_dbt_run");
      if (isNew != (expected == null)
          || (expected != null && !expected.equals(r.get("lifetime_events")))) {
        mismatched.add(user + ": " + r + " vs dim_users " + expected);
      }
    }
    assertThat(mismatched).isEmpty();
    events.unpersist();
  }

  private static long recentEvents(Dataset<Row> events, Instant now) {
    return events
        .where(
            functions
                .col("ts")
                .geq(functions.lit(Timestamp.from(now.minus(Duration.ofMinutes(15))))))
        .count();
  }

  @Test
  void theBiUserReadsAndCannotWriteOrChangeAnything() throws Exception {
    try (Connection c = trino.bi()) {
      assertThat(Trino.scalar(c, "SELECT count(*) FROM warehouse.marts.dim_users")).isPositive();
      for (String sql :
          List.of(
              "CREATE TABLE warehouse.marts.bi_probe (a integer)",
              "CREATE TABLE lake.silver.bi_probe (a integer)",
              "CREATE SCHEMA lake.bi_probe",
              "INSERT INTO warehouse.marts.dim_users (user_id) VALUES ('bi_probe')",
              "INSERT INTO lake.silver.events (event_id) VALUES ('bi_probe')",
              "DELETE FROM warehouse.marts.dim_users",
              "DELETE FROM lake.silver.events",
              "UPDATE warehouse.marts.dim_users SET event_count = 0",
              "DROP TABLE lake.silver.events",
              "DROP TABLE warehouse.marts.dim_users",
              "ALTER TABLE lake.silver.events RENAME TO lake.silver.renamed",
              "CALL lake.system.unregister_table(schema_name => 'silver', table_name => 'events')",
              "CALL lake.system.register_table(schema_name => 'silver', table_name => 'bi_probe',"
                  + " table_location => '"
                  + lakeTables().get("silver.events").replace("s3a://", "s3://")
                  + "')",
              "SELECT count(*) FROM system.runtime.queries")) {
        assertThatThrownBy(() -> Trino.rows(c, sql))
            .as(sql)
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("Access Denied");
      }
      // Nothing changed.
      assertThat(
              Trino.scalar(
                  c, "SELECT count(*) FROM warehouse.marts.dim_users WHERE user_id = 'bi_probe'"))
          .isZero();
    }
    // No password, no way in: not over HTTPS, and the plain HTTP port is for Trino's own calls.
    assertThatThrownBy(
            () ->
                trino.connect("runnel_bi", "wrong-password").createStatement().execute("SELECT 1"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Invalid credentials");
    String http = "jdbc:trino://127.0.0.1:" + env.port("RUNNEL_TRINO_HTTP_PORT", 18081);
    assertThatThrownBy(
            () -> {
              try (Connection c = DriverManager.getConnection(http, "runnel", null)) {
                Trino.rows(c, "SELECT 1");
              }
            })
        .isInstanceOf(SQLException.class);
  }

  /** Records Kafka has taken on a topic: the sum of its partitions' end offsets. */
  private static long kafkaEndOffsets(String topic) throws Exception {
    try (Admin kafka =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                env.required("RUNNEL_KAFKA_BOOTSTRAP")))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      kafka
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return kafka.listOffsets(latest).all().get().values().stream()
          .mapToLong(ListOffsetsResultInfo::offset)
          .sum();
    }
  }

  private static Connection postgres() throws SQLException {
    return DriverManager.getConnection(warehouse.jdbcUrl(), warehouse.user(), warehouse.password());
  }
}
