package io.runnel.platform;

import io.runnel.common.Env;
import io.runnel.common.Readiness;
import io.runnel.common.S3Settings;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

@Command(
    name = "s3-init",
    mixinStandardHelpOptions = true,
    description = "Waits until the S3 server answers, then creates the lake bucket if missing.")
final class S3InitCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(S3InitCommand.class);

  @Option(names = "--timeout-seconds", defaultValue = "60", description = "Give up after this.")
  int timeoutSeconds;

  @Override
  public Integer call() {
    S3Settings s3 = S3Settings.fromEnv(Env.system());
    try (S3Client client = s3.newClient()) {
      int buckets =
          Readiness.await(
              "S3 at " + s3.endpoint() + " (" + S3Settings.ENDPOINT + ")",
              Duration.ofSeconds(timeoutSeconds),
              () -> client.listBuckets().buckets().size());
      LOG.info("S3 at {} is ready ({} bucket(s))", s3.endpoint(), buckets);
      ensureBucket(client, s3.bucket());
    }
    return 0;
  }

  static void ensureBucket(S3Client client, String bucket) {
    try {
      client.headBucket(b -> b.bucket(bucket));
      LOG.info("bucket {} exists", bucket);
    } catch (NoSuchBucketException e) {
      try {
        client.createBucket(b -> b.bucket(bucket));
        LOG.info("created bucket {}", bucket);
      } catch (BucketAlreadyOwnedByYouException raced) {
        LOG.info("bucket {} exists", bucket);
      }
    }
  }
}
