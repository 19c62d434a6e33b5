package io.runnel.platform;

import io.runnel.common.Env;
import io.runnel.common.KafkaTopics;
import io.runnel.common.Preflight;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "kafka-ready",
    mixinStandardHelpOptions = true,
    description = "Waits until the Kafka cluster answers, then creates missing topics.")
final class KafkaReadyCommand implements Callable<Integer> {
  static final String BOOTSTRAP = "RUNNEL_KAFKA_BOOTSTRAP";
  private static final Logger LOG = LoggerFactory.getLogger(KafkaReadyCommand.class);

  @Option(names = "--timeout-seconds", defaultValue = "60", description = "Give up after this.")
  int timeoutSeconds;

  @Option(
      names = "--topic",
      description = "NAME:PARTITIONS to create if missing (repeatable).",
      paramLabel = "NAME:PARTITIONS")
  List<String> topics = new ArrayList<>();

  @Option(names = "--replication-factor", defaultValue = "1")
  short replicationFactor;

  @Override
  public Integer call() throws Exception {
    String bootstrap = Env.system().hostPorts(BOOTSTRAP, "127.0.0.1:19092");
    List<NewTopic> wanted = new ArrayList<>();
    for (String spec : topics) {
      wanted.add(TopicSpec.parse(spec, replicationFactor));
    }
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    int brokers = Preflight.kafka(bootstrap, BOOTSTRAP, List.of(), timeout);
    LOG.info("Kafka at {} is ready with {} broker(s)", bootstrap, brokers);
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      if (!wanted.isEmpty()) {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
        if (!missing.isEmpty()) {
          KafkaTopics.create(admin, missing, Duration.ofSeconds(30));
        }
        for (NewTopic t : missing) {
          LOG.info("created topic {} with {} partition(s)", t.name(), t.numPartitions());
        }
      }
    }
    return 0;
  }

  /** Parses {@code name:partitions}. */
  static final class TopicSpec {
    private TopicSpec() {}

    static NewTopic parse(String spec, short replicationFactor) {
      int colon = spec.lastIndexOf(':');
      if (colon <= 0 || !spec.substring(0, colon).matches("[A-Za-z0-9._-]{1,249}")) {
        throw new io.runnel.common.SettingsException(
            "--topic must be NAME:PARTITIONS with a valid topic name, got '" + spec + "'");
      }
      int partitions;
      try {
        partitions = Integer.parseInt(spec.substring(colon + 1));
      } catch (NumberFormatException e) {
        partitions = -1;
      }
      if (partitions < 1) {
        throw new io.runnel.common.SettingsException(
            "--topic partitions must be a positive integer, got '" + spec + "'");
      }
      return new NewTopic(spec.substring(0, colon), partitions, replicationFactor)
          .configs(Map.of());
    }
  }
}
