package io.runnel.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableCreationTest {
  @Test
  void aLogWithACommitACheckpointOrItsPointerIsATable() {
    assertThat(TableCreation.isCommitted(List.of("00000000000000000000.json"))).isTrue();
    assertThat(TableCreation.isCommitted(List.of("00000000000000000010.checkpoint.parquet")))
        .isTrue();
    assertThat(TableCreation.isCommitted(List.of("_last_checkpoint"))).isTrue();
  }

  @Test
  void aLogWithoutOneIsAnInterruptedCreation() {
    assertThat(TableCreation.isCommitted(List.of())).isFalse();
    assertThat(
            TableCreation.isCommitted(
                List.of(".00000000000000000000.json.3f0c9a1e.tmp", "00000000000000000000.crc")))
        .isFalse();
  }
}
