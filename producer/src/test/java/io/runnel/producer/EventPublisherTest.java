package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.Env;
import io.runnel.common.SettingsException;
import java.time.Duration;
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
    try (EventPublisher publisher =
        new EventPublisher("127.0.0.1:1", "t", Duration.ofMinutes(1), Map.of())) {
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
  void theOutageItRidesOutSetsTheDeliveryTimeoutAndTheBlockingOfSend() {
    var p = EventPublisher.properties("h:1", Duration.ofMinutes(10), Map.of());
    assertThat(p)
        .containsEntry("delivery.timeout.ms", 600_000)
        .containsEntry("max.block.ms", 600_000L)
        .containsEntry("retries", Integer.MAX_VALUE)
        .containsEntry("linger.ms", 20);
    // The client's own rule: delivery.timeout.ms >= linger.ms + request.timeout.ms.
    assertThatThrownBy(
            () ->
                EventPublisher.properties(
                    "h:1", Duration.ofMinutes(1), Map.of("request.timeout.ms", "60000")))
        .isInstanceOf(SettingsException.class)
        .hasMessage(
            "--max-outage (60000 ms) must be at least linger.ms + request.timeout.ms (60020 ms)");
    // What the client itself accepts: no exception from its own checks.
    new EventPublisher("127.0.0.1:1", "t", ProducerSettings.MIN_MAX_OUTAGE, Map.of()).close();
  }

  @Test
  void theOutageComesFromTheEnvironmentOrTheCommandLine() {
    assertThat(ProducerSettings.fromEnv(Env.of(Map.of())).maxOutage())
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(
            ProducerSettings.fromEnv(Env.of(Map.of(ProducerSettings.MAX_OUTAGE, "3600")))
                .maxOutage())
        .isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(
            () -> ProducerSettings.fromEnv(Env.of(Map.of(ProducerSettings.MAX_OUTAGE, "5"))))
        .hasMessage("RUNNEL_PRODUCER_MAX_OUTAGE_SECONDS must be between 31 and 604800, got '5'");
    assertThat(new SendOptions.DurationConverter().convert("10m"))
        .isEqualTo(Duration.ofMinutes(10));
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
