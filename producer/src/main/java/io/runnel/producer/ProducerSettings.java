package io.runnel.producer;

import io.runnel.common.Env;
import io.runnel.common.SettingsException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Where the producer writes, read once from the environment. What to send (rates, counts, files)
 * comes from the command line.
 *
 * @param maxOutage how long a broker outage the producer rides out: a record is kept and retried
 *     this long, and a full buffer blocks the sender this long, before anything counts as failed
 */
record ProducerSettings(
    String bootstrap,
    String eventsTopic,
    int eventsPartitions,
    String productsTopic,
    int productsPartitions,
    short replicationFactor,
    Duration maxOutage) {

  static final String BOOTSTRAP = "RUNNEL_KAFKA_BOOTSTRAP";
  static final String EVENTS_TOPIC = "RUNNEL_EVENTS_TOPIC";
  static final String EVENTS_PARTITIONS = "RUNNEL_EVENTS_PARTITIONS";
  static final String PRODUCTS_TOPIC = "RUNNEL_PRODUCTS_TOPIC";
  static final String PRODUCTS_PARTITIONS = "RUNNEL_PRODUCTS_PARTITIONS";
  static final String REPLICATION_FACTOR = "RUNNEL_KAFKA_REPLICATION_FACTOR";
  static final String MAX_OUTAGE = "RUNNEL_PRODUCER_MAX_OUTAGE_SECONDS";

  /** Ten minutes: a broker restart or a rolling upgrade, with room to spare. */
  static final Duration DEFAULT_MAX_OUTAGE = Duration.ofMinutes(10);

  /**
   * The shortest outage setting: Kafka requires delivery.timeout.ms to be at least linger.ms (20)
   * plus request.timeout.ms (30,000 by default).
   */
  static final Duration MIN_MAX_OUTAGE = Duration.ofSeconds(31);

  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  static ProducerSettings fromEnv(Env env) {
    return new ProducerSettings(
        env.hostPorts(BOOTSTRAP, "127.0.0.1:19092"),
        topic(EVENTS_TOPIC, env.string(EVENTS_TOPIC, "events")),
        env.integer(EVENTS_PARTITIONS, 2, 1, 10_000),
        topic(PRODUCTS_TOPIC, env.string(PRODUCTS_TOPIC, "products")),
        env.integer(PRODUCTS_PARTITIONS, 1, 1, 10_000),
        (short) env.integer(REPLICATION_FACTOR, 1, 1, Short.MAX_VALUE),
        Duration.ofSeconds(
            env.integer(
                MAX_OUTAGE,
                (int) DEFAULT_MAX_OUTAGE.toSeconds(),
                (int) MIN_MAX_OUTAGE.toSeconds(),
                7 * 86_400)));
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
