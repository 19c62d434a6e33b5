package io.runnel.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BronzeSettingsTest {
  private static BronzeSettings withStart(String offsets) {
    return BronzeSettings.fromEnv(
        Env.of(
            Map.of(
                "RUNNEL_S3_ACCESS_KEY", "key",
                "RUNNEL_S3_SECRET_KEY", "secret",
                "RUNNEL_BRONZE_STARTING_OFFSETS", offsets)),
        true);
  }

  @Test
  void startingOffsetsAreEarliestLatestOrPerPartitionAsTheDataLossLineGivesThem() {
    assertThat(withStart("latest").startingOffsets()).isEqualTo("latest");
    String json = "{\"events\":{\"0\":150,\"1\":60},\"products\":{\"0\":7}}";
    assertThat(withStart(json).startingOffsets()).isEqualTo(json);
    assertThatThrownBy(() -> withStart("{\"events\":{\"zero\":1}}"))
        .hasMessageStartingWith("RUNNEL_BRONZE_STARTING_OFFSETS must be earliest or latest,");
    assertThatThrownBy(() -> withStart("yesterday"))
        .hasMessage(
            "RUNNEL_BRONZE_STARTING_OFFSETS must be earliest or latest, or offsets per partition"
                + " such as {\"events\":{\"0\":42,\"1\":17}}, got 'yesterday'");
  }
}
