package io.runnel.producer;

import io.runnel.common.KafkaTopics;
import io.runnel.common.ServiceUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes sure the topic exists before the first record: created with its partitions if missing. */
final class Topics {
  private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

  private Topics() {}

  /**
   * @return the topic's partition count (the existing one if it was already there)
   */
  static int ensure(
      String bootstrap,
      Map<String, String> overrides,
      String topic,
      int partitions,
      short replicationFactor,
      int timeoutSeconds)
      throws InterruptedException {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    int timeoutMs = (int) TimeUnit.SECONDS.toMillis(timeoutSeconds);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 10_000));
    // Connection settings (security, SASL) given with --kafka-property apply here too.
    overrides.forEach(
        (k, v) -> {
          if (AdminClientConfig.configNames().contains(k)) {
            props.put(k, v);
          }
        });
    try (Admin admin = Admin.create(props)) {
      try {
        if (!admin.listTopics().names().get(timeoutSeconds, TimeUnit.SECONDS).contains(topic)) {
          try {
            KafkaTopics.create(
                admin,
                List.of(new NewTopic(topic, partitions, replicationFactor)),
                Duration.ofSeconds(timeoutSeconds));
            LOG.info("created topic {} with {} partition(s)", topic, partitions);
            return partitions;
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw e;
            }
            // Created by someone else meanwhile.
          }
        }
        TopicDescription d =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(timeoutSeconds, TimeUnit.SECONDS)
                .get(topic);
        return d.partitions().size();
      } catch (TimeoutException | ExecutionException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException
            || cause instanceof TimeoutException) {
          throw new ServiceUnavailableException(
              "Kafka at "
                  + bootstrap
                  + " ("
                  + ProducerSettings.BOOTSTRAP
                  + ") did not answer within "
                  + timeoutSeconds
                  + " s: is it running? (./runnel up)");
        }
        throw new IllegalStateException(
            "could not create or describe topic " + topic + ": " + cause.getMessage(), cause);
      }
    }
  }
}
