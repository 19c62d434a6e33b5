package io.runnel.platform;

import io.runnel.common.BronzeCheckpoint;
import io.runnel.common.BronzeLocation;
import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.KafkaDataLoss;
import io.runnel.common.KafkaOffsets;
import io.runnel.common.Preflight;
import io.runnel.common.Readiness;
import io.runnel.common.S3Settings;
import io.runnel.common.ServiceUnavailableException;
import io.runnel.common.SettingsException;
import io.runnel.common.WriterLease;
import io.runnel.platform.BronzeHealth.Commit;
import io.runnel.platform.BronzeHealth.Lease;
import io.runnel.platform.BronzeHealth.Observation;
import io.runnel.platform.BronzeHealth.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

@Command(
    name = "bronze-health",
    mixinStandardHelpOptions = true,
    description = {
      "Exits 0 when Bronze has ingested what Kafka holds, or its writer is alive and committing;"
          + " otherwise 1, with one line saying what to do. Reads only.",
      "Settings: RUNNEL_BRONZE_TOPICS, RUNNEL_BRONZE_TABLE, RUNNEL_BRONZE_CHECKPOINT,"
          + " RUNNEL_WRITER_LEASE_SECONDS, RUNNEL_KAFKA_BOOTSTRAP, RUNNEL_S3_*, as the Bronze job"
          + " reads them."
    })
final class BronzeHealthCommand implements Callable<Integer> {
  @Option(
      names = "--max-lag",
      defaultValue = "0",
      description = "Healthy when at most this many Kafka records are not in Bronze (default: 0).")
  long maxLag;

  @Option(
      names = "--max-stall-seconds",
      defaultValue = "120",
      description =
          "Also healthy when the writer is alive and committed a batch within this (default: 120).")
  int maxStallSeconds;

  @Option(
      names = "--timeout-seconds",
      defaultValue = "20",
      description = "Give up on Kafka or S3 after this (default: 20).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    if (maxLag < 0 || maxStallSeconds < 1 || timeoutSeconds < 1) {
      throw new SettingsException(
          "--max-lag must be 0 or more, --max-stall-seconds and --timeout-seconds 1 or more");
    }
    BronzeLocation bronze = BronzeLocation.fromEnv(Env.system());
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    // Unreachable services and missing topics end here, with the same lines as the Bronze job's.
    Preflight.kafka(bronze.kafkaBootstrap(), BronzeLocation.BOOTSTRAP, bronze.topics(), timeout);
    Preflight.s3Bucket(bronze.s3(), timeout);
    Verdict verdict =
        BronzeHealth.judge(observe(bronze, timeout), maxLag, Duration.ofSeconds(maxStallSeconds));
    (verdict.healthy() ? System.out : System.err).println(verdict.line());
    return verdict.healthy() ? Exits.OK : Exits.FAILED;
  }

  /** Reads the checkpoint, the lease and Kafka's offsets: everything {@link BronzeHealth} needs. */
  static Observation observe(BronzeLocation bronze, Duration timeout) throws Exception {
    S3Settings s3 = bronze.s3();
    String checkpoint = S3Settings.stripSlashes(bronze.checkpointPath());
    try (S3Client client = s3.newClient()) {
      return observe(bronze, client, checkpoint, timeout);
    } catch (SdkClientException e) {
      // It answered the preflight a moment ago: gone since, or too slow.
      throw new ServiceUnavailableException(
          "S3 at "
              + s3.endpoint()
              + " ("
              + S3Settings.ENDPOINT
              + ") failed while reading the Bronze checkpoint: "
              + Readiness.rootMessage(e));
    }
  }

  private static Observation observe(
      BronzeLocation bronze, S3Client client, String checkpoint, Duration timeout)
      throws Exception {
    S3Settings s3 = bronze.s3();
    BronzeCheckpoint.Listing listing = BronzeCheckpoint.read(client, s3.bucket(), checkpoint);
    List<String> keys = listing.keys();
    OptionalLong batch = listing.batch();
    Map<TopicPartition, Long> committed = listing.offsets();
    Optional<Commit> commit = Optional.empty();
    if (batch.isPresent()) {
      long n = batch.getAsLong();
      HeadObjectResponse head =
          client.headObject(b -> b.bucket(s3.bucket()).key(checkpoint + "/commits/" + n));
      commit =
          Optional.of(
              new Commit(n, Duration.between(head.lastModified(), WriterLease.serverNow(head))));
    }
    Optional<Lease> lease =
        WriterLease.inspect(client, s3.bucket(), bronze.tablePath())
            .map(seen -> new Lease(BronzeCheckpoint.leaseHolder(seen.holder()), seen.age()));
    // Kafka last: the end offsets are read after the checkpoint, so a batch committed in
    // between can only make the lag look larger, never hide a backlog.
    KafkaOffsets now =
        KafkaOffsets.read(
            bronze.kafkaBootstrap(), BronzeLocation.BOOTSTRAP, bronze.topics(), timeout);
    List<KafkaDataLoss.Gap> gaps = KafkaDataLoss.gaps(committed, now.earliest());
    return new Observation(
        "s3://" + s3.bucket() + "/" + checkpoint,
        !keys.isEmpty(),
        commit,
        BronzeHealth.lag(now.earliest(), now.end(), committed),
        lease,
        bronze.leaseTtl(),
        gaps.isEmpty()
            ? Optional.empty()
            : Optional.of(
                KafkaDataLoss.line(
                    gaps, committed, now.earliest(), bronze.checkpointPath(), Instant.now())));
  }
}
