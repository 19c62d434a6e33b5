package io.runnel.producer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.header.Header;

/**
 * The send loop: takes records from a source and gives them to a sink, open-loop at a fixed rate
 * (record i is due at start + i/rate, whether or not earlier ones were late) or as fast as
 * possible, until a count, a duration, the end of the source, a stop request or a fatal error.
 */
final class Runner {
  /** Longest single sleep: a stop request is noticed within this. */
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * When to stop and how fast to go.
   *
   * @param count records to send (0: no limit)
   * @param duration how long to send (null: no limit)
   * @param rate records per second (0: as fast as possible)
   * @param startMillis the send time of the first record as event time (null: now); with it and no
   *     rate, records are 1 ms apart, so a run is reproducible to the byte
   */
  record Limits(long count, Duration duration, double rate, Long startMillis) {}

  /** What a run did. */
  record Result(
      String topic,
      long sent,
      long acked,
      long failed,
      long elapsedNanos,
      String stoppedBy,
      Throwable fatal,
      Map<String, Long> counts) {

    double rate() {
      return elapsedNanos == 0 ? 0 : sent * 1e9 / elapsedNanos;
    }

    boolean ok() {
      return fatal == null && failed == 0 && acked == sent;
    }

    String render() {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              Locale.ROOT,
              "runnel-producer: sent %,d records to %s in %.2f s: %,.0f records/s%n",
              sent,
              topic,
              elapsedNanos / 1e9,
              rate()));
      b.append(String.format(Locale.ROOT, "  %-24s %,d%n", "acked", acked));
      b.append(String.format(Locale.ROOT, "  %-24s %,d%n", "failed", failed));
      counts.forEach((name, n) -> b.append(String.format(Locale.ROOT, "  %-24s %,d%n", name, n)));
      b.append(String.format(Locale.ROOT, "  %-24s %s%n", "stopped by", stoppedBy));
      return b.toString();
    }
  }

  private final RecordSource source;
  private final Sink sink;
  private final Limits limits;
  private final AtomicBoolean stop;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong lagNanos = new AtomicLong();

  Runner(RecordSource source, Sink sink, Limits limits, AtomicBoolean stop) {
    this.source = source;
    this.sink = sink;
    this.limits = limits;
    this.stop = stop;
  }

  Result run(String topic, Duration progressEvery, java.io.PrintStream progress) throws Exception {
    return run(topic, progressEvery, progress, null);
  }

  /**
   * @param progress where the progress line goes every {@code progressEvery} (zero: nowhere)
   * @param maxOutage how long the sink waits for an absent destination (null: not said); a progress
   *     line while records wait and none was acknowledged since the last one says that it is
   *     waiting for the broker, so that an outage does not look like a hang
   */
  Result run(String topic, Duration progressEvery, java.io.PrintStream progress, Duration maxOutage)
      throws Exception {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "progress");
              t.setDaemon(true);
              return t;
            });
    long start = System.nanoTime();
    if (!progressEvery.isZero()) {
      long every = progressEvery.toMillis();
      long[] last = {0, start};
      long[] acks = {0, start}; // the acknowledged count, and when it last moved
      timer.scheduleAtFixedRate(
          () -> {
            long now = System.nanoTime();
            long n = sent.get();
            long acked = sink.acked();
            long done = acked + sink.failed();
            if (acked != acks[0] || done >= n) {
              acks[0] = acked;
              acks[1] = now;
            }
            long silentSeconds = TimeUnit.NANOSECONDS.toSeconds(now - acks[1]);
            double perSecond = (n - last[0]) * 1e9 / Math.max(1, now - last[1]);
            last[0] = n;
            last[1] = now;
            long behindMs = TimeUnit.NANOSECONDS.toMillis(lagNanos.get());
            String waiting =
                // Two intervals without an acknowledgement while records wait: not a slow send.
                now - acks[1] < 2 * TimeUnit.MILLISECONDS.toNanos(every)
                    ? ""
                    : String.format(
                        Locale.ROOT,
                        "; waiting for the broker: nothing acknowledged for %d s, %,d records"
                            + " held%s",
                        silentSeconds,
                        n - done,
                        maxOutage == null
                            ? ""
                            : " (kept up to --max-outage " + maxOutage.toSeconds() + "s)");
            progress.println(
                String.format(
                    Locale.ROOT,
                    "%tT sent %,d (%,.0f/s) acked %,d errors %,d%s%s",
                    System.currentTimeMillis(),
                    n,
                    perSecond,
                    acked,
                    sink.failed(),
                    behindMs > 1_000 ? ", " + behindMs + " ms behind the schedule" : "",
                    waiting));
          },
          every,
          every,
          TimeUnit.MILLISECONDS);
    }
    try {
      return loop(topic, start);
    } finally {
      timer.shutdownNow();
    }
  }

  private Result loop(String topic, long start) throws Exception {
    long startMillis =
        limits.startMillis() != null ? limits.startMillis() : System.currentTimeMillis();
    long deadline =
        limits.duration() == null ? Long.MAX_VALUE : start + limits.duration().toNanos();
    double nanosPerRecord = limits.rate() > 0 ? 1e9 / limits.rate() : 0;
    List<Header> headers = source.headers();
    String stoppedBy = null;
    Throwable fatal = null;
    boolean sendFailed = false;
    long i = 0;
    while (stoppedBy == null) {
      if (limits.count() > 0 && i >= limits.count()) {
        stoppedBy = "count reached";
        break;
      }
      long now = System.nanoTime();
      if (now >= deadline) {
        stoppedBy = "duration reached";
        break;
      }
      if (stop.get()) {
        stoppedBy = "interrupted (Ctrl-C or SIGTERM)";
        break;
      }
      if ((fatal = sink.fatal()) != null) {
        stoppedBy = "fatal error";
        break;
      }
      long sendMillis;
      if (nanosPerRecord > 0) {
        long due = start + (long) (i * nanosPerRecord);
        if (due > now) {
          LockSupport.parkNanos(Math.min(due - now, MAX_PARK_NANOS));
          continue;
        }
        lagNanos.setRelease(now - due);
        sendMillis = startMillis + (long) (i * nanosPerRecord / 1e6);
      } else {
        sendMillis = limits.startMillis() != null ? startMillis + i : System.currentTimeMillis();
      }
      OutgoingRecord record;
      try {
        record = source.next(sendMillis);
      } catch (Exception e) {
        // E.g. a malformed CSV row with --on-malformed fail: what was sent is still flushed.
        fatal = e;
        stoppedBy = "fatal error";
        break;
      }
      if (record == null) {
        stoppedBy = "end of input";
        break;
      }
      try {
        sink.send(record, headers);
      } catch (RuntimeException e) {
        fatal = e;
        sendFailed = true;
        stoppedBy = "fatal error";
        break;
      }
      sent.setRelease(++i);
    }
    if (sink.fatal() == null && !sendFailed) {
      sink.flush();
    }
    if (fatal == null) {
      fatal = sink.fatal();
    }
    long elapsed = System.nanoTime() - start;
    Map<String, Long> counts = new LinkedHashMap<>(source.counts());
    return new Result(topic, i, sink.acked(), sink.failed(), elapsed, stoppedBy, fatal, counts);
  }
}
