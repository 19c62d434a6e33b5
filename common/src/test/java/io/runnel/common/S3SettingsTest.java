package io.runnel.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
  private static final Map<String, String> LOCAL =
      Map.of(S3Settings.ACCESS_KEY, "runnel", S3Settings.SECRET_KEY, "s3cr3t-value");

  @Test
  void localDefaults() {
    S3Settings s3 = S3Settings.fromEnv(Env.of(LOCAL));
    assertThat(s3.endpoint().toString()).isEqualTo("http://127.0.0.1:19000");
    assertThat(s3.bucket()).isEqualTo("lakehouse");
    assertThat(s3.pathStyle()).isTrue();
    assertThat(s3.lakeUri("/bronze/events/")).isEqualTo("s3a://lakehouse/bronze/events");
  }

  @Test
  void credentialsAreRequired() {
    assertThatThrownBy(() -> S3Settings.fromEnv(Env.of(Map.of())))
        .hasMessage("RUNNEL_S3_ACCESS_KEY is not set");
  }

  @Test
  void sparkConfigurationIsExplicitAboutWhatMattersForCorrectness() {
    Map<String, String> conf = S3Settings.fromEnv(Env.of(LOCAL)).sparkConf();
    assertThat(conf)
        .containsEntry("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:19000")
        .containsEntry("spark.hadoop.fs.s3a.path.style.access", "true")
        .containsEntry("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
        .containsEntry("spark.delta.logStore.s3a.impl", "io.delta.storage.S3SingleDriverLogStore")
        .containsEntry("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
  }

  @Test
  void httpsEndpointsUseTls() {
    Map<String, String> env = new java.util.HashMap<>(LOCAL);
    env.put(S3Settings.ENDPOINT, "https://s3.eu-west-1.amazonaws.com");
    assertThat(S3Settings.fromEnv(Env.of(env)).sparkConf())
        .containsEntry("spark.hadoop.fs.s3a.connection.ssl.enabled", "true");
  }

  @Test
  void theSecretNeverAppearsInToString() {
    assertThat(S3Settings.fromEnv(Env.of(LOCAL)).toString()).doesNotContain("s3cr3t");
  }
}
