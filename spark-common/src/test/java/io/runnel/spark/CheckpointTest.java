package io.runnel.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {
  private static final String TEMP = ".0.3f0c9a1e-5b7d-4c2a-9e8f-0a1b2c3d4e5f.tmp";

  @Test
  void theTemporaryFileOfAnUnrecordedFirstBatchIsALeftover() {
    assertThat(Checkpoint.leftoversOfAnUnfinishedFirstBatch(List.of(TEMP))).containsExactly(TEMP);
  }

  @Test
  void aLocalFileSystemsChecksumGoesWithIt() {
    String crc = "." + TEMP + ".crc";
    assertThat(Checkpoint.leftoversOfAnUnfinishedFirstBatch(List.of(crc, TEMP)))
        .containsExactly(crc, TEMP);
  }

  @Test
  void onceABatchIsRecordedNothingIsRemoved() {
    assertThat(Checkpoint.leftoversOfAnUnfinishedFirstBatch(List.of("0", ".1.abc-def.tmp")))
        .isEmpty();
  }

  @Test
  void filesThatAreNotSparksTemporariesAreLeftForSparkToJudge() {
    assertThat(
            Checkpoint.leftoversOfAnUnfinishedFirstBatch(
                List.of("notes.txt", ".hidden", "0.tmp", ".x.abc.tmp")))
        .isEmpty();
    assertThat(Checkpoint.leftoversOfAnUnfinishedFirstBatch(List.of())).isEmpty();
  }
}
