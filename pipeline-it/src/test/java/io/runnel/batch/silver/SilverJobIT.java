package io.runnel.batch.silver;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.runnel.batch.SilverTables;
import io.runnel.common.Env;
import io.runnel.common.KafkaTopics;
import io.runnel.common.S3Settings;
import io.runnel.common.testing.ServiceEnv;
import io.runnel.common.testing.SparkSubmit;
import io.runnel.spark.testing.InterruptedFirstBatch;
import io.runnel.spark.testing.LogCapture;
import io.runnel.spark.testing.TestLakeSession;
import io.runnel.streaming.BronzeHere;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * SilverJob on the real broker and S3 server, fed the way users feed it: records produced to Kafka,
 * landed by the real Bronze job, then Silver. Each test has its own topics and lake folder; tables
 * are read back with Spark in this JVM.
 *
 * <p>Every crash at a failpoint, every kill -9 and every continuous run is a real spark-submit of
 * the job jar. A run that needs no process of its own (Bronze landing the fixture, a first run
 * whose output is checked, a rerun, the drain after a crash, the reference run) runs the job class
 * in this JVM instead ({@link #bronze}, {@link #silverHere}): a few seconds instead of a Spark
 * start-up.
 */
class SilverJobIT {
  private static final String SILVER = SilverJob.class.getName();
  private static final Duration LIMIT = Duration.ofMinutes(10);
  private static final String SCHEMA_HEADER = "runnel-schema-version";
  private static final Pattern RUN_LINE =
      Pattern.compile(
          "silver: this run: ([\\d,]+) Bronze rows read in ([\\d,]+) batches = ([\\d,]+) new events"
              + " \\+ ([\\d,]+) new product versions \\+ ([\\d,]+) quarantined \\+ ([\\d,]+)"
              + " duplicates collapsed");

  private static Env env;
  private static S3Settings s3;
  private static SparkSession reader;

  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String events = "it-silver-events-" + id;
  private final String products = "it-silver-products-" + id;
  private final String stray = "it-silver-stray-" + id;
  private final String base = "_runnel/it/silver-" + id;

  @BeforeAll
  static void readerSession() {
    env = ServiceEnv.get();
    s3 = S3Settings.fromEnv(env);
    reader = TestLakeSession.create("silver-it-reader", s3);
  }

  @AfterAll
  static void stopReader() {
    if (reader != null) {
      reader.stop();
    }
  }

  /**
   * Now, to the millisecond as the contract writes times: Silver quarantines a time finer than a
   * microsecond ({@code too_precise:ts}), and the JDK's clock has nanoseconds.
   */
  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  /** A bad record and every reason it must be quarantined with. */
  record Bad(String topic, byte[] value, String schemaVersion, List<String> reasons) {}

  @Test
  void duplicatesCollapseEveryBadKindIsQuarantinedWithItsReasonsAndLateEventsLand()
      throws Exception {
    createTopics();
    Instant now = now();
    Fixture f = new Fixture(now, 2_000, 10, false);
    Map<String, Bad> bad = badRecords(now);
    produce(f, true, bad, 0, 3, true);
    bronze(Map.of());
    String leftover = InterruptedFirstBatch.plant(s3, base + "/_checkpoints/silver");
    // What a stop during the table's creation leaves (the demo's Ctrl-C did, in a CI run): a
    // _delta_log with Delta 4's _staged_commits/ folder and no commit.
    try (S3Client client = s3.newClient()) {
      client.putObject(
          b ->
              b.bucket(s3.bucket())
                  .key(base + "/silver/products_history/_delta_log/_staged_commits/"),
          RequestBody.empty());
    }

    String run = LogCapture.of(() -> silverHere(Map.of()));
    assertThat(run).contains(InterruptedFirstBatch.REMOVED);
    assertThat(InterruptedFirstBatch.remains(s3, leftover)).isFalse();
    assertThat(run).contains("creating the table was interrupted before its first commit");

    Dataset<Row> silverEvents = table("events");
    assertThat(silverEvents.count()).isEqualTo(f.distinctEvents());
    assertThat(silverEvents.select("event_id").distinct().count()).isEqualTo(f.distinctEvents());
    assertThat(silverEvents.where(col("user_agent").equalTo("retry")).count())
        .as("a re-sent event with higher Kafka coordinates never wins")
        .isZero();
    assertThat(silverEvents.where(col("is_late")).count()).isEqualTo(f.late());
    assertThat(silverEvents.where(col("is_late")).agg(functionsMin("ts")).first().getTimestamp(0))
        .as("events three days old land, marked late")
        .isBefore(java.sql.Timestamp.from(now.minus(Duration.ofDays(2))));

    Dataset<Row> quarantine = table("events_quarantine");
    assertThat(quarantine.count()).isEqualTo(bad.size() * 3L);
    Map<String, List<String>> reasonsByKind = new TreeMap<>();
    for (Row r : quarantine.selectExpr("key", "error_reasons", "source_topic").collectAsList()) {
      String kind = r.getString(0).replaceFirst("-\\d+$", "");
      List<String> reasons = r.getList(1);
      List<String> previous = reasonsByKind.put(kind, reasons);
      assertThat(previous == null || previous.equals(reasons))
          .as("the same bad record gets the same reasons: " + kind)
          .isTrue();
    }
    Map<String, List<String>> expected = new TreeMap<>();
    bad.forEach((kind, b) -> expected.put(kind, b.reasons()));
    assertThat(reasonsByKind).isEqualTo(expected);
    assertThat(
            quarantine
                .where("key LIKE 'invalid_utf8-%'")
                .where(col("value_bytes").isNotNull())
                .count())
        .as("the exact bytes of a payload that is not UTF-8 are kept")
        .isEqualTo(3);

    Dataset<Row> latest = table("products").orderBy("product_id");
    assertThat(latest.count()).isEqualTo(4);
    assertThat(latest.where(col("price").equalTo(new java.math.BigDecimal("20.00"))).count())
        .as("the newest version of each product wins, whatever order it arrived in")
        .isEqualTo(4);
    assertThat(table("products_history").count()).isEqualTo(8);

    long duplicates = f.duplicates() + 1; // plus the re-sent product version
    assertThat(runLine(run))
        .containsExactly(
            f.distinctEvents() + f.duplicates() + 9 + bad.size() * 3L,
            f.distinctEvents(),
            8L,
            bad.size() * 3L,
            duplicates);

    Map<String, Long> versions = versions();
    Map<String, String> sums = checksums();
    silverHere(Map.of());
    assertThat(versions()).as("no commit without new Bronze rows").isEqualTo(versions);
    assertThat(checksums()).isEqualTo(sums);
  }

  @Test
  void crashesAtEachWriteAndKillNineLeaveTheSameTablesAsOneCleanRun() throws Exception {
    createTopics();
    Instant now = now();
    Fixture f = new Fixture(now, 15_000, 10, true);
    Map<String, Bad> bad = badRecords(now);
    // A first part, landed and taken by Silver in one go: Bronze compacts its table at the end of
    // a run, and Silver's first batch is the table as it is then.
    produce(f, false, bad, 0, 5, true);
    bronze(Map.of());
    silverHere(Map.of());
    // Then the bulk, in small Bronze commits that Silver reads a few files at a time.
    produce(f, true, bad, 5, 20, false);
    bronze(Map.of("RUNNEL_BRONZE_MAX_OFFSETS_PER_TRIGGER", "3000"));

    Map<String, String> small = new HashMap<>(Map.of("RUNNEL_SILVER_MAX_FILES_PER_TRIGGER", "2"));
    StringBuilder log = new StringBuilder();
    // The first: between the append and the MERGE of the first batch with events (batches of bad
    // records only, which never reach that point, fall wherever Bronze's files put them).
    for (String failpoint :
        List.of(
            "silver.events.after-new#1", "silver.after-events@3", "silver.after-quarantine@5")) {
      Map<String, String> crash = new HashMap<>(small);
      crash.put("RUNNEL_FAILPOINT", failpoint);
      SparkSubmit.Result crashed = silver(crash, "--available-now");
      assertThat(crashed.exitCode()).as(crashed.output()).isEqualTo(137);
      assertThat(crashed.output()).contains("failpoint " + failpoint + " reached");
      log.append(failpoint).append(": ").append(table("events").count()).append(" events\n");
    }
    Random random = new Random(7);
    small.put("RUNNEL_SILVER_TRIGGER_SECONDS", "1");
    SparkSubmit.Running running = submit().start(SILVER, silverEnv(small));
    running.awaitOutput("duplicates collapsed", Duration.ofMinutes(8));
    Thread.sleep(random.nextInt(4_000));
    assertThat(running.process().isAlive()).as(running.output()).isTrue();
    running.killHard();
    log.append("kill -9: ").append(table("events").count()).append(" events\n");

    // The restart after the kill: on the checkpoint the killed process left.
    silverHere(Map.of());
    System.out.println(log);

    Dataset<Row> silverEvents = table("events");
    assertThat(silverEvents.count()).as(log.toString()).isEqualTo(f.distinctEvents());
    assertThat(silverEvents.select("event_id").distinct().count()).isEqualTo(f.distinctEvents());
    Dataset<Row> quarantine = table("events_quarantine");
    assertThat(quarantine.count()).isEqualTo(bad.size() * 20L);
    assertThat(quarantine.select("source_topic", "source_partition", "source_offset").distinct())
        .satisfies(d -> assertThat(d.count()).isEqualTo(bad.size() * 20L));
    assertThat(table("products_history").count()).isEqualTo(8);
    Map<String, String> afterCrashes = checksums();

    // The same Bronze rows through one uninterrupted run into another folder: the same tables.
    Map<String, String> clean =
        Map.of(
            "RUNNEL_SILVER_ROOT", base + "/clean",
            "RUNNEL_SILVER_CHECKPOINT", base + "/_checkpoints/clean");
    silverHere(clean);
    assertThat(checksums(base + "/clean")).isEqualTo(afterCrashes);
  }

  @Test
  void continuousSilverStartedBeforeBronzeWaitsForItsFirstBatch() throws Exception {
    createTopics();
    Fixture f = new Fixture(now(), 500, 10, false);
    produce(f, true, Map.of(), 0, 0, true);

    SparkSubmit.Result drain = silver(Map.of(), "--available-now");
    assertThat(drain.exitCode()).as("nothing to drain without Bronze").isNotZero();
    assertThat(drain.output())
        .contains("does not exist yet: run ./runnel bronze first")
        .doesNotContain("\tat ");

    // Started together, as ./runnel demo --continuous does: Silver waits, then takes Bronze's rows.
    SparkSubmit.Running running =
        submit().start(SILVER, silverEnv(Map.of("RUNNEL_SILVER_TRIGGER_SECONDS", "1")));
    try {
      running.awaitOutput("waiting for ./runnel bronze to create it", Duration.ofMinutes(8));
      bronze(Map.of());
      long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
      while (!DeltaTable.isDeltaTable(reader, s3.lakeUri(base + "/silver/events"))
          || table("events").count() < f.distinctEvents()) {
        assertThat(running.process().isAlive()).as(running.output()).isTrue();
        assertThat(System.nanoTime()).as(running.output()).isLessThan(deadline);
        Thread.sleep(500);
      }
      assertThat(table("events").count()).isEqualTo(f.distinctEvents());
      assertThat(running.output()).contains("exists now");
    } finally {
      running.killHard();
    }
  }

  // --- the fixture -------------------------------------------------------------------------------

  /**
   * {@code n} valid events; every {@code dupEvery}-th is sent again with other content (user agent
   * "retry"), from another partition when {@code otherPartitions}; every 100th is three days late.
   */
  record Fixture(Instant now, int n, int dupEvery, boolean otherPartitions) {
    long distinctEvents() {
      return n;
    }

    long duplicates() {
      return n / dupEvery;
    }

    long late() {
      return n / 100;
    }

    String eventId(int i) {
      return UUID.nameUUIDFromBytes(("event-" + i).getBytes(StandardCharsets.UTF_8)).toString();
    }

    String event(int i, String userAgent) {
      String type =
          List.of("view", "click", "add_to_cart", "remove_from_cart", "purchase").get(i % 5);
      int quantity = type.equals("view") || type.equals("click") ? 0 : 1 + i % 3;
      Instant ts = i % 100 == 0 ? now.minus(Duration.ofDays(3)) : now.minusMillis(i % 1000);
      return eventJson(eventId(i), type, "user_" + (i % 97), quantity, ts, userAgent);
    }
  }

  static String eventJson(
      String eventId, String type, String user, int quantity, Instant ts, String userAgent) {
    return "{\"event_id\":\""
        + eventId
        + "\",\"event_type\":\""
        + type
        + "\",\"user_id\":\""
        + user
        + "\",\"product_id\":\"product_"
        + (Math.abs(user.hashCode()) % 4)
        + "\",\"price\":19.99,\"currency\":\"EUR\",\"quantity\":"
        + quantity
        + ",\"session_id\":\"s-"
        + user
        + "\",\"ts\":\""
        + ts
        + "\",\"user_agent\":\""
        + userAgent
        + "\"}";
  }

  /** One bad record of each kind, by name; the name becomes the Kafka key's prefix. */
  private Map<String, Bad> badRecords(Instant now) {
    Map<String, Bad> m = new LinkedHashMap<>();
    String good = eventJson(UUID.randomUUID().toString(), "purchase", "u", 1, now, "ua");
    m.put("null_value", bad(events, (byte[]) null, "1", "null_value"));
    m.put("malformed_json", bad(events, "{\"event_id\":", "1", "malformed_json"));
    m.put("not_an_object", bad(events, "[1,2]", "1", "not_an_object"));
    byte[] utf8 = good.replace("\"ua\"", "\"u?a\"").getBytes(StandardCharsets.UTF_8);
    utf8[good.indexOf("\"ua\"") + 2] = (byte) 0xC3;
    m.put("invalid_utf8", bad(events, utf8, "1", "invalid_utf8"));
    m.put(
        "payload_too_large",
        bad(
            events,
            good.replace("\"ua\"", "\"" + "x".repeat(20_000) + "\""),
            "1",
            "payload_too_large",
            "too_long:user_agent"));
    m.put("unsupported_schema_version", bad(events, good, "2", "unsupported_schema_version"));
    m.put("unknown_topic", bad(stray, good, "1", "unknown_topic"));
    m.put(
        "missing_field",
        bad(events, good.replace("\"user_id\":\"u\",", ""), "1", "missing_field:user_id"));
    m.put("wrong_type", bad(events, good.replace("19.99", "\"19.99\""), "1", "wrong_type:price"));
    m.put(
        "invalid_event_id",
        bad(
            events,
            good.replaceFirst("\"event_id\":\"[^\"]+\"", "\"event_id\":\"x1\""),
            "1",
            "invalid_event_id"));
    m.put(
        "unknown_event_type",
        bad(events, good.replace("purchase", "refund"), "1", "unknown_event_type"));
    m.put("negative_price", bad(events, good.replace("19.99", "-1"), "1", "negative_price"));
    m.put("invalid_currency", bad(events, good.replace("EUR", "XYZ"), "1", "invalid_currency"));
    m.put(
        "quantity_below_one",
        bad(events, good.replace("\"quantity\":1", "\"quantity\":0"), "1", "quantity_below_one"));
    m.put(
        "ts_in_future",
        bad(
            events,
            good.replace(now.toString(), now.plus(Duration.ofDays(1)).toString()),
            "1",
            "ts_in_future"));
    // Issue 20: this one stopped Silver with "long overflow", run after run.
    m.put(
        "ts_before_oldest",
        bad(
            events,
            good.replace(now.toString(), "-300000-01-01T00:00:00Z"),
            "1",
            "ts_before_oldest"));
    m.put(
        "invalid_text",
        bad(events, good.replace("\"ua\"", "\"u\\u0000a\""), "1", "invalid_text:user_agent"));
    m.put(
        "updated_at_in_future",
        bad(
            products,
            product("product_8", "1.00", "9999-12-31T23:59:59Z"),
            "1",
            "updated_at_in_future"));
    m.put(
        "two_failures",
        bad(
            events,
            good.replace("purchase", "refund").replace("19.99", "-1"),
            "1",
            "unknown_event_type",
            "negative_price"));
    m.put(
        "bad_product",
        bad(products, product("product_9", "-1", now.toString()), "1", "negative_price"));
    return m;
  }

  private static Bad bad(String topic, String value, String version, String... reasons) {
    return bad(topic, value.getBytes(StandardCharsets.UTF_8), version, reasons);
  }

  private static Bad bad(String topic, byte[] value, String version, String... reasons) {
    return new Bad(topic, value, version, List.of(reasons));
  }

  static String product(String productId, String price, String updatedAt) {
    return "{\"product_id\":\""
        + productId
        + "\",\"name\":\"Bear\",\"category\":\"toys\",\"description\":null,\"price\":"
        + price
        + ",\"currency\":\"EUR\",\"updated_at\":\""
        + updatedAt
        + "\"}";
  }

  /**
   * Sends the events and their duplicates (when {@code withEvents}), copies {@code copyFrom} to
   * {@code copyTo} of each bad record, and (when {@code withProducts}) 4 products in two versions
   * (product_0's newer version first, and one version twice).
   */
  private void produce(
      Fixture f,
      boolean withEvents,
      Map<String, Bad> bad,
      int copyFrom,
      int copyTo,
      boolean withProducts) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.required("RUNNEL_KAFKA_BOOTSTRAP"));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; withEvents && i < f.n(); i++) {
        String user = "user_" + (i % 97);
        acks.add(producer.send(record(events, user, f.event(i, "Mozilla/5.0"), "1")));
        // Duplicates arrive a little later, interleaved with new events.
        int dup = i - 50;
        if (dup >= 0 && dup % f.dupEvery() == 0) {
          String key = f.otherPartitions() && dup % 20 == 0 ? "other-" + dup : "user_" + (dup % 97);
          acks.add(producer.send(record(events, key, f.event(dup, "retry"), "1")));
        }
      }
      for (int dup = Math.max(0, f.n() - 50); withEvents && dup < f.n(); dup++) {
        if (dup % f.dupEvery() == 0) {
          acks.add(producer.send(record(events, "user_" + (dup % 97), f.event(dup, "retry"), "1")));
        }
      }
      for (int copy = copyFrom; copy < copyTo; copy++) {
        for (Map.Entry<String, Bad> b : bad.entrySet()) {
          Bad r = b.getValue();
          acks.add(
              producer.send(
                  record(r.topic(), b.getKey() + "-" + copy, r.value(), r.schemaVersion())));
        }
      }
      String v1 = f.now().minus(Duration.ofDays(10)).toString();
      String v2 = f.now().minus(Duration.ofDays(1)).toString();
      for (int k = 0; withProducts && k < 4; k++) {
        String id = "product_" + k;
        if (k == 0) {
          acks.add(producer.send(record(products, id, product(id, "20.00", v2), "1")));
          acks.add(producer.send(record(products, id, product(id, "18.00", v1), "1")));
        } else {
          acks.add(producer.send(record(products, id, product(id, "18.00", v1), "1")));
          acks.add(producer.send(record(products, id, product(id, "20.00", v2), "1")));
        }
        if (k == 3) {
          acks.add(producer.send(record(products, id, product(id, "20.00", v2), "1")));
        }
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("producing test records failed", e);
    }
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic, String key, String value, String version) {
    return record(topic, key, value.getBytes(StandardCharsets.UTF_8), version);
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic, String key, byte[] value, String version) {
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    r.headers().add(SCHEMA_HEADER, version.getBytes(StandardCharsets.UTF_8));
    return r;
  }

  // --- running the jobs --------------------------------------------------------------------------

  private void createTopics() throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, env.required("RUNNEL_KAFKA_BOOTSTRAP"));
    try (Admin admin = Admin.create(props)) {
      KafkaTopics.create(
          admin,
          List.of(
              new NewTopic(events, 2, (short) 1),
              new NewTopic(products, 1, (short) 1),
              new NewTopic(stray, 1, (short) 1)),
          Duration.ofSeconds(30));
    }
  }

  private void bronze(Map<String, String> overrides) throws Exception {
    Map<String, String> m = new HashMap<>();
    m.put("RUNNEL_BRONZE_TOPICS", events + "," + products + "," + stray);
    m.put("RUNNEL_BRONZE_TABLE", base + "/bronze/events");
    m.put("RUNNEL_BRONZE_CHECKPOINT", base + "/_checkpoints/bronze");
    m.put("RUNNEL_BRONZE_METRICS_TABLE", base + "/metrics/bronze");
    m.put("RUNNEL_WRITER_LEASE_SECONDS", "5");
    m.putAll(overrides);
    BronzeHere.availableNow(reader, ServiceEnv.with(m));
  }

  private Map<String, String> silverEnv(Map<String, String> overrides) {
    Map<String, String> m = new HashMap<>();
    m.put("RUNNEL_BRONZE_TABLE", base + "/bronze/events");
    m.put("RUNNEL_SILVER_ROOT", base + "/silver");
    m.put("RUNNEL_SILVER_CHECKPOINT", base + "/_checkpoints/silver");
    m.put("RUNNEL_SILVER_METRICS_TABLE", base + "/metrics/silver");
    m.put("RUNNEL_SILVER_EVENT_TOPICS", events);
    m.put("RUNNEL_SILVER_PRODUCT_TOPICS", products);
    // A killed run's lease expires quickly, so the restart need not wait long.
    m.put("RUNNEL_WRITER_LEASE_SECONDS", "5");
    m.putAll(overrides);
    return m;
  }

  private SparkSubmit.Result silver(Map<String, String> overrides, String... args)
      throws Exception {
    return submit().run(SILVER, silverEnv(overrides), LIMIT, args);
  }

  private SparkSubmit submit() {
    return SparkSubmit.ofModuleJar(env);
  }

  /**
   * SilverJob --available-now in this JVM, on the reader's session, with the same settings a
   * spark-submit run gets (the services' environment and the test's overrides).
   */
  private void silverHere(Map<String, String> overrides) throws Exception {
    new SilverJob(
            reader,
            SilverSettings.fromEnv(ServiceEnv.with(silverEnv(overrides)), true),
            io.runnel.common.Fence.NONE)
        .run();
  }

  // --- reading the tables ------------------------------------------------------------------------

  private Dataset<Row> table(String name) {
    return table(base + "/silver", name);
  }

  private Dataset<Row> table(String root, String name) {
    return reader.read().format("delta").load(s3.lakeUri(root + "/" + name));
  }

  private Map<String, Long> versions() {
    Map<String, Long> m = new TreeMap<>();
    for (SilverTables.Table t : SilverTables.ALL) {
      m.put(
          t.name(),
          DeltaTable.forPath(reader, s3.lakeUri(base + "/silver/" + t.name()))
              .history(1)
              .first()
              .getLong(0));
    }
    return m;
  }

  private Map<String, String> checksums() {
    return checksums(base + "/silver");
  }

  /**
   * An order-independent checksum of each table's rows, without the column that records when Silver
   * wrote them (it differs between runs by design).
   */
  private Map<String, String> checksums(String root) {
    Map<String, String> m = new TreeMap<>();
    for (SilverTables.Table t : SilverTables.ALL) {
      Dataset<Row> rows = table(root, t.name()).drop("silver_at");
      Row r =
          rows.selectExpr(
                  "count(*)",
                  "sum(hash(" + String.join(", ", rows.columns()) + ") % 1000000007)",
                  "md5(concat_ws('|', sort_array(collect_list(md5(to_json(struct(*)))))))")
              .first();
      m.put(t.name(), r.get(0) + "/" + r.get(1) + "/" + r.get(2));
    }
    return m;
  }

  /** The run's reconciliation line, parsed: read, new events, versions, quarantined, dups. */
  private static List<Long> runLine(String output) {
    Matcher m = RUN_LINE.matcher(output);
    assertThat(m.find()).as("no reconciliation line in:\n" + output).isTrue();
    List<Long> values = new ArrayList<>();
    for (int g : new int[] {1, 3, 4, 5, 6}) {
      values.add(Long.parseLong(m.group(g).replace(",", "")));
    }
    return values;
  }

  private static org.apache.spark.sql.Column functionsMin(String column) {
    return org.apache.spark.sql.functions.min(column);
  }
}
