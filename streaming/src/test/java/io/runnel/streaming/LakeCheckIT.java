package io.runnel.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.common.Env;
import io.runnel.common.S3Settings;
import io.runnel.common.testing.ServiceEnv;
import io.runnel.common.testing.SparkSubmit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The shaded job jar under the real {@code spark-submit}, writing and reading a Delta table on the
 * real S3 server through {@code s3a://}; the result is then checked from outside Spark, in the
 * bucket itself.
 */
class LakeCheckIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Env env = ServiceEnv.get();
  private final S3Settings s3 = S3Settings.fromEnv(env);
  private final String prefix = "_runnel/it/" + UUID.randomUUID();

  @AfterEach
  void removeTheTable() {
    try (S3Client client = client()) {
      for (S3Object o :
          client.listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(prefix)).contents()) {
        client.deleteObject(b -> b.bucket(s3.bucket()).key(o.key()));
      }
    }
  }

  @Test
  void sparkSubmitWritesADeltaTableTheBucketReallyHolds() throws Exception {
    SparkSubmit.Result run =
        sparkSubmit(
            Map.of(
                "RUNNEL_LAKECHECK_PATH",
                prefix,
                "RUNNEL_LAKECHECK_ROWS",
                "2500",
                "RUNNEL_LAKECHECK_KEEP",
                "true"));

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("lake-check OK: wrote 2500 rows", "read 2500 back");

    try (S3Client client = client()) {
      List<String> keys = new ArrayList<>();
      client
          .listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(prefix))
          .contents()
          .forEach(o -> keys.add(o.key()));
      String commit =
          keys.stream()
              .filter(k -> k.endsWith("/_delta_log/00000000000000000000.json"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no first Delta commit in " + keys));
      assertThat(keys).anyMatch(k -> k.endsWith(".parquet"));

      // The commit's add actions account for every row written.
      long rows = 0;
      int minReader = -1;
      String log = client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(commit)).asUtf8String();
      for (String line : log.split("\n")) {
        JsonNode action = JSON.readTree(line);
        if (action.has("add")) {
          rows += JSON.readTree(action.get("add").get("stats").asText()).get("numRecords").asLong();
        }
        if (action.has("protocol")) {
          minReader = action.get("protocol").get("minReaderVersion").asInt();
        }
      }
      assertThat(rows).isEqualTo(2500);
      assertThat(minReader).isEqualTo(1);
    }
  }

  @Test
  void aBadSettingStopsTheJobAtStartWithOneLineNamingIt() throws Exception {
    SparkSubmit.Result run = sparkSubmit(Map.of("RUNNEL_S3_ENDPOINT", "ftp://nowhere"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output())
        .contains(
            "lake-check: RUNNEL_S3_ENDPOINT must be an http:// or https:// URL with a host, got 'ftp://nowhere'");
  }

  private SparkSubmit.Result sparkSubmit(Map<String, String> extraEnv) throws Exception {
    return SparkSubmit.ofModuleJar(env)
        .run(LakeCheckJob.class.getName(), extraEnv, Duration.ofMinutes(10));
  }

  private S3Client client() {
    return s3.newClient();
  }
}
