package io.runnel.platform;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether Bronze keeps up with Kafka: healthy when it has ingested what Kafka holds, or when its
 * writer is alive and still committing batches. The decision is free of I/O; {@link
 * BronzeHealthCommand} measures what it decides on.
 */
final class BronzeHealth {
  private BronzeHealth() {}

  /** The newest batch committed to Bronze, and how long ago (on the S3 server's clock). */
  record Commit(long batchId, Duration age) {}

  /** The writer lease as found: who holds it and how long since its last renewal. */
  record Lease(String holder, Duration age) {}

  /**
   * What was measured.
   *
   * @param checkpoint where the checkpoint is, as the messages name it ({@code s3://…})
   * @param checkpointExists any object at all under the checkpoint
   * @param commit the newest committed batch, if any
   * @param lag records in Kafka that the newest committed batch has not read
   * @param lease the writer lease, if the object exists
   * @param leaseTtl a lease not renewed within this is a dead writer's
   * @param dataLoss the line saying which records Kafka deleted before Bronze read them, if any
   *     ({@link io.runnel.common.KafkaDataLoss})
   */
  record Observation(
      String checkpoint,
      boolean checkpointExists,
      Optional<Commit> commit,
      long lag,
      Optional<Lease> lease,
      Duration leaseTtl,
      Optional<String> dataLoss) {

    Observation(
        String checkpoint,
        boolean checkpointExists,
        Optional<Commit> commit,
        long lag,
        Optional<Lease> lease,
        Duration leaseTtl) {
      this(checkpoint, checkpointExists, commit, lag, lease, leaseTtl, Optional.empty());
    }

    /**
     * The writer renewed its lease within the TTL (as WriterLease decides it: age above TTL is
     * expired).
     */
    boolean writerAlive() {
      return lease.isPresent() && lease.get().age().compareTo(leaseTtl) <= 0;
    }
  }

  /** The outcome: one line to print, and whether it is a pass. */
  record Verdict(boolean healthy, String line) {}

  /**
   * Records in Kafka not yet read by the committed batch: per partition, Kafka's end offset minus
   * the committed offset. A partition the checkpoint does not name yet (added to a topic, or a
   * topic added to the subscription) counts from its earliest offset, where Spark starts new
   * partitions.
   */
  static long lag(
      Map<TopicPartition, Long> earliest,
      Map<TopicPartition, Long> end,
      Map<TopicPartition, Long> committed) {
    long lag = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      long from = committed.getOrDefault(e.getKey(), earliest.getOrDefault(e.getKey(), 0L));
      // Never negative: a checkpoint ahead of Kafka is a recreated topic, which Bronze itself
      // reports (failOnDataLoss); it is no backlog.
      lag += Math.max(0, e.getValue() - from);
    }
    return lag;
  }

  static Verdict judge(Observation o, long maxLag, Duration maxStall) {
    if (o.dataLoss().isPresent()) {
      // No lag tolerance covers it: Bronze cannot go on by itself.
      return new Verdict(false, "bronze: " + o.dataLoss().get());
    }
    boolean alive = o.writerAlive();
    String writer = alive ? "running" : "not running";
    if (o.commit().isEmpty()) {
      if (alive) {
        return fail(
            "bronze: the Bronze writer (%s) is running but has committed no batch to %s yet while %d records wait: check it again shortly, or look at its log",
            o.lease().get().holder(), o.checkpoint(), o.lag());
      }
      if (!o.checkpointExists()) {
        return fail(
            "bronze: no Bronze checkpoint at %s: run ./runnel bronze first", o.checkpoint());
      }
      return fail(
          "bronze: the Bronze checkpoint at %s has no committed batch and no Bronze writer is running: start it with ./runnel bronze",
          o.checkpoint());
    }
    Commit last = o.commit().get();
    if (o.lag() <= maxLag || alive && last.age().compareTo(maxStall) < 0) {
      return new Verdict(
          true,
          String.format(
              "bronze: healthy: lag %d records, last commit %d s ago, writer %s",
              o.lag(), seconds(last.age()), writer));
    }
    if (alive) {
      return fail(
          "bronze: the writer is running but has committed nothing for %d s while %d records wait (writer: %s; look at its log)",
          seconds(last.age()), o.lag(), o.lease().get().holder());
    }
    String previous =
        o.lease()
            .map(
                l ->
                    " (the last one, "
                        + l.holder()
                        + ", stopped renewing its lease "
                        + seconds(l.age())
                        + " s ago)")
            .orElse("");
    return fail(
        "bronze: %d records in Kafka not yet in Bronze and no Bronze writer is running%s: start it with ./runnel bronze",
        o.lag(), previous);
  }

  private static Verdict fail(String format, Object... args) {
    return new Verdict(false, String.format(format, args));
  }

  /** Whole seconds, never negative (the server's Date and Last-Modified have 1 s resolution). */
  private static long seconds(Duration d) {
    return Math.max(0, d.toSeconds());
  }
}
