package io.runnel.producer;

import io.runnel.common.Env;
import io.runnel.common.SettingsException;
import java.util.regex.Pattern;

/**
 * Where the producer writes, read once from the environment. What to send (rates, counts, files)
 * comes from the command line.
 */
record ProducerSettings(
    String bootstrap,
    String eventsTopic,
    int eventsPartitions,
    String productsTopic,
    int productsPartitions,
    short replicationFactor) {

  static final String BOOTSTRAP = "RUNNEL_KAFKA_BOOTSTRAP";
  static final String EVENTS_TOPIC = "RUNNEL_EVENTS_TOPIC";
  static final String EVENTS_PARTITIONS = "RUNNEL_EVENTS_PARTITIONS";
  static final String PRODUCTS_TOPIC = "RUNNEL_PRODUCTS_TOPIC";
  static final String PRODUCTS_PARTITIONS = "RUNNEL_PRODUCTS_PARTITIONS";
  static final String REPLICATION_FACTOR = "RUNNEL_KAFKA_REPLICATION_FACTOR";

  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  static ProducerSettings fromEnv(Env env) {
    return new ProducerSettings(
        env.hostPorts(BOOTSTRAP, "127.0.0.1:19092"),
        topic(EVENTS_TOPIC, env.string(EVENTS_TOPIC, "events")),
        env.integer(EVENTS_PARTITIONS, 2, 1, 10_000),
        topic(PRODUCTS_TOPIC, env.string(PRODUCTS_TOPIC, "products")),
        env.integer(PRODUCTS_PARTITIONS, 1, 1, 10_000),
        (short) env.integer(REPLICATION_FACTOR, 1, 1, Short.MAX_VALUE));
  }

  /** A valid Kafka topic name, or an error naming where it came from. */
  static String topic(String source, String name) {
    if (name == null || !TOPIC.matcher(name).matches() || ".".equals(name) || "..".equals(name)) {
      throw new SettingsException(
          source + " must be a Kafka topic name (1-249 of A-Z a-z 0-9 . _ -), got '" + name + "'");
    }
    return name;
  }
}
