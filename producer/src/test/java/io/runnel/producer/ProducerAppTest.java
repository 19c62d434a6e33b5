package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.Env;
import io.runnel.common.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerAppTest {
  private final CommandRun cli = new CommandRun();

  private int run(Map<String, String> env, String... args) {
    return cli.run(env, args);
  }

  private String out() {
    return cli.out();
  }

  private String err() {
    return cli.err();
  }

  @Test
  void aDryRunPrintsTheSameEventsForTheSameSeedAndStartTime() {
    String[] args = {"--count", "300", "--dry-run", "--start-time", "2026-01-01T00:00:00Z"};
    assertThat(run(Map.of(), args)).isZero();
    String first = out();
    cli.reset();
    assertThat(run(Map.of(), args)).isZero();
    assertThat(out()).isEqualTo(first);
    assertThat(first.lines()).hasSize(300);
    assertThat(first.lines().findFirst().orElseThrow())
        .startsWith("user_")
        .contains("\t{\"event_id\":\"")
        .contains("\"ts\":\"2026-01-01T00:00:00.000Z\"");
    assertThat(err()).contains("sent 300 records to events").contains("stopped by");
  }

  @Test
  void badRecordCountsAreInTheSummary() {
    assertThat(
            run(
                Map.of(),
                "--count",
                "2000",
                "--dry-run",
                "--bad",
                "late=0.1",
                "--bad",
                "duplicate=0.05"))
        .isZero();
    assertThat(err()).containsPattern("bad duplicate +\\d+").containsPattern("bad late +\\d+");
  }

  @Test
  void badOptionsAndSettingsExitWithTwoAndOneLineNamingTheCulprit() {
    assertThat(run(Map.of(), "--bad", "sideways=0.1", "--dry-run")).isEqualTo(2);
    assertThat(err()).contains("unknown bad-record kind 'sideways'");
    cli.reset();
    assertThat(run(Map.of(ProducerSettings.BOOTSTRAP, "nohost"), "--count", "1")).isEqualTo(2);
    assertThat(err().strip())
        .isEqualTo(
            "runnel-producer: RUNNEL_KAFKA_BOOTSTRAP must be a comma-separated list of host:port,"
                + " got 'nohost'");
    cli.reset();
    assertThat(run(Map.of(), "--count", "nine")).isEqualTo(2);
    cli.reset();
    assertThat(run(Map.of(), "--currencies", "EUR,XYZ", "--dry-run")).isEqualTo(2);
    assertThat(err()).contains("unknown currency 'XYZ'");
    cli.reset();
    assertThat(run(Map.of(), "replay", "--file", "/nonexistent.csv", "--topic", "t")).isEqualTo(2);
    assertThat(err()).contains("/nonexistent.csv: no such file");
  }

  @Test
  void kafkaThatDoesNotAnswerIsOneLineAndExitThree() {
    long started = System.nanoTime();
    assertThat(
            run(
                Map.of(ProducerSettings.BOOTSTRAP, "127.0.0.1:1"),
                "--count",
                "10",
                "--timeout-seconds",
                "2",
                "--progress-seconds",
                "0"))
        .isEqualTo(3);
    assertThat(err().strip())
        .isEqualTo(
            "runnel-producer: Kafka at 127.0.0.1:1 (RUNNEL_KAFKA_BOOTSTRAP) did not answer within"
                + " 2 s: is it running? (./runnel up)");
    assertThat(System.nanoTime() - started).isLessThan(20_000_000_000L);
  }

  @Test
  void aCsvFileIsReplayedInADryRun(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("orders.csv");
    Files.writeString(csv, "order,customer,total\no1,c1,9.5\no2,c2,\n");
    assertThat(
            run(
                Map.of(),
                "replay",
                "--file",
                csv.toString(),
                "--topic",
                "orders",
                "--key-column",
                "customer",
                "--type",
                "total=number",
                "--dry-run"))
        .isZero();
    assertThat(out().lines())
        .containsExactly(
            "c1\t{\"order\":\"o1\",\"customer\":\"c1\",\"total\":9.5}",
            "c2\t{\"order\":\"o2\",\"customer\":\"c2\",\"total\":null}");
  }

  @Test
  void theCatalogCommandWritesTheShippedCatalog() throws Exception {
    assertThat(run(Map.of(), "catalog")).isZero();
    assertThat(out()).isEqualTo(Catalog.toCsv(Catalog.generate(Catalog.SHIPPED_SIZE)));
  }

  @Test
  void helpExplainsTheModesAndTheEnvironment() {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out())
        .contains("replay", "products", "catalog", "RUNNEL_KAFKA_BOOTSTRAP", "--bad", "--rate");
  }

  @Test
  void settingsComeFromTheEnvironmentWithDefaults() {
    ProducerSettings defaults = ProducerSettings.fromEnv(Env.of(Map.of()));
    assertThat(defaults)
        .isEqualTo(
            new ProducerSettings(
                "127.0.0.1:19092", "events", 2, "products", 1, (short) 1, Duration.ofMinutes(10)));
    assertThatThrownBy(
            () -> ProducerSettings.fromEnv(Env.of(Map.of(ProducerSettings.EVENTS_TOPIC, "a b"))))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("RUNNEL_EVENTS_TOPIC must be a Kafka topic name");
    assertThatThrownBy(
            () -> ProducerSettings.fromEnv(Env.of(Map.of(ProducerSettings.EVENTS_PARTITIONS, "0"))))
        .hasMessageStartingWith("RUNNEL_EVENTS_PARTITIONS must be between 1 and");
  }

  @Test
  void producerPropertiesAreTheDocumentedOnes() {
    var p = EventPublisher.properties("h:1", Duration.ofMinutes(10), Map.of("linger.ms", "5"));
    assertThat(p)
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true)
        .containsEntry("compression.type", "lz4")
        .containsEntry("batch.size", 262_144)
        .containsEntry("linger.ms", "5");
  }

  @Test
  void theSchemaVersionInCodeIsTheOneInTheContractFiles() {
    assertThat(Contracts.schemaJson(EventContract.EVENT_SCHEMA_RESOURCE).get("$id").asText())
        .endsWith(":" + EventContract.EVENT_SCHEMA_VERSION);
    assertThat(Contracts.schemaJson(EventContract.PRODUCT_SCHEMA_RESOURCE).get("$id").asText())
        .endsWith(":" + EventContract.PRODUCT_SCHEMA_VERSION);
    assertThat(Contracts.schemaJson(EventContract.EVENT_SCHEMA_RESOURCE).get("required"))
        .extracting(n -> n.asText())
        .containsExactlyElementsOf(EventContract.REQUIRED_FIELDS);
    assertThat(
            Contracts.schemaJson(EventContract.EVENT_SCHEMA_RESOURCE)
                .at("/properties/event_type/enum"))
        .extracting(n -> n.asText())
        .containsExactlyElementsOf(EventContract.EVENT_TYPES);
  }
}
