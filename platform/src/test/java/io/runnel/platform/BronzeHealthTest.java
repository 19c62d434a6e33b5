package io.runnel.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.platform.BronzeHealth.Commit;
import io.runnel.platform.BronzeHealth.Lease;
import io.runnel.platform.BronzeHealth.Observation;
import io.runnel.platform.BronzeHealth.Verdict;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BronzeHealthTest {
  private static final String CHECKPOINT = "s3://lakehouse/_checkpoints/bronze/events";
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final Duration MAX_STALL = Duration.ofSeconds(120);
  private static final String HOLDER = "bronze_ingest on worker-1 pid 4242";
  private static final TopicPartition EVENTS_0 = new TopicPartition("events", 0);
  private static final TopicPartition EVENTS_1 = new TopicPartition("events", 1);
  private static final TopicPartition PRODUCTS_0 = new TopicPartition("products", 0);

  private static Observation seen(long lag, Integer commitAgeSeconds, Integer leaseAgeSeconds) {
    return new Observation(
        CHECKPOINT,
        true,
        Optional.ofNullable(commitAgeSeconds).map(s -> new Commit(7, Duration.ofSeconds(s))),
        lag,
        Optional.ofNullable(leaseAgeSeconds).map(s -> new Lease(HOLDER, Duration.ofSeconds(s))),
        TTL);
  }

  private static Verdict judge(Observation o) {
    return BronzeHealth.judge(o, 0, MAX_STALL);
  }

  @Test
  void caughtUpWithoutAWriterIsHealthy() {
    // What an available-now run leaves: everything ingested, the lease released.
    assertThat(judge(seen(0, 600, null)))
        .isEqualTo(
            new Verdict(
                true, "bronze: healthy: lag 0 records, last commit 600 s ago, writer not running"));
  }

  @Test
  void aLagWithinMaxLagIsHealthy() {
    assertThat(BronzeHealth.judge(seen(40, 600, null), 50, MAX_STALL).healthy()).isTrue();
    assertThat(BronzeHealth.judge(seen(51, 600, null), 50, MAX_STALL).healthy()).isFalse();
  }

  @Test
  void aLiveWriterThatCommittedRecentlyIsHealthyThoughRecordsWait() {
    assertThat(judge(seen(1_234, 3, 2)))
        .isEqualTo(
            new Verdict(
                true, "bronze: healthy: lag 1234 records, last commit 3 s ago, writer running"));
  }

  @Test
  void aLeaseRenewedExactlyAtTheTtlIsStillHeld() {
    // As WriterLease decides: a successor takes over only once the age is above the TTL.
    assertThat(seen(5, 3, 30).writerAlive()).isTrue();
    assertThat(seen(5, 3, 31).writerAlive()).isFalse();
  }

  @Test
  void aLiveWriterThatStalledFailsSayingSo() {
    Verdict v = judge(seen(900, 120, 4));
    assertThat(v.healthy()).isFalse();
    assertThat(v.line())
        .isEqualTo(
            "bronze: the writer is running but has committed nothing for 120 s while 900 records"
                + " wait (writer: "
                + HOLDER
                + "; look at its log)");
  }

  @Test
  void recordsWaitingWithNoWriterFailWithWhatToRun() {
    assertThat(judge(seen(37, 5, null)))
        .isEqualTo(
            new Verdict(
                false,
                "bronze: 37 records in Kafka not yet in Bronze and no Bronze writer is running:"
                    + " start it with ./runnel bronze"));
  }

  @Test
  void anExpiredLeaseIsADeadWriterAndTheMessageNamesIt() {
    // kill -9: the lease stays, unrenewed.
    Verdict v = judge(seen(37, 5, 95));
    assertThat(v.healthy()).isFalse();
    assertThat(v.line())
        .isEqualTo(
            "bronze: 37 records in Kafka not yet in Bronze and no Bronze writer is running (the"
                + " last one, "
                + HOLDER
                + ", stopped renewing its lease 95 s ago): start it with ./runnel bronze");
  }

  @Test
  void noCheckpointAtAllFailsWithWhatToRun() {
    Observation none =
        new Observation(CHECKPOINT, false, Optional.empty(), 500, Optional.empty(), TTL);
    assertThat(judge(none))
        .isEqualTo(
            new Verdict(
                false,
                "bronze: no Bronze checkpoint at " + CHECKPOINT + ": run ./runnel bronze first"));
    // Even with nothing in Kafka: Silver needs a Bronze table to read.
    assertThat(
            judge(new Observation(CHECKPOINT, false, Optional.empty(), 0, Optional.empty(), TTL)))
        .extracting(Verdict::healthy)
        .isEqualTo(false);
  }

  @Test
  void aCheckpointWithoutACommittedBatchFails() {
    Observation started =
        new Observation(CHECKPOINT, true, Optional.empty(), 500, Optional.empty(), TTL);
    assertThat(judge(started).line())
        .isEqualTo(
            "bronze: the Bronze checkpoint at "
                + CHECKPOINT
                + " has no committed batch and no Bronze writer is running: start it with"
                + " ./runnel bronze");
    Observation firstBatch =
        new Observation(
            CHECKPOINT,
            true,
            Optional.empty(),
            500,
            Optional.of(new Lease(HOLDER, Duration.ofSeconds(2))),
            TTL);
    Verdict v = judge(firstBatch);
    assertThat(v.healthy()).isFalse();
    assertThat(v.line())
        .startsWith("bronze: the Bronze writer (" + HOLDER + ") is running but has committed no")
        .contains("while 500 records wait");
  }

  @Test
  void lagIsEndMinusCommittedOverEveryPartition() {
    Map<TopicPartition, Long> earliest = Map.of(EVENTS_0, 0L, EVENTS_1, 0L, PRODUCTS_0, 0L);
    Map<TopicPartition, Long> end = Map.of(EVENTS_0, 130L, EVENTS_1, 50L, PRODUCTS_0, 10L);
    Map<TopicPartition, Long> committed = Map.of(EVENTS_0, 100L, EVENTS_1, 50L, PRODUCTS_0, 7L);
    assertThat(BronzeHealth.lag(earliest, end, committed)).isEqualTo(33);
  }

  @Test
  void aPartitionTheCheckpointDoesNotNameCountsFromItsEarliestOffset() {
    // Retention has deleted events-1 up to offset 20: Spark starts a new partition at earliest.
    Map<TopicPartition, Long> earliest = Map.of(EVENTS_0, 0L, EVENTS_1, 20L, PRODUCTS_0, 0L);
    Map<TopicPartition, Long> end = Map.of(EVENTS_0, 100L, EVENTS_1, 50L, PRODUCTS_0, 4L);
    assertThat(BronzeHealth.lag(earliest, end, Map.of(EVENTS_0, 100L))).isEqualTo(34);
    assertThat(BronzeHealth.lag(earliest, end, Map.of())).isEqualTo(134);
  }

  @Test
  void aCheckpointAheadOfKafkaIsNoBacklog() {
    assertThat(
            BronzeHealth.lag(
                Map.of(EVENTS_0, 0L), Map.of(EVENTS_0, 5L), Map.of(EVENTS_0, 9L, EVENTS_1, 3L)))
        .isZero();
  }

  @Test
  void recordsKafkaDeletedUnreadAreAFailureWhateverTheLagTolerance() {
    Observation lost =
        new Observation(
            CHECKPOINT,
            true,
            Optional.of(new Commit(7, Duration.ofSeconds(5))),
            0,
            Optional.of(new Lease(HOLDER, Duration.ofSeconds(1))),
            TTL,
            Optional.of("Kafka deleted 50 records Bronze had not read (...)"));
    Verdict v = BronzeHealth.judge(lost, 1_000_000, MAX_STALL);
    assertThat(v.healthy()).isFalse();
    assertThat(v.line()).isEqualTo("bronze: Kafka deleted 50 records Bronze had not read (...)");
  }
}
