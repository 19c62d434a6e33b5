package io.runnel.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaDataLossTest {
  private static final TopicPartition E0 = new TopicPartition("events", 0);
  private static final TopicPartition E1 = new TopicPartition("events", 1);
  private static final TopicPartition P0 = new TopicPartition("products", 0);

  @Test
  void aGapIsWhereBronzeResumesBelowTheFirstOffsetKafkaHolds() {
    Map<TopicPartition, Long> resume = Map.of(E1, 500L, E0, 100L, P0, 7L);
    Map<TopicPartition, Long> earliest = Map.of(E0, 150L, E1, 500L, P0, 0L);
    assertThat(KafkaDataLoss.gaps(resume, earliest))
        .containsExactly(new KafkaDataLoss.Gap(E0, 100, 150));
    // Caught up to the first offset, or a partition the checkpoint does not name yet: no gap.
    assertThat(KafkaDataLoss.gaps(Map.of(E0, 150L), Map.of(E0, 150L, E1, 90L))).isEmpty();
  }

  @Test
  void theLineNamesTheRangesAndTheCommandThatAcceptsTheLoss() {
    Map<TopicPartition, Long> resume = Map.of(E0, 100L, E1, 40L, P0, 7L);
    Map<TopicPartition, Long> earliest = Map.of(E0, 150L, E1, 60L, P0, 0L);
    List<KafkaDataLoss.Gap> gaps = KafkaDataLoss.gaps(resume, earliest);
    assertThat(KafkaDataLoss.resumeOffsets(resume, earliest))
        .isEqualTo("{\"events\":{\"0\":150,\"1\":60},\"products\":{\"0\":7}}");
    assertThat(
            KafkaDataLoss.line(
                gaps,
                resume,
                earliest,
                "_checkpoints/bronze/events",
                Instant.parse("2026-12-07T04:05:59Z")))
        .isEqualTo(
            "Kafka deleted 70 records Bronze had not read (retention, or deleteRecords):"
                + " events[0] offsets 100-149 (50 records), events[1] offsets 40-59 (20 records)."
                + " Bronze stops before them, writes nothing and will not skip them by itself. To"
                + " accept the loss, start Bronze on a new checkpoint at the first offsets Kafka"
                + " still holds:"
                + " RUNNEL_BRONZE_CHECKPOINT=_checkpoints/bronze/events-resumed-20261207T0405"
                + " RUNNEL_BRONZE_STARTING_OFFSETS="
                + "'{\"events\":{\"0\":150,\"1\":60},\"products\":{\"0\":7}}' ./runnel bronze"
                + " (and keep that RUNNEL_BRONZE_CHECKPOINT from then on). To keep the data,"
                + " produce the lost records again from their source first.");
  }

  @Test
  void itEndsAJobWithStatus5AndTheLine() {
    RuntimeException e =
        new RuntimeException("query failed", new DataLossException("Kafka deleted 1 records"));
    assertThat(Exits.statusOf(e)).isEqualTo(Exits.DATA_LOSS);
    assertThat(Exits.messageOf(e)).isEqualTo("Kafka deleted 1 records");
  }
}
