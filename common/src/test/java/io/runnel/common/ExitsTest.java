package io.runnel.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExitsTest {
  @Test
  void aFailedBatchsLineNamesWhereItsInputCameFromAndTheRootCause() {
    // As Spark reports it: the batch's exception inside a StreamingQueryException.
    Throwable e =
        new IllegalStateException(
            "query failed",
            new BatchFailedException(
                "batch 3 of Bronze rows of events[0] offsets 10-99 (90 rows)",
                new RuntimeException("task failed", new ArithmeticException("long overflow"))));
    assertThat(Exits.messageOf(e))
        .isEqualTo(
            "batch 3 of Bronze rows of events[0] offsets 10-99 (90 rows): ArithmeticException:"
                + " long overflow");
    assertThat(Exits.statusOf(e)).isEqualTo(Exits.FAILED);
  }

  @Test
  void otherFailuresKeepTheirRootMessage() {
    assertThat(Exits.messageOf(new RuntimeException("outer", new IllegalStateException("inner"))))
        .isEqualTo("IllegalStateException: inner");
  }
}
