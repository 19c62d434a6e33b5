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

  @Test
  void aHolderConfirmsByRenewingWhileItsLastRenewalIsWithinTheTtl() {
    assertThat(WriterLease.confirmation(false, TTL.minusSeconds(1).toNanos(), TTL))
        .isEqualTo(WriterLease.Confirmation.RENEW);
  }

  /**
   * A holder that was stopped longer than the TTL (the monotonic clock counts the pause) must not
   * commit even if S3 would still take its renewal: a successor may be writing already.
   */
  @Test
  void aHolderPausedPastItsTtlIsFencedWithoutAskingS3() {
    assertThat(WriterLease.confirmation(false, TTL.plusMillis(1).toNanos(), TTL))
        .isEqualTo(WriterLease.Confirmation.OUTLIVED);
  }

  @Test
  void aLeaseFoundLostStaysLost() {
    assertThat(WriterLease.confirmation(true, 0, TTL)).isEqualTo(WriterLease.Confirmation.LOST);
  }
}
