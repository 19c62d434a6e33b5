package io.runnel.common;

import java.time.Duration;
import java.util.List;

/**
 * Where the Bronze job reads from and writes to. The job ({@code BronzeSettings}) and the tools
 * that watch it ({@code ./runnel bronze-health}) read it the same way, so their variables and
 * defaults cannot drift apart.
 *
 * @param topics the Kafka topics Bronze subscribes to
 * @param tablePath the Bronze Delta table, relative to the lake bucket; its writer lease lies in it
 * @param checkpointPath the streaming checkpoint, relative to the lake bucket
 * @param leaseTtl how long a writer's lease holds without renewal (see {@link WriterLease})
 */
public record BronzeLocation(
    String kafkaBootstrap,
    List<String> topics,
    S3Settings s3,
    String tablePath,
    String checkpointPath,
    Duration leaseTtl) {

  public static final String BOOTSTRAP = "RUNNEL_KAFKA_BOOTSTRAP";
  public static final String TOPICS = "RUNNEL_BRONZE_TOPICS";
  public static final String TABLE = "RUNNEL_BRONZE_TABLE";
  public static final String CHECKPOINT = "RUNNEL_BRONZE_CHECKPOINT";
  public static final String LEASE_SECONDS = "RUNNEL_WRITER_LEASE_SECONDS";

  public static BronzeLocation fromEnv(Env env) {
    return new BronzeLocation(
        env.hostPorts(BOOTSTRAP, "127.0.0.1:19092"),
        env.topics(TOPICS, "events,products"),
        S3Settings.fromEnv(env),
        env.lakePath(TABLE, "bronze/events"),
        env.lakePath(CHECKPOINT, "_checkpoints/bronze/events"),
        Duration.ofSeconds(env.integer(LEASE_SECONDS, 30, 3, 3_600)));
  }
}
