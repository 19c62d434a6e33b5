package io.runnel.common;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Waits for a service to answer, retrying every half second until a deadline. */
public final class Readiness {
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
  private static final Duration SAY_WAITING = Duration.ofSeconds(30);

  private Readiness() {}

  public static <T> T await(String what, Duration timeout, CheckedSupplier<T> attempt) {
    AtomicBoolean said = new AtomicBoolean();
    RetryPolicy<T> policy =
        RetryPolicy.<T>builder()
            .handle(Exception.class)
            .withDelay(Duration.ofMillis(500))
            .withMaxRetries(-1)
            .withMaxDuration(timeout)
            // Once, for a long wait (a supervised job's start-up may wait minutes for a service
            // that is down); a short one ends soon enough in its own one-line error.
            .onFailedAttempt(
                e -> {
                  if (timeout.compareTo(SAY_WAITING) >= 0 && !said.getAndSet(true)) {
                    LOG.warn(
                        "{} does not answer ({}): waiting up to {} s",
                        what,
                        rootMessage(e.getLastException()),
                        timeout.toSeconds());
                  }
                })
            .build();
    try {
      return Failsafe.with(policy).get(attempt);
    } catch (RuntimeException e) {
      throw new ServiceUnavailableException(
          what + " did not answer within " + timeout.toSeconds() + " s: " + rootMessage(e));
    }
  }

  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip());
  }
}
