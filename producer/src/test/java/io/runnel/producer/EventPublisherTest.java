package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class EventPublisherTest {
  @Test
  void retriableErrorsAndRefusedRecordsCountAsFailedAndOthersStopTheRun() {
    // No record is sent: the client never connects.
    try (EventPublisher publisher = new EventPublisher("127.0.0.1:1", "t", Map.of())) {
      publisher.onCompletion(null, null);
      publisher.onCompletion(null, new TimeoutException("expired after 120000 ms"));
      publisher.onCompletion(null, new NotLeaderOrFollowerException("moved"));
      // The broker's verdict on one record (a fuzzed one, say): the next may be fine.
      publisher.onCompletion(null, new RecordTooLargeException("too large"));
      publisher.onCompletion(null, new InvalidRecordException("null key on a compacted topic"));
      assertThat(publisher.acked()).isEqualTo(1);
      assertThat(publisher.failed()).isEqualTo(4);
      assertThat(publisher.fatal()).isNull();

      publisher.onCompletion(null, new TopicAuthorizationException("not allowed"));
      assertThat(publisher.failed()).isEqualTo(5);
      assertThat(publisher.fatal()).hasMessage("not allowed");
    }
  }

  @Test
  void jsonStringsAreEscaped() {
    StringBuilder b = new StringBuilder();
    Json.string(b, "a\"b\\c\nd\te\u0001é🍮");
    assertThat(b).hasToString("\"a\\\"b\\\\c\\nd\\te\\u0001é🍮\"");
    assertThat(
            Contracts.parse(("{\"v\":" + b + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .get("v")
                .asText())
        .isEqualTo("a\"b\\c\nd\te\u0001é🍮");
    StringBuilder cents = new StringBuilder();
    Json.cents(cents, -1205);
    Json.cents(cents.append(' '), 7);
    assertThat(cents).hasToString("-12.05 0.07");
  }
}
