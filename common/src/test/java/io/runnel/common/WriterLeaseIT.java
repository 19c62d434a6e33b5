package io.runnel.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.testing.ServiceEnv;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The lease on the real S3 server: its conditional writes are what make it safe. */
class WriterLeaseIT {
  private static final Duration TTL = Duration.ofSeconds(4);

  private final S3Settings s3 = S3Settings.fromEnv(ServiceEnv.get());
  private final S3Client client = s3.newClient();
  private final String table = "_runnel/it/lease-" + UUID.randomUUID();

  @AfterEach
  void cleanUp() {
    client.deleteObject(b -> b.bucket(s3.bucket()).key(table + "/" + WriterLease.OBJECT_NAME));
    client.close();
  }

  @Test
  void aSecondLiveWriterIsRefusedAndTheFirstKeepsItsLease() {
    try (WriterLease first =
        WriterLease.acquire(client, s3.bucket(), table, "first", TTL, () -> {})) {
      long started = System.nanoTime();
      assertThatThrownBy(
              () -> WriterLease.acquire(client, s3.bucket(), table, "second", TTL, () -> {}))
          .isInstanceOf(WriterLease.LeaseRefusedException.class)
          .hasMessageContaining("another writer holds")
          .hasMessageContaining("first");
      // Refused as soon as the holder was seen renewing, well before the TTL ran out twice.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TTL.multipliedBy(2));
      assertThat(first.isLost()).isFalse();
    }
  }

  @Test
  void aReleasedLeaseIsTakenAtOnce() {
    WriterLease.acquire(client, s3.bucket(), table, "first", TTL, () -> {}).close();
    long started = System.nanoTime();
    try (WriterLease second =
        WriterLease.acquire(client, s3.bucket(), table, "second", TTL, () -> {})) {
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
      assertThat(second.isLost()).isFalse();
    }
  }

  @Test
  void theLeaseOfAWriterThatDiedIsTakenOverAfterItsTtlAndTheOldHolderLearnsItLostIt() {
    AtomicBoolean firstLost = new AtomicBoolean();
    // A writer that stops renewing without releasing: what kill -9 leaves behind.
    WriterLease dead =
        WriterLease.acquire(client, s3.bucket(), table, "dead", TTL, () -> firstLost.set(true));
    dead.pauseHeartbeatForTest();
    long started = System.nanoTime();
    try (WriterLease next =
        WriterLease.acquire(client, s3.bucket(), table, "next", TTL, () -> {})) {
      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      assertThat(waited)
          .isGreaterThanOrEqualTo(TTL.minusSeconds(2))
          .isLessThan(TTL.multipliedBy(3));
      assertThat(next.isLost()).isFalse();
      // The old holder, were it still alive, finds its lease gone at its next renewal.
      dead.resumeHeartbeatForTest();
      long deadline = System.nanoTime() + TTL.multipliedBy(2).toNanos();
      while (!firstLost.get() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(firstLost).isTrue();
    }
  }

  /**
   * Issue 21: a holder paused past its lease (its heartbeat stopped too, as SIGSTOP stops every
   * thread) resumes after a successor took over: its check before a commit fails, and stopping does
   * not delete the successor's lease.
   */
  @Test
  void aHolderResumedAfterATakeOverIsFencedAtItsNextCommitAndLeavesTheNewLeaseAlone() {
    WriterLease paused = WriterLease.acquire(client, s3.bucket(), table, "paused", TTL, () -> {});
    paused.confirm(); // a live holder passes, and renews
    paused.pauseHeartbeatForTest();
    try (WriterLease next =
        WriterLease.acquire(client, s3.bucket(), table, "next", TTL, () -> {})) {
      assertThatThrownBy(paused::confirm)
          .isInstanceOf(Fence.FencedException.class)
          .hasMessageStartingWith("fenced: ")
          .hasMessageContaining("nothing was committed");
      assertThat(paused.isLost()).isTrue();
      paused.close();
      next.confirm(); // the successor's lease is still there, and still its own
      assertThat(next.isLost()).isFalse();
    }
  }
}
