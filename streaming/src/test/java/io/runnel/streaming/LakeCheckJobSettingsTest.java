package io.runnel.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.Env;
import io.runnel.common.SettingsException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LakeCheckJobSettingsTest {
  private static Map<String, String> base() {
    Map<String, String> env = new HashMap<>();
    env.put("RUNNEL_S3_ACCESS_KEY", "a");
    env.put("RUNNEL_S3_SECRET_KEY", "secret-secret");
    return env;
  }

  @Test
  void defaults() {
    LakeCheckJob.Settings s = LakeCheckJob.Settings.fromEnv(Env.of(base()));
    assertThat(s.path()).isEqualTo("_runnel/lake-check");
    assertThat(s.rows()).isEqualTo(1000);
    assertThat(s.keep()).isFalse();
  }

  @Test
  void pathsThatEscapeTheLakeAreRefused() {
    Map<String, String> env = base();
    env.put("RUNNEL_LAKECHECK_PATH", "../other-bucket");
    assertThatThrownBy(() -> LakeCheckJob.Settings.fromEnv(Env.of(env)))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("RUNNEL_LAKECHECK_PATH must be a relative path");
  }

  @Test
  void theResultIsOnlyOkWhenEverythingMatches() {
    assertThat(new LakeCheckJob.Result("t", 10, 10, true, 1, 2).ok()).isTrue();
    assertThat(new LakeCheckJob.Result("t", 10, 9, true, 1, 2).ok()).isFalse();
    assertThat(new LakeCheckJob.Result("t", 10, 10, false, 1, 2).ok()).isFalse();
    // A protocol Trino 476 might not read fails the check.
    assertThat(new LakeCheckJob.Result("t", 10, 10, true, 3, 7).ok()).isFalse();
  }
}
