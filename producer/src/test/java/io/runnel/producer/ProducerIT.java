package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.common.Env;
import io.runnel.common.testing.ServiceEnv;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The producer against the real broker: what it says it sent is exactly what a consumer reads. */
class ProducerIT {
  private final Env env = ServiceEnv.get();
  private final String bootstrap = env.hostPorts(ProducerSettings.BOOTSTRAP, "127.0.0.1:19092");
  private final String suffix = UUID.randomUUID().toString();
  private final String events = "it-events-" + suffix;
  private final String products = "it-products-" + suffix;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void deleteTopics() throws Exception {
    try (Admin admin = admin()) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<String> ours = List.of(events, products).stream().filter(existing::contains).toList();
      admin.deleteTopics(ours).all().get(30, TimeUnit.SECONDS);
    }
  }

  private Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return Admin.create(props);
  }

  private int produce(String... args) {
    return ProducerApp.run(
        env,
        new AtomicBoolean(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        args);
  }

  private long summary(String name) {
    Matcher m =
        Pattern.compile("(?m)^  " + Pattern.quote(name) + " +([\\d,]+)$")
            .matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).as(name + " in the summary:\n" + out).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  private static String header(ConsumerRecord<?, ?> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Everything in the topic, read until the expected count and then one more quiet poll. */
  private List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
    List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (all.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(all::add);
      }
      consumer.poll(Duration.ofMillis(1_000)).forEach(all::add);
    }
    return all;
  }

  @Test
  void everyEventSentIsConsumedOnceKeyedByUserWithTheSchemaVersionHeader() throws Exception {
    int n = 20_000;
    assertThat(
            produce(
                "--count",
                "" + n,
                "--topic",
                events,
                "--partitions",
                "3",
                "--bad",
                "all=0.002",
                "--progress-seconds",
                "0"))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();
    assertThat(summary("acked")).isEqualTo(n);
    assertThat(summary("failed")).isZero();

    try (Admin admin = admin()) {
      assertThat(
              admin
                  .describeTopics(List.of(events))
                  .allTopicNames()
                  .get(30, TimeUnit.SECONDS)
                  .get(events)
                  .partitions())
          .hasSize(3);
    }
    List<ConsumerRecord<String, byte[]>> records = readAll(events, n);
    assertThat(records).hasSize(n);
    long breaking = 0;
    for (BadKind kind : BadKind.values()) {
      if (kind != BadKind.LATE && kind != BadKind.DUPLICATE) {
        breaking += summary("bad " + kind.label());
      }
    }
    Set<String> eventIds = new HashSet<>();
    long valid = 0;
    for (ConsumerRecord<String, byte[]> r : records) {
      assertThat(header(r, EventContract.VERSION_HEADER)).isEqualTo("1");
      assertThat(header(r, EventContract.SCHEMA_HEADER)).isEqualTo("event");
      assertThat(r.key()).matches("user_\\d+");
      if (Contracts.violations(Contracts.EVENT, r.value()).isEmpty()) {
        valid++;
        JsonNode e = Contracts.parse(r.value());
        assertThat(e.get("user_id").asText()).isEqualTo(r.key());
        eventIds.add(e.get("event_id").asText());
      }
    }
    assertThat(valid).isEqualTo(n - breaking);
    // Duplicates repeat an event_id; everything else is unique.
    assertThat((long) eventIds.size()).isEqualTo(valid - summary("bad duplicate"));
  }

  @Test
  void aRateAndDurationRunSendsWhatItReports() {
    assertThat(
            produce(
                "--rate", "2000", "--duration", "2s", "--topic", events, "--progress-seconds", "1"))
        .isZero();
    long acked = summary("acked");
    assertThat(acked).isBetween(3_000L, 4_100L);
    assertThat(readAll(events, (int) acked)).hasSize((int) acked);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("sent ").contains("/s) acked ");
  }

  @Test
  void theCatalogIsReplayedToTheProductsTopic() {
    assertThat(produce("products", "--topic", products, "--progress-seconds", "0")).isZero();
    List<ConsumerRecord<String, byte[]>> records = readAll(products, Catalog.SHIPPED_SIZE);
    assertThat(records).hasSize(Catalog.SHIPPED_SIZE);
    Set<String> keys = new HashSet<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      assertThat(Contracts.violations(Contracts.PRODUCT, r.value())).isEmpty();
      assertThat(Contracts.parse(r.value()).get("product_id").asText()).isEqualTo(r.key());
      assertThat(header(r, EventContract.SCHEMA_HEADER)).isEqualTo("product");
      assertThat(header(r, EventContract.VERSION_HEADER)).isEqualTo("1");
      keys.add(r.key());
    }
    assertThat(keys).hasSize(Catalog.SHIPPED_SIZE);
    // Created with RUNNEL_PRODUCTS_PARTITIONS (default 1): the catalog stays in file order.
    assertThat(records.stream().map(r -> r.partition()).distinct()).hasSize(1);
  }
}
