package io.runnel.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KafkaLagTest {
  @Test
  void sumsLatestMinusProcessedOverEveryPartition() {
    assertThat(
            KafkaLag.between(
                "{\"events\":{\"0\":100,\"1\":50},\"products\":{\"0\":7}}",
                "{\"events\":{\"0\":130,\"1\":50},\"products\":{\"0\":10}}"))
        .isEqualTo(33);
  }

  @Test
  void aPartitionNotYetProcessedCountsWhole() {
    assertThat(KafkaLag.between("{\"events\":{\"0\":5}}", "{\"events\":{\"0\":5,\"1\":9}}"))
        .isEqualTo(9);
  }

  @Test
  void missingOrForeignOffsetsGiveMinusOne() {
    assertThat(KafkaLag.between(null, "{}")).isEqualTo(-1);
    assertThat(KafkaLag.between("{}", null)).isEqualTo(-1);
    assertThat(KafkaLag.between("3", "7")).isEqualTo(-1);
    assertThat(KafkaLag.between("not json", "{\"t\":{\"0\":1}}")).isEqualTo(-1);
  }
}
