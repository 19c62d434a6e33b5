package io.runnel.common;

import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Checks a job makes before it starts work, so an unreachable service is one clear line at start
 * rather than a hang or a stack trace minutes later.
 */
public final class Preflight {
  private Preflight() {}

  /**
   * Waits for the Kafka cluster to answer and checks that the topics exist.
   *
   * @return the number of brokers
   */
  public static int kafka(
      String bootstrap, String variable, Collection<String> topics, Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(props)) {
      int brokers =
          Readiness.await(
              "Kafka at " + bootstrap + " (" + variable + ")",
              timeout,
              () -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size());
      if (!topics.isEmpty()) {
        Set<String> existing =
            Readiness.await(
                "Kafka at " + bootstrap,
                timeout,
                () -> admin.listTopics().names().get(5, TimeUnit.SECONDS));
        Set<String> missing = new TreeSet<>(topics);
        missing.removeAll(existing);
        if (!missing.isEmpty()) {
          throw new ServiceUnavailableException(
              "topic(s) "
                  + missing
                  + " do not exist on Kafka at "
                  + bootstrap
                  + ": create them first (./runnel up creates events and products)");
        }
      }
      return brokers;
    }
  }

  /** Waits for the S3 endpoint to answer and checks that the lake bucket exists. */
  public static void s3Bucket(S3Settings s3, Duration timeout) {
    try (S3Client client = s3.newClient()) {
      Readiness.await(
          "S3 bucket "
              + s3.bucket()
              + " at "
              + s3.endpoint()
              + " ("
              + S3Settings.ENDPOINT
              + ", "
              + S3Settings.BUCKET
              + ")",
          timeout,
          () -> client.headBucket(b -> b.bucket(s3.bucket())));
    }
  }
}
