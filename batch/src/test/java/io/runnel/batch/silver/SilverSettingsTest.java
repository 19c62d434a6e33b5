package io.runnel.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.Env;
import io.runnel.common.SettingsException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SilverSettingsTest {
  private static SilverSettings settings(Map<String, String> overrides) {
    Map<String, String> m = new HashMap<>();
    m.put("RUNNEL_S3_ACCESS_KEY", "key");
    m.put("RUNNEL_S3_SECRET_KEY", "secret");
    m.putAll(overrides);
    return SilverSettings.fromEnv(Env.of(m), false);
  }

  @Test
  void aBacklogGoesInBatchesOfAbout64MbByDefault() {
    SilverSettings s = settings(Map.of());
    assertThat(s.maxMbPerTrigger()).isEqualTo(64);
    assertThat(s.maxFilesPerTrigger()).isZero();
    assertThat(s.bronzePath()).isEqualTo("bronze/events");
    assertThat(s.eventTopics()).isEqualTo(Set.of("events"));
    assertThat(s.triggerInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void theBatchSizeIsReadFromItsVariableAndZeroLiftsTheLimit() {
    assertThat(settings(Map.of("RUNNEL_SILVER_MAX_MB_PER_TRIGGER", "256")).maxMbPerTrigger())
        .isEqualTo(256);
    assertThat(settings(Map.of("RUNNEL_SILVER_MAX_MB_PER_TRIGGER", "0")).maxMbPerTrigger())
        .isZero();
  }

  @Test
  void aWrongValueIsOneLineNamingTheVariable() {
    assertThatThrownBy(() -> settings(Map.of("RUNNEL_SILVER_MAX_MB_PER_TRIGGER", "64m")))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("RUNNEL_SILVER_MAX_MB_PER_TRIGGER must be ");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(
                        "RUNNEL_SILVER_EVENT_TOPICS", "events",
                        "RUNNEL_SILVER_PRODUCT_TOPICS", "events")))
        .hasMessage(
            "RUNNEL_SILVER_EVENT_TOPICS and RUNNEL_SILVER_PRODUCT_TOPICS must not name the same"
                + " topic");
  }
}
