package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class RunnerTest {
  /** Counts records; can be told to fail. */
  static class CountingSink implements Sink {
    final List<OutgoingRecord> records = new ArrayList<>();
    Throwable fatal;

    @Override
    public void send(OutgoingRecord record, List<Header> headers) {
      records.add(record);
    }

    @Override
    public long acked() {
      return records.size();
    }

    @Override
    public long failed() {
      return 0;
    }

    @Override
    public Throwable fatal() {
      return fatal;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** Records stamped with their send time. */
  static class TimeSource implements RecordSource {
    final List<Long> times = new ArrayList<>();
    final long limit;

    TimeSource(long limit) {
      this.limit = limit;
    }

    @Override
    public OutgoingRecord next(long sendTimeMillis) {
      if (times.size() >= limit) {
        return null;
      }
      times.add(sendTimeMillis);
      return new OutgoingRecord("k", new byte[0]);
    }

    @Override
    public List<Header> headers() {
      return List.of();
    }

    @Override
    public Map<String, Long> counts() {
      return Map.of();
    }
  }

  private static Runner.Result run(
      RecordSource source, Sink sink, Runner.Limits limits, AtomicBoolean stop) throws Exception {
    return new Runner(source, sink, limits, stop).run("t", Duration.ZERO, System.err);
  }

  @Test
  void aFixedRateIsKeptOpenLoopAndStampsTheSchedule() throws Exception {
    TimeSource source = new TimeSource(Long.MAX_VALUE);
    CountingSink sink = new CountingSink();
    Runner.Result r =
        run(source, sink, new Runner.Limits(100, null, 200, 1_000_000L), new AtomicBoolean());
    assertThat(r.sent()).isEqualTo(100);
    assertThat(r.ok()).isTrue();
    assertThat(r.stoppedBy()).isEqualTo("count reached");
    // 100 records at 200/s: the last is due at 495 ms.
    assertThat(r.elapsedNanos()).isBetween(450_000_000L, 2_000_000_000L);
    assertThat(source.times.get(0)).isEqualTo(1_000_000L);
    assertThat(source.times.get(99)).isEqualTo(1_000_495L);
  }

  @Test
  void withAStartTimeAndNoRateRecordsAreOneMillisecondApart() throws Exception {
    TimeSource source = new TimeSource(Long.MAX_VALUE);
    run(source, new CountingSink(), new Runner.Limits(3, null, 0, 5L), new AtomicBoolean());
    assertThat(source.times).containsExactly(5L, 6L, 7L);
  }

  @Test
  void aDurationTheEndOfTheInputOrAStopRequestEndTheRun() throws Exception {
    Runner.Result timed =
        run(
            new TimeSource(Long.MAX_VALUE),
            new CountingSink(),
            new Runner.Limits(0, Duration.ofMillis(300), 1_000, null),
            new AtomicBoolean());
    assertThat(timed.stoppedBy()).isEqualTo("duration reached");
    assertThat(timed.sent()).isBetween(200L, 320L);

    Runner.Result ended =
        run(
            new TimeSource(7),
            new CountingSink(),
            new Runner.Limits(0, null, 0, null),
            new AtomicBoolean());
    assertThat(ended.stoppedBy()).isEqualTo("end of input");
    assertThat(ended.sent()).isEqualTo(7);

    Runner.Result stopped =
        run(
            new TimeSource(7),
            new CountingSink(),
            new Runner.Limits(0, null, 0, null),
            new AtomicBoolean(true));
    assertThat(stopped.stoppedBy()).startsWith("interrupted");
  }

  @Test
  void aFatalErrorStopsTheRunAndIsReported() throws Exception {
    CountingSink sink = new CountingSink();
    sink.fatal = new IllegalStateException("broker said no");
    Runner.Result r =
        run(new TimeSource(100), sink, new Runner.Limits(0, null, 0, null), new AtomicBoolean());
    assertThat(r.stoppedBy()).isEqualTo("fatal error");
    assertThat(r.fatal()).hasMessage("broker said no");
    assertThat(r.ok()).isFalse();
    assertThat(r.render()).contains("sent 0 records to t").contains("stopped by");
  }

  @Test
  void aSourceErrorStopsTheRunAfterFlushingWhatWasSent() throws Exception {
    boolean[] flushed = {false};
    CountingSink sink =
        new CountingSink() {
          @Override
          public void flush() {
            flushed[0] = true;
          }
        };
    TimeSource failing =
        new TimeSource(Long.MAX_VALUE) {
          @Override
          public OutgoingRecord next(long sendTimeMillis) {
            if (times.size() == 3) {
              throw new IllegalStateException("file.csv:5: has 2 fields");
            }
            return super.next(sendTimeMillis);
          }
        };
    Runner.Result r = run(failing, sink, new Runner.Limits(0, null, 0, null), new AtomicBoolean());
    assertThat(r.sent()).isEqualTo(3);
    assertThat(flushed[0]).isTrue();
    assertThat(r.fatal()).hasMessage("file.csv:5: has 2 fields");
    assertThat(r.stoppedBy()).isEqualTo("fatal error");
  }

  @Test
  void progressDuringAnOutageSaysItIsWaitingForTheBroker() throws Exception {
    CountingSink silent =
        new CountingSink() {
          @Override
          public long acked() {
            return 0; // the broker is away: nothing is acknowledged
          }
        };
    java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
    new Runner(
            new TimeSource(1_000),
            silent,
            new Runner.Limits(0, Duration.ofMillis(700), 20, null),
            new AtomicBoolean())
        .run(
            "t",
            Duration.ofMillis(100),
            new java.io.PrintStream(lines, true, java.nio.charset.StandardCharsets.UTF_8),
            Duration.ofMinutes(1));
    String progress = lines.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(progress.lines().findFirst().orElseThrow()).doesNotContain("waiting");
    assertThat(progress)
        .containsPattern(
            "acked 0 errors 0; waiting for the broker: nothing acknowledged for \\d+ s, \\d+"
                + " records held \\(kept up to --max-outage 60s\\)");
  }
}
