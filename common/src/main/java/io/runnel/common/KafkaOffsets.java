package io.runnel.common;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * The earliest and end offsets of every partition of some topics, now. End offsets are read
 * uncommitted (the Admin default), as Spark's Kafka source records them in a checkpoint.
 */
public record KafkaOffsets(Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> end) {

  /**
   * The offsets now, through an Admin client of its own. Kafka answered a preflight a moment ago:
   * when it does not now (gone since, or too slow), one line naming {@code variable}.
   */
  public static KafkaOffsets read(
      String bootstrap, String variable, Collection<String> topics, Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(props)) {
      return of(admin, topics, timeout);
    } catch (ExecutionException | TimeoutException e) {
      throw new ServiceUnavailableException(
          "Kafka at "
              + bootstrap
              + " ("
              + variable
              + ") did not give the offsets of "
              + topics
              + ": "
              + Readiness.rootMessage(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading Kafka's offsets", e);
    }
  }

  public static KafkaOffsets of(Admin admin, Collection<String> topics, Duration timeout)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> end = new HashMap<>();
    for (TopicDescription d :
        admin
            .describeTopics(topics)
            .allTopicNames()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .values()) {
      d.partitions()
          .forEach(
              p -> {
                TopicPartition tp = new TopicPartition(d.name(), p.partition());
                earliest.put(tp, OffsetSpec.earliest());
                end.put(tp, OffsetSpec.latest());
              });
    }
    return new KafkaOffsets(list(admin, earliest, timeout), list(admin, end, timeout));
  }

  /** How many records the topics hold: the sum over partitions of end minus earliest. */
  public long records() {
    return end.entrySet().stream()
        .mapToLong(e -> e.getValue() - earliest.getOrDefault(e.getKey(), 0L))
        .sum();
  }

  private static Map<TopicPartition, Long> list(
      Admin admin, Map<TopicPartition, OffsetSpec> which, Duration timeout)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e :
        admin.listOffsets(which).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).entrySet()) {
      offsets.put(e.getKey(), e.getValue().offset());
    }
    return offsets;
  }
}
