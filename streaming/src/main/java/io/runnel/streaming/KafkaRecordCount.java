package io.runnel.streaming;

import io.runnel.common.KafkaOffsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * How many records the topics hold now: the sum over partitions of latest minus earliest offset.
 */
final class KafkaRecordCount {
  private KafkaRecordCount() {}

  static long of(String bootstrap, Collection<String> topics) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      return KafkaOffsets.of(admin, topics, Duration.ofSeconds(30)).records();
    }
  }
}
