package io.runnel.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash points for the exactly-once tests: {@code RUNNEL_FAILPOINT=<name>@<batch id>} makes the job
 * halt (as {@code kill -9} would: no shutdown hook, nothing flushed) when it reaches the named
 * point in that micro-batch. Unset, as in every real run, it does nothing. This is how a test lands
 * a crash in a window of milliseconds, such as after the PostgreSQL commit and before the
 * checkpoint commit.
 */
public final class Failpoint {
  public static final String VARIABLE = "RUNNEL_FAILPOINT";
  private static final Logger LOG = LoggerFactory.getLogger(Failpoint.class);
  private static final String ARMED = System.getenv(VARIABLE);

  private Failpoint() {}

  /** Halts the JVM with exit code 137 if {@code RUNNEL_FAILPOINT} names this point and batch. */
  public static void reach(String name, long batchId) {
    if (ARMED != null && ARMED.equals(name + "@" + batchId)) {
      LOG.error("failpoint {} reached in batch {}: halting as kill -9 would", name, batchId);
      System.err.println("runnel: failpoint " + ARMED + " reached, halting");
      System.err.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
