package io.runnel.common;

/**
 * A micro-batch that failed, with where its input came from (e.g. the Bronze rows' Kafka topics,
 * partitions and offsets), so that an operator can look at the very records. Its message is the
 * job's one-line error ({@link Exits}), the root cause included.
 */
public final class BatchFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BatchFailedException(String where, Throwable cause) {
    super(where + ": " + Readiness.rootMessage(cause), cause);
  }
}
