package io.runnel.streaming;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * How many records the topics hold now: the sum over partitions of latest minus earliest offset.
 */
final class KafkaRecordCount {
  private KafkaRecordCount() {}

  static long of(String bootstrap, Collection<String> topics) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicDescription d :
          admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
        d.partitions()
            .forEach(
                p -> {
                  TopicPartition tp = new TopicPartition(d.name(), p.partition());
                  earliest.put(tp, OffsetSpec.earliest());
                  latest.put(tp, OffsetSpec.latest());
                });
      }
      ListOffsetsResult first = admin.listOffsets(earliest);
      ListOffsetsResult last = admin.listOffsets(latest);
      long records = 0;
      for (TopicPartition tp : earliest.keySet()) {
        records +=
            last.partitionResult(tp).get(30, TimeUnit.SECONDS).offset()
                - first.partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
      }
      return records;
    }
  }
}
