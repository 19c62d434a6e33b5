package io.runnel.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BronzeCheckpointTest {
  private static final String CHECKPOINT = "_checkpoints/bronze/events";

  /** offsets/1 as Spark 4 wrote it in the local lake (the conf map shortened). */
  private static final String OFFSETS_FILE =
      """
      v1
      {"batchWatermarkMs":0,"batchTimestampMs":1795652872369,"conf":{"spark.sql.shuffle.partitions":"2","spark.sql.streaming.multipleWatermarkPolicy":"min"}}
      {"events":{"0":58459,"1":61541},"products":{"0":400}}""";

  @Test
  void theKafkaOffsetsAreTheThirdLine() {
    assertThat(BronzeCheckpoint.kafkaOffsets(OFFSETS_FILE))
        .isEqualTo(
            Map.of(
                new TopicPartition("events", 0), 58_459L,
                new TopicPartition("events", 1), 61_541L,
                new TopicPartition("products", 0), 400L));
  }

  @Test
  void aSourceWithoutOffsetsYetIsEmpty() {
    assertThat(BronzeCheckpoint.kafkaOffsets("v1\n{\"batchWatermarkMs\":0}\n-\n")).isEmpty();
  }

  @Test
  void somethingElseIsRefusedSayingWhat() {
    assertThatThrownBy(() -> BronzeCheckpoint.kafkaOffsets("v2\n{}\n{\"t\":{\"0\":1}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a Spark offset log entry");
    assertThatThrownBy(() -> BronzeCheckpoint.kafkaOffsets("v1\n{}"))
        .hasMessageContaining("not a Spark offset log entry");
    assertThatThrownBy(() -> BronzeCheckpoint.kafkaOffsets("v1\n{}\n{\"t\":{\"0\":1}}\n-"))
        .hasMessageContaining("2 sources; Bronze has one");
    // A file source's offsets, or garbage, are not Kafka offsets.
    assertThatThrownBy(() -> BronzeCheckpoint.kafkaOffsets("v1\n{}\n{\"logOffset\":3}"))
        .hasMessageContaining("not Kafka offsets");
    assertThatThrownBy(() -> BronzeCheckpoint.kafkaOffsets("v1\n{}\n{\"t\":{\"x\":1}}"))
        .hasMessageContaining("not Kafka offsets");
    assertThatThrownBy(() -> BronzeCheckpoint.kafkaOffsets("v1\n{}\n{\"t\":{\"0\":1.5}}"))
        .hasMessageContaining("not Kafka offsets");
    assertThatThrownBy(() -> BronzeCheckpoint.kafkaOffsets("v1\n{}\n{nope"))
        .hasMessageContaining("not Kafka offsets");
  }

  @Test
  void theNewestBatchWithBothOffsetsAndCommitIsTheCommittedOne() {
    // As S3A leaves them: directory markers, and batch 12 planned but not yet committed.
    List<String> keys =
        List.of(
            CHECKPOINT + "/",
            CHECKPOINT + "/metadata",
            CHECKPOINT + "/sources/0/0",
            CHECKPOINT + "/offsets/",
            CHECKPOINT + "/offsets/9",
            CHECKPOINT + "/offsets/10",
            CHECKPOINT + "/offsets/11",
            CHECKPOINT + "/offsets/12",
            CHECKPOINT + "/offsets/.12.4f1c.tmp",
            CHECKPOINT + "/commits/",
            CHECKPOINT + "/commits/9",
            CHECKPOINT + "/commits/10",
            CHECKPOINT + "/commits/11",
            CHECKPOINT + "/commits/11.crc",
            CHECKPOINT + "/commits/13");
    // Numerically newest (11 over 9 and 10, which sort after it as text); 13 has no offsets.
    assertThat(BronzeCheckpoint.newestCommittedBatch(CHECKPOINT, keys))
        .isEqualTo(OptionalLong.of(11));
    assertThat(BronzeCheckpoint.newestCommittedBatch("/" + CHECKPOINT + "/", keys))
        .isEqualTo(OptionalLong.of(11));
  }

  @Test
  void noCommitNoBatch() {
    assertThat(
            BronzeCheckpoint.newestCommittedBatch(
                CHECKPOINT, List.of(CHECKPOINT + "/metadata", CHECKPOINT + "/offsets/0")))
        .isEmpty();
    assertThat(BronzeCheckpoint.newestCommittedBatch(CHECKPOINT, List.of())).isEmpty();
    // Another checkpoint beside it (a prefix of the same name) does not count.
    assertThat(
            BronzeCheckpoint.newestCommittedBatch(
                CHECKPOINT, List.of(CHECKPOINT + "-old/offsets/3", CHECKPOINT + "-old/commits/3")))
        .isEmpty();
  }

  @Test
  void theLeaseHolderIsReadFromTheLeaseBody() {
    assertThat(
            BronzeCheckpoint.leaseHolder(
                "{\"owner\":\"5c0e\",\"holder\":\"bronze_ingest on h pid 7\",\"renewal\":3}"))
        .isEqualTo("bronze_ingest on h pid 7");
    assertThat(BronzeCheckpoint.leaseHolder("(changed while reading)"))
        .isEqualTo("(changed while reading)");
  }
}
