package io.runnel.streaming;

import io.runnel.common.BronzeLocation;
import io.runnel.common.Env;
import io.runnel.common.S3Settings;
import io.runnel.common.SettingsException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

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

  static final String BOOTSTRAP = BronzeLocation.BOOTSTRAP;
  static final String METRICS = "RUNNEL_BRONZE_METRICS_TABLE";
  static final String STARTING_OFFSETS = "RUNNEL_BRONZE_STARTING_OFFSETS";
  static final String MAX_OFFSETS = "RUNNEL_BRONZE_MAX_OFFSETS_PER_TRIGGER";
  static final String TRIGGER_SECONDS = "RUNNEL_BRONZE_TRIGGER_SECONDS";
  static final String PREFLIGHT_SECONDS = "RUNNEL_PREFLIGHT_SECONDS";
  static final String COMPACT_MINUTES = "RUNNEL_BRONZE_COMPACT_MINUTES";

  /**
   * Spark's per-partition {@code startingOffsets}, as the data-loss line gives them: where a new
   * checkpoint starts when the operator accepts a loss ({@code KafkaDataLoss}).
   */
  private static final Pattern PER_PARTITION;

  static {
    String partitions = "\\{\"[0-9]+\":-?[0-9]+(,\"[0-9]+\":-?[0-9]+)*\\}";
    String topic = "\"[A-Za-z0-9._-]+\":" + partitions;
    PER_PARTITION = Pattern.compile("\\{" + topic + "(," + topic + ")*\\}");
  }

  public static BronzeSettings fromEnv(Env env, boolean availableNow) {
    // Topics, table, checkpoint and lease as ./runnel bronze-health reads them too.
    BronzeLocation where = BronzeLocation.fromEnv(env);
    String starting = env.string(STARTING_OFFSETS, "earliest");
    if (!starting.equals("earliest")
        && !starting.equals("latest")
        && !PER_PARTITION.matcher(starting.replaceAll("\\s", "")).matches()) {
      throw new SettingsException(
          STARTING_OFFSETS
              + " must be earliest or latest, or offsets per partition such as"
              + " {\"events\":{\"0\":42,\"1\":17}}, got '"
              + starting
              + "'");
    }
    return new BronzeSettings(
        where.kafkaBootstrap(),
        where.topics(),
        where.s3(),
        where.tablePath(),
        where.checkpointPath(),
        env.lakePath(METRICS, "_runnel/metrics/bronze_ingest"),
        starting,
        env.integer(MAX_OFFSETS, 2_000_000, 0, Integer.MAX_VALUE),
        Duration.ofMillis(Math.round(env.decimal(TRIGGER_SECONDS, 2.0, 0, 3_600) * 1_000)),
        availableNow,
        where.leaseTtl(),
        Duration.ofSeconds(env.integer(PREFLIGHT_SECONDS, 20, 1, 600)),
        Duration.ofMinutes(env.integer(COMPACT_MINUTES, 10, 1, 24 * 60)));
  }
}
