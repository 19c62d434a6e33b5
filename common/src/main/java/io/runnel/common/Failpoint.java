package io.runnel.common;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash points for the exactly-once tests: {@code RUNNEL_FAILPOINT=<name>@<batch id>} makes the job
 * halt (as {@code kill -9} would: no shutdown hook, nothing flushed) when it reaches the named
 * point in that micro-batch; {@code <name>#<n>} when it reaches the point for the n-th time in this
 * process (for a point only some batches reach, whichever batches those turn out to be). Unset, as
 * in every real run, it does nothing. This is how a test lands a crash in a window of milliseconds,
 * such as after the PostgreSQL commit and before the checkpoint commit.
 *
 * <p>With the suffix {@code :stop} ({@code <name>@<batch id>:stop}) the job freezes instead: it
 * sends itself SIGSTOP, as a debugger, a long GC pause or a frozen VM would hold it, every thread
 * (the lease's heartbeat too) stopped until a SIGCONT. It prints {@code runnel: failpoint <spec>
 * reached, stopping pid <pid>} first, so that a test knows which process to continue.
 */
public final class Failpoint {
  public static final String VARIABLE = "RUNNEL_FAILPOINT";
  private static final Logger LOG = LoggerFactory.getLogger(Failpoint.class);
  private static final String STOP = ":stop";
  private static final String SPEC = System.getenv(VARIABLE);
  private static final boolean STOPS = SPEC != null && SPEC.endsWith(STOP);
  private static final String ARMED =
      STOPS ? SPEC.substring(0, SPEC.length() - STOP.length()) : SPEC;
  private static final Map<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();

  private Failpoint() {}

  /**
   * Halts the JVM with exit code 137 (or, with {@code :stop}, freezes it until SIGCONT) if {@code
   * RUNNEL_FAILPOINT} names this point and batch (or n).
   */
  public static void reach(String name, long batchId) {
    if (ARMED == null) {
      return;
    }
    boolean nth =
        ARMED.startsWith(name + "#")
            && ARMED.equals(
                name
                    + "#"
                    + REACHED.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet());
    if (!nth && !ARMED.equals(name + "@" + batchId)) {
      return;
    }
    if (STOPS) {
      stop(name, batchId);
    } else {
      LOG.error("failpoint {} reached in batch {}: halting as kill -9 would", name, batchId);
      System.err.println("runnel: failpoint " + ARMED + " reached, halting");
      System.err.flush();
      Runtime.getRuntime().halt(137);
    }
  }

  /** SIGSTOP to this very process: returns once something sends it SIGCONT. */
  private static void stop(String name, long batchId) {
    long pid = ProcessHandle.current().pid();
    LOG.warn("failpoint {} reached in batch {}: stopping pid {} until SIGCONT", name, batchId, pid);
    System.err.println("runnel: failpoint " + SPEC + " reached, stopping pid " + pid);
    System.err.flush();
    long started = System.nanoTime();
    try {
      new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).inheritIO().start().waitFor();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("failpoint " + SPEC + ": could not stop pid " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("failpoint " + SPEC + ": interrupted", e);
    }
    System.err.println(
        "runnel: failpoint "
            + SPEC
            + ": pid "
            + pid
            + " continued after "
            + (System.nanoTime() - started) / 1_000_000
            + " ms");
    System.err.flush();
  }
}
