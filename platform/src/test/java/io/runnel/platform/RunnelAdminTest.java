package io.runnel.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class RunnelAdminTest {
  @Test
  void topicSpecsAreParsed() {
    NewTopic t = KafkaReadyCommand.TopicSpec.parse("events:6", (short) 1);
    assertThat(t.name()).isEqualTo("events");
    assertThat(t.numPartitions()).isEqualTo(6);
  }

  @Test
  void badTopicSpecsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> KafkaReadyCommand.TopicSpec.parse("events", (short) 1))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("NAME:PARTITIONS");
    assertThatThrownBy(() -> KafkaReadyCommand.TopicSpec.parse("events:0", (short) 1))
        .hasMessageContaining("positive integer");
    assertThatThrownBy(() -> KafkaReadyCommand.TopicSpec.parse("ev ents:2", (short) 1))
        .hasMessageContaining("valid topic name");
  }

  @Test
  void aBadSettingExitsWithStatusTwoBeforeTouchingTheNetwork() {
    assertThat(RunnelAdmin.run("kafka-ready", "--topic", "nonsense")).isEqualTo(2);
  }

  @Test
  void unknownCommandsAreUsageErrors() {
    assertThat(RunnelAdmin.run("frobnicate")).isEqualTo(2);
  }

  @Test
  void migrationsAreNumberedWithoutGapsAndNamedForFlyway() throws Exception {
    // A gap or a misnamed file (which Flyway silently ignores) usually means a lost migration.
    Path dir = Path.of(getClass().getResource("/db/migration").toURI());
    List<String> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.map(f -> f.getFileName().toString()).sorted().toList();
    }
    Pattern name = Pattern.compile("V(\\d+)__[a-z0-9_]+\\.sql");
    List<Integer> versions = new ArrayList<>();
    for (String file : files) {
      Matcher m = name.matcher(file);
      assertThat(m.matches()).as(file + " is named V<n>__<lower_case>.sql").isTrue();
      versions.add(Integer.parseInt(m.group(1)));
    }
    Collections.sort(versions);
    assertThat(versions).isNotEmpty();
    for (int i = 0; i < versions.size(); i++) {
      assertThat(versions.get(i)).isEqualTo(i + 1);
    }
  }
}
