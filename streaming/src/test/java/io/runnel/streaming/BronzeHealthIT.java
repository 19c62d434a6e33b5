package io.runnel.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.common.Env;
import io.runnel.common.KafkaTopics;
import io.runnel.common.S3Settings;
import io.runnel.common.testing.ServiceEnv;
import io.runnel.common.testing.SparkSubmit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code ./runnel bronze-health} as the Airflow DAG runs it (the admin tool's jar, {@code java
 * -jar}), against the real broker and S3 server, with the real Bronze job under {@code
 * spark-submit} in between. Its own topic and lake prefix.
 */
class BronzeHealthIT {
  private static final Duration LIMIT = Duration.ofMinutes(10);
  private static final int FIRST = 500;
  private static final int MORE = 37;

  private static Env env;
  private static S3Settings s3;

  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String topic = "health-" + id;
  private final String base = "_runnel/it/health-" + id;

  @BeforeAll
  static void services() {
    env = ServiceEnv.get();
    s3 = S3Settings.fromEnv(env);
  }

  @AfterEach
  void cleanUp() throws Exception {
    try (Admin admin = Admin.create(kafkaProps())) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    }
    try (S3Client client = s3.newClient()) {
      List<ObjectIdentifier> keys =
          client
              .listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(base + "/"))
              .contents()
              .stream()
              .map(S3Object::key)
              .map(k -> ObjectIdentifier.builder().key(k).build())
              .toList();
      for (int i = 0; i < keys.size(); i += 1_000) {
        List<ObjectIdentifier> chunk = keys.subList(i, Math.min(keys.size(), i + 1_000));
        client.deleteObjects(b -> b.bucket(s3.bucket()).delete(d -> d.objects(chunk)));
      }
    }
  }

  @Test
  void failsBeforeBronzeRanPassesOnceCaughtUpAndFailsNamingWhatWaitsWithoutAWriter()
      throws Exception {
    createTopic(2);
    Result before = health();
    assertThat(before.exitCode()).as(before.output()).isEqualTo(1);
    assertThat(before.lastLine())
        .isEqualTo(
            "bronze: no Bronze checkpoint at s3://"
                + s3.bucket()
                + "/"
                + base
                + "/_checkpoints/bronze/events: run ./runnel bronze first");

    produce(FIRST);
    SparkSubmit.Result bronze =
        SparkSubmit.ofModuleJar(env)
            .run(BronzeIngestJob.class.getName(), bronzeEnv(), LIMIT, "--available-now");
    assertThat(bronze.exitCode()).as(bronze.output()).isZero();
    Result caughtUp = health();
    assertThat(caughtUp.exitCode()).as(caughtUp.output()).isZero();
    // An available-now run releases its lease when it stops: no writer, nothing waiting.
    assertThat(caughtUp.lastLine())
        .matches("bronze: healthy: lag 0 records, last commit \\d+ s ago, writer not running");

    produce(MORE);
    Result behind = health();
    assertThat(behind.exitCode()).as(behind.output()).isEqualTo(1);
    assertThat(behind.lastLine())
        .isEqualTo(
            "bronze: "
                + MORE
                + " records in Kafka not yet in Bronze and no Bronze writer is running: start it"
                + " with ./runnel bronze");
    // Tolerating the backlog is the caller's choice.
    Result tolerated = health("--max-lag", String.valueOf(MORE));
    assertThat(tolerated.exitCode()).as(tolerated.output()).isZero();
    assertThat(tolerated.lastLine()).startsWith("bronze: healthy: lag " + MORE + " records, ");
  }

  @Test
  void unreachableServicesAndMissingTopicsAreOneLineEach() throws Exception {
    createTopic(1);
    Result noKafka = run(Map.of("RUNNEL_KAFKA_BOOTSTRAP", "127.0.0.1:1"), "--timeout-seconds", "2");
    assertThat(noKafka.exitCode()).isEqualTo(3);
    assertThat(noKafka.lastLine())
        .startsWith(
            "runnel-admin: Kafka at 127.0.0.1:1 (RUNNEL_KAFKA_BOOTSTRAP) did not answer within 2 s");

    // The real Kafka is checked first, within the same limit (2 s is short on a loaded machine).
    Result noS3 =
        run(Map.of("RUNNEL_S3_ENDPOINT", "http://127.0.0.1:1"), "--timeout-seconds", "15");
    assertThat(noS3.exitCode()).isEqualTo(3);
    assertThat(noS3.lastLine())
        .startsWith("runnel-admin: S3 bucket " + s3.bucket() + " at http://127.0.0.1:1")
        .contains("did not answer within 15 s");

    Result noTopic = run(Map.of("RUNNEL_BRONZE_TOPICS", "no-such-topic-" + id));
    assertThat(noTopic.exitCode()).isEqualTo(3);
    assertThat(noTopic.lastLine()).contains("[no-such-topic-" + id + "] do not exist");
  }

  // --- helpers -----------------------------------------------------------------------------------

  /** A finished run of the admin tool: its exit status and everything it printed. */
  record Result(int exitCode, String output) {
    String lastLine() {
      String[] lines = output.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private Result health(String... options) throws Exception {
    return run(Map.of(), options);
  }

  /** {@code java -jar runnel-platform.jar bronze-health}, as {@code ./runnel bronze-health}. */
  private Result run(Map<String, String> overrides, String... options) throws Exception {
    String jar = System.getProperty("runnel.admin.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException(
          "the admin tool's jar is missing (build platform first, e.g. ./mvnw package -pl"
              + " platform -am): "
              + jar);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar);
    command.add("bronze-health");
    command.addAll(List.of(options));
    Path log = Files.createTempFile("bronze-health", ".log");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(bronzeEnv());
      pb.environment().putAll(overrides);
      Process process = pb.start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("bronze-health did not finish within 60 s:\n" + read(log));
      }
      return new Result(process.exitValue(), read(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** The Bronze job's settings for this test; bronze-health reads the same ones. */
  private Map<String, String> bronzeEnv() {
    Map<String, String> m = new HashMap<>();
    m.put("RUNNEL_BRONZE_TOPICS", topic);
    m.put("RUNNEL_BRONZE_TABLE", base + "/bronze/events");
    m.put("RUNNEL_BRONZE_CHECKPOINT", base + "/_checkpoints/bronze/events");
    m.put("RUNNEL_BRONZE_METRICS_TABLE", base + "/metrics");
    m.put("RUNNEL_WRITER_LEASE_SECONDS", "5");
    return m;
  }

  private void produce(int n) throws Exception {
    Properties p = kafkaProps();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < n; i++) {
        String user = "user_" + (i % 13);
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    topic,
                    user,
                    "{\"event_id\":\"" + id + "-" + i + "\",\"user_id\":\"" + user + "\"}")));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get(30, TimeUnit.SECONDS);
      }
    }
  }

  private void createTopic(int partitions) throws Exception {
    try (Admin admin = Admin.create(kafkaProps())) {
      KafkaTopics.create(
          admin, List.of(new NewTopic(topic, partitions, (short) 1)), Duration.ofSeconds(30));
    }
  }

  private static Properties kafkaProps() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, env.required("RUNNEL_KAFKA_BOOTSTRAP"));
    return props;
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
