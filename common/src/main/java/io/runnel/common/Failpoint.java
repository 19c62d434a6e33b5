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
 */
public final class Failpoint {
  public static final String VARIABLE = "RUNNEL_FAILPOINT";
  private static final Logger LOG = LoggerFactory.getLogger(Failpoint.class);
  private static final String ARMED = System.getenv(VARIABLE);
  private static final Map<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();

  private Failpoint() {}

  /**
   * Halts the JVM with exit code 137 if {@code RUNNEL_FAILPOINT} names this point and batch (or n).
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
    if (nth || ARMED.equals(name + "@" + batchId)) {
      LOG.error("failpoint {} reached in batch {}: halting as kill -9 would", name, batchId);
      System.err.println("runnel: failpoint " + ARMED + " reached, halting");
      System.err.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
