package io.runnel.batch.silver;

import io.runnel.common.Env;
import io.runnel.common.S3Settings;
import io.runnel.common.SettingsException;
import java.time.Duration;
import java.util.Set;

/**
 * Everything SilverJob reads from the environment, read and validated once at start.
 *
 * @param bronzePath the Bronze table it reads, relative to the lake bucket
 * @param silverRoot the folder of the Silver tables (events, events_quarantine, products,
 *     products_history)
 * @param eventTopics the Kafka topics whose records are events; products come from productTopics; a
 *     record of any other topic is quarantined
 * @param maxFilesPerTrigger at most this many Bronze files per micro-batch (0: Delta's default)
 * @param maxMbPerTrigger Bronze files of about this many MB per micro-batch at most (a soft limit:
 *     one file more than it, at least one file; 0: no limit). A batch's work and memory grow with
 *     its rows: 2.36M Bronze rows in one batch exhausted a 2 GB driver in the soak, 1M did not.
 * @param compactEveryBatches the tables' small files of today and yesterday are compacted after
 *     every this many micro-batches (0: never)
 * @param rules the validation limits
 */
public record SilverSettings(
    S3Settings s3,
    String bronzePath,
    String silverRoot,
    String checkpointPath,
    String metricsPath,
    Set<String> eventTopics,
    Set<String> productTopics,
    int maxFilesPerTrigger,
    int maxMbPerTrigger,
    int compactEveryBatches,
    Duration triggerInterval,
    boolean availableNow,
    SilverRules.Limits rules,
    Duration leaseTtl,
    Duration preflightTimeout) {

  static final String BRONZE_TABLE = "RUNNEL_BRONZE_TABLE";
  static final String ROOT = "RUNNEL_SILVER_ROOT";
  static final String CHECKPOINT = "RUNNEL_SILVER_CHECKPOINT";
  static final String METRICS = "RUNNEL_SILVER_METRICS_TABLE";
  static final String EVENT_TOPICS = "RUNNEL_SILVER_EVENT_TOPICS";
  static final String PRODUCT_TOPICS = "RUNNEL_SILVER_PRODUCT_TOPICS";
  static final String MAX_FILES = "RUNNEL_SILVER_MAX_FILES_PER_TRIGGER";
  static final String MAX_MB = "RUNNEL_SILVER_MAX_MB_PER_TRIGGER";
  static final String COMPACT_EVERY = "RUNNEL_SILVER_COMPACT_EVERY_BATCHES";
  static final String TRIGGER_SECONDS = "RUNNEL_SILVER_TRIGGER_SECONDS";
  static final String MAX_PAYLOAD = "RUNNEL_SILVER_MAX_PAYLOAD_BYTES";
  static final String MAX_FUTURE = "RUNNEL_SILVER_MAX_FUTURE_SECONDS";
  static final String LATE_AFTER = "RUNNEL_SILVER_LATE_AFTER_SECONDS";
  static final String OLDEST = "RUNNEL_SILVER_OLDEST_TIME";
  static final String LEASE_SECONDS = "RUNNEL_WRITER_LEASE_SECONDS";
  static final String PREFLIGHT_SECONDS = "RUNNEL_PREFLIGHT_SECONDS";

  public static SilverSettings fromEnv(Env env, boolean availableNow) {
    Set<String> eventTopics = topics(env, EVENT_TOPICS, "events");
    Set<String> productTopics = topics(env, PRODUCT_TOPICS, "products");
    if (eventTopics.stream().anyMatch(productTopics::contains)) {
      throw new SettingsException(
          EVENT_TOPICS + " and " + PRODUCT_TOPICS + " must not name the same topic");
    }
    return new SilverSettings(
        S3Settings.fromEnv(env),
        env.lakePath(BRONZE_TABLE, "bronze/events"),
        env.lakePath(ROOT, "silver"),
        env.lakePath(CHECKPOINT, "_checkpoints/silver"),
        env.lakePath(METRICS, "_runnel/metrics/silver"),
        eventTopics,
        productTopics,
        env.integer(MAX_FILES, 0, 0, 1_000_000),
        env.integer(MAX_MB, 64, 0, 1_000_000),
        env.integer(COMPACT_EVERY, 20, 0, 1_000_000),
        Duration.ofMillis(Math.round(env.decimal(TRIGGER_SECONDS, 10.0, 0, 86_400) * 1_000)),
        availableNow,
        new SilverRules.Limits(
            env.integer(MAX_PAYLOAD, 16_384, 256, 16 << 20),
            Duration.ofSeconds(env.integer(MAX_FUTURE, 300, 0, 7 * 86_400)),
            Duration.ofSeconds(env.integer(LATE_AFTER, 900, 1, 365 * 86_400)),
            env.instant(OLDEST, SilverRules.DEFAULT_OLDEST, SilverRules.EARLIEST_OLDEST)),
        Duration.ofSeconds(env.integer(LEASE_SECONDS, 30, 3, 3_600)),
        Duration.ofSeconds(env.integer(PREFLIGHT_SECONDS, 20, 1, 600)));
  }

  private static Set<String> topics(Env env, String variable, String fallback) {
    return Set.copyOf(env.topics(variable, fallback));
  }
}
