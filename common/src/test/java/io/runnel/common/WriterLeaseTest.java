package io.runnel.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.common.WriterLease.Observed;
import io.runnel.common.WriterLease.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WriterLeaseTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  private static Optional<Observed> seen(String etag, int ageSeconds) {
    return Optional.of(new Observed(etag, T0, T0.plusSeconds(ageSeconds), "bronze on h pid 1"));
  }

  @Test
  void noLeaseMeansCreateOne() {
    assertThat(WriterLease.decide(Optional.empty(), Optional.empty(), TTL)).isEqualTo(Step.CREATE);
  }

  @Test
  void aFreshLeaseIsWaitedOn() {
    assertThat(WriterLease.decide(seen("a", 5), seen("a", 5), TTL)).isEqualTo(Step.WAIT);
  }

  @Test
  void aLeaseRenewedWhileWatchedBelongsToALiveWriter() {
    assertThat(WriterLease.decide(seen("a", 5), seen("b", 1), TTL)).isEqualTo(Step.REFUSE);
  }

  @Test
  void anExpiredLeaseOfAKilledWriterIsTakenOver() {
    assertThat(WriterLease.decide(seen("a", 5), seen("a", 31), TTL)).isEqualTo(Step.TAKE_OVER);
  }

  @Test
  void aLeaseReleasedWhileWatchedIsCreatedAfresh() {
    assertThat(WriterLease.decide(seen("a", 5), Optional.empty(), TTL)).isEqualTo(Step.CREATE);
  }
}
