package io.runnel.streaming;

import io.runnel.common.Env;
import io.runnel.common.S3Settings;
import io.runnel.common.SettingsException;
import java.time.Duration;
import java.util.List;

/**
 * Everything BronzeIngestJob reads from the environment, read and validated once at start.
 *
 * @param tablePath the Bronze Delta table, relative to the lake bucket
 * @param checkpointPath the streaming checkpoint, beside the table on the same S3 store
 * @param maxOffsetsPerTrigger at most this many Kafka records per micro-batch (0: no limit)
 * @param availableNow drain what Kafka holds now, then stop (instead of running continuously)
 * @param leaseTtl how long a killed writer's lease blocks its successor
 * @param preflightTimeout how long to wait for Kafka and S3 to answer at start
 */
public record BronzeSettings(
    String kafkaBootstrap,
    List<String> topics,
    S3Settings s3,
    String tablePath,
    String checkpointPath,
    String metricsPath,
    String startingOffsets,
    long maxOffsetsPerTrigger,
    Duration triggerInterval,
    boolean availableNow,
    Duration leaseTtl,
    Duration preflightTimeout,
    Duration compactionInterval) {

  static final String BOOTSTRAP = "RUNNEL_KAFKA_BOOTSTRAP";
  static final String TOPICS = "RUNNEL_BRONZE_TOPICS";
  static final String TABLE = "RUNNEL_BRONZE_TABLE";
  static final String CHECKPOINT = "RUNNEL_BRONZE_CHECKPOINT";
  static final String METRICS = "RUNNEL_BRONZE_METRICS_TABLE";
  static final String STARTING_OFFSETS = "RUNNEL_BRONZE_STARTING_OFFSETS";
  static final String MAX_OFFSETS = "RUNNEL_BRONZE_MAX_OFFSETS_PER_TRIGGER";
  static final String TRIGGER_SECONDS = "RUNNEL_BRONZE_TRIGGER_SECONDS";
  static final String LEASE_SECONDS = "RUNNEL_WRITER_LEASE_SECONDS";
  static final String PREFLIGHT_SECONDS = "RUNNEL_PREFLIGHT_SECONDS";
  static final String COMPACT_MINUTES = "RUNNEL_BRONZE_COMPACT_MINUTES";

  public static BronzeSettings fromEnv(Env env, boolean availableNow) {
    List<String> topics = env.topics(TOPICS, "events,products");
    String starting = env.string(STARTING_OFFSETS, "earliest");
    if (!starting.equals("earliest") && !starting.equals("latest")) {
      throw new SettingsException(
          STARTING_OFFSETS + " must be earliest or latest, got '" + starting + "'");
    }
    return new BronzeSettings(
        env.hostPorts(BOOTSTRAP, "127.0.0.1:19092"),
        topics,
        S3Settings.fromEnv(env),
        env.lakePath(TABLE, "bronze/events"),
        env.lakePath(CHECKPOINT, "_checkpoints/bronze/events"),
        env.lakePath(METRICS, "_runnel/metrics/bronze_ingest"),
        starting,
        env.integer(MAX_OFFSETS, 2_000_000, 0, Integer.MAX_VALUE),
        Duration.ofMillis(Math.round(env.decimal(TRIGGER_SECONDS, 2.0, 0, 3_600) * 1_000)),
        availableNow,
        Duration.ofSeconds(env.integer(LEASE_SECONDS, 30, 3, 3_600)),
        Duration.ofSeconds(env.integer(PREFLIGHT_SECONDS, 20, 1, 600)),
        Duration.ofMinutes(env.integer(COMPACT_MINUTES, 10, 1, 24 * 60)));
  }
}
