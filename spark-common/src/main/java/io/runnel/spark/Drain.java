package io.runnel.spark;

import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * A continuous job's drain: on SIGUSR1 it lets the batch under way finish, stops its queries, runs
 * them once more available-now over what their sources hold, and ends with status 0. The demo's and
 * {@code ./runnel run}'s stop leaves nothing behind this way without starting a JVM per job for a
 * last available-now run (some 30 CPU-s each on a 2-core machine). SIGTERM still stops at once.
 */
public final class Drain {
  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
  private static final AtomicBoolean LISTENING = new AtomicBoolean();
  private static final AtomicBoolean REQUESTED = new AtomicBoolean();
  private static final long POLL_MILLIS = 100;

  private Drain() {}

  /** From now on, SIGUSR1 asks for a drain. Idempotent. */
  public static void listen() {
    if (!LISTENING.compareAndSet(false, true)) {
      return;
    }
    try {
      Signal.handle(
          new Signal("USR1"),
          signal -> {
            if (!REQUESTED.getAndSet(true)) {
              LOG.info(
                  "SIGUSR1: draining (the batch under way ends, then what is left, then stop)");
            }
          });
    } catch (IllegalArgumentException e) {
      // A JVM started with -Xrs, or a platform without the signal: SIGTERM still stops the job.
      LOG.warn("no drain on SIGUSR1 in this JVM: {}", e.getMessage());
    }
  }

  /**
   * Whether a drain was asked for; a job asked before its queries start runs them available-now.
   */
  public static boolean requested() {
    return REQUESTED.get();
  }

  /**
   * Waits until every query has ended (false; a failed query's exception is thrown) or a drain is
   * asked for (true): then each query is stopped once no batch of it is under way.
   */
  public static boolean await(List<StreamingQuery> queries)
      throws StreamingQueryException, TimeoutException {
    while (!REQUESTED.get()) {
      StreamingQuery active = null;
      for (StreamingQuery q : queries) {
        if (q.exception().isDefined()) {
          throw q.exception().get();
        }
        if (active == null && q.isActive()) {
          active = q;
        }
      }
      if (active == null) {
        return false;
      }
      active.awaitTermination(POLL_MILLIS);
    }
    for (StreamingQuery q : queries) {
      stopBetweenBatches(q);
    }
    return true;
  }

  /**
   * Stops {@code q} once the batch under way (if any) has ended. A query that falls behind starts
   * its next batch at once: that one is interrupted, and so is one that starts between the check
   * and the stop; every Runnel batch is idempotent, so the available-now run redoes it.
   */
  private static void stopBetweenBatches(StreamingQuery q)
      throws StreamingQueryException, TimeoutException {
    StreamingQueryProgress underWay = q.lastProgress();
    while (q.isActive() && q.status().isTriggerActive() && q.lastProgress() == underWay) {
      q.awaitTermination(POLL_MILLIS);
    }
    if (q.exception().isDefined()) {
      throw q.exception().get();
    }
    q.stop();
  }
}
