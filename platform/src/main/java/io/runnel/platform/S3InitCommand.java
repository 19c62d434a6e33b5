package io.runnel.platform;

import io.runnel.common.Env;
import io.runnel.common.S3Settings;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
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
    try (S3Client client = client(s3)) {
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

  static S3Client client(S3Settings s3) {
    return S3Client.builder()
        .endpointOverride(s3.endpoint())
        .region(Region.of(s3.region()))
        .forcePathStyle(s3.pathStyle())
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .build();
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
