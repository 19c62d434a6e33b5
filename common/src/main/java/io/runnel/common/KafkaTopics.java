package io.runnel.common;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * New topics that can be written at once. A broker answers CreateTopics before it leads the new
 * partitions; an idempotent producer whose first request there fails (NOT_LEADER_OR_FOLLOWER) while
 * its second succeeds retries the first until delivery.timeout.ms expires it (KAFKA-15591). So a
 * topic is created, then read from: once every partition's leader serves ListOffsets, it takes
 * writes too.
 */
public final class KafkaTopics {
  private KafkaTopics() {}

  /** Creates {@code topics} and returns once each of their partitions has a serving leader. */
  public static void create(Admin admin, Collection<NewTopic> topics, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    admin.createTopics(topics).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    awaitLeaders(admin, topics.stream().map(NewTopic::name).toList(), timeout);
  }

  /** Returns once every partition of {@code topics} has a leader that answers ListOffsets. */
  public static void awaitLeaders(Admin admin, Collection<String> topics, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, TopicDescription> described = describe(admin, topics, deadline);
    List<TopicPartition> partitions =
        described.values().stream()
            .flatMap(
                d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
            .toList();
    // The admin client retries NOT_LEADER_OR_FOLLOWER and UNKNOWN_TOPIC_OR_PARTITION itself.
    admin
        .listOffsets(
            partitions.stream()
                .collect(Collectors.toMap(Function.identity(), tp -> OffsetSpec.latest())))
        .all()
        .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
  }

  /**
   * DescribeTopics once the broker knows the topics. Right after CreateTopics its metadata may
   * still lag the controller (for longer on a busy machine): the answer is then
   * UNKNOWN_TOPIC_OR_PARTITION, which the admin client does not retry.
   */
  private static Map<String, TopicDescription> describe(
      Admin admin, Collection<String> topics, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    RetryPolicy<Map<String, TopicDescription>> notYetKnown =
        RetryPolicy.<Map<String, TopicDescription>>builder()
            .handleIf(
                e ->
                    e instanceof ExecutionException
                        && e.getCause() instanceof UnknownTopicOrPartitionException)
            .withDelay(Duration.ofMillis(100))
            .withMaxRetries(-1)
            .withMaxDuration(Duration.ofMillis(remainingMs(deadline)))
            .build();
    try {
      return Failsafe.with(notYetKnown)
          .get(
              () ->
                  admin
                      .describeTopics(topics)
                      .allTopicNames()
                      .get(remainingMs(deadline), TimeUnit.MILLISECONDS));
    } catch (FailsafeException e) {
      // Failsafe wraps the last checked failure; callers handle these as they are.
      Throwable cause = e.getCause();
      if (cause instanceof ExecutionException c) {
        throw c;
      }
      if (cause instanceof TimeoutException c) {
        throw c;
      }
      if (cause instanceof InterruptedException c) {
        throw c;
      }
      throw e;
    }
  }

  private static long remainingMs(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }
}
