package io.runnel.common;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import java.time.Duration;

/** Waits for a service to answer, retrying every half second until a deadline. */
public final class Readiness {
  private Readiness() {}

  public static <T> T await(String what, Duration timeout, CheckedSupplier<T> attempt) {
    RetryPolicy<T> policy =
        RetryPolicy.<T>builder()
            .handle(Exception.class)
            .withDelay(Duration.ofMillis(500))
            .withMaxRetries(-1)
            .withMaxDuration(timeout)
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
