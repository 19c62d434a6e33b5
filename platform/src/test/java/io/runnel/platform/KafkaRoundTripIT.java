package io.runnel.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.common.testing.ServiceEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A round trip through the real broker: what goes in comes out, once, in per-key order. */
class KafkaRoundTripIT {
  private static final int RECORDS = 2_000;
  private static final int USERS = 37;

  private final String bootstrap =
      ServiceEnv.get().hostPorts(KafkaReadyCommand.BOOTSTRAP, "127.0.0.1:19092");
  private final String topic = "it-roundtrip-" + UUID.randomUUID();

  @AfterEach
  void deleteTopic() throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyRecordSentIsReadBackOnceAndKeysStayOnOnePartition() throws Exception {
    assertThat(RunnelAdmin.run("kafka-ready", "--topic", topic + ":2", "--timeout-seconds", "30"))
        .isZero();

    Map<String, Set<Integer>> partitionsByKey = new HashMap<>();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < RECORDS; i++) {
        String key = "user_" + (i % USERS);
        keys.add(key);
        sent.add(producer.send(new ProducerRecord<>(topic, key, key + ":" + i)));
      }
      producer.flush();
      for (int i = 0; i < RECORDS; i++) {
        partitionsByKey
            .computeIfAbsent(keys.get(i), k -> new HashSet<>())
            .add(sent.get(i).get(10, TimeUnit.SECONDS).partition());
      }
    }
    assertThat(partitionsByKey.values()).allSatisfy(parts -> assertThat(parts).hasSize(1));

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<String> values = new ArrayList<>();
    Map<String, Integer> lastSeqByKey = new HashMap<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      assertThat(partitions).hasSize(2);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.size() < RECORDS && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
          int seq = Integer.parseInt(r.value().substring(r.value().indexOf(':') + 1));
          Integer previous = lastSeqByKey.put(r.key(), seq);
          assertThat(previous == null || previous < seq).as("order of " + r.key()).isTrue();
        }
      }
      // Nothing beyond what was sent.
      assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
    }
    assertThat(values).hasSize(RECORDS).doesNotHaveDuplicates();
    assertThat(lastSeqByKey).hasSize(USERS);
  }
}
