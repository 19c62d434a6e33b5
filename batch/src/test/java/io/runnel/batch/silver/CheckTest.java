package io.runnel.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The per-row check Spark runs: one record can make a row bad, never the batch fail. */
class CheckTest {
  private static final Timestamp KAFKA_TS = Timestamp.from(Instant.parse("2026-03-01T12:00:00Z"));
  private static final SilverTransforms.Check CHECK =
      new SilverTransforms.Check(
          new SilverRules(
              new SilverRules.Limits(
                  16_384,
                  Duration.ofMinutes(5),
                  Duration.ofMinutes(15),
                  SilverRules.DEFAULT_OLDEST)),
          Set.of("events"),
          Set.of("products"));

  private static Row check(String topic, String json, Timestamp kafkaTs) {
    return CHECK.call(topic, json.getBytes(StandardCharsets.UTF_8), null, "1", kafkaTs);
  }

  /** The reasons as the UDF returns them (a Java list; Spark converts it after the call). */
  @SuppressWarnings("unchecked")
  private static List<String> reasons(Row row) {
    return (List<String>) row.get(3);
  }

  @Test
  void aValidEventBecomesAnEventRowWithItsExtraFields() {
    Row row =
        check("events", SilverRulesTest.event(null, null).replace("{", "{\"ab\":[1],"), KAFKA_TS);
    assertThat(row.getString(0)).isEqualTo(SilverTransforms.KIND_EVENT);
    Row event = row.getStruct(1);
    assertThat(event.getTimestamp(8))
        .isEqualTo(Timestamp.from(Instant.parse("2026-03-01T11:59:58.123Z")));
    assertThat(event.getString(11)).isEqualTo("{\"ab\":[1]}");
    assertThat(reasons(row)).isEmpty();
  }

  @Test
  void aYearSparkCannotHoldIsQuarantinedNotAnOverflow() {
    // Issue 20's first failure: this event stopped Silver with "long overflow", run after run.
    Row row = check("events", SilverRulesTest.event("ts", "\"-300000-01-01T00:00:00Z\""), KAFKA_TS);
    assertThat(row.getString(0)).isEqualTo(SilverTransforms.KIND_BAD);
    assertThat(reasons(row)).containsExactly("ts_before_oldest");
  }

  @Test
  void anExceptionWhileCheckingARowQuarantinesItWithItsName() {
    Row row = check("events", SilverRulesTest.event(null, null), null);
    assertThat(row.getString(0)).isEqualTo(SilverTransforms.KIND_BAD);
    assertThat(reasons(row)).isEqualTo(List.of("unprocessable:NullPointerException"));
  }

  @Test
  void aProductDatedInTheFarFutureIsQuarantined() {
    String product =
        "{\"product_id\":\"p1\",\"name\":\"Bear\",\"category\":\"toys\",\"price\":18.00,"
            + "\"currency\":\"EUR\",\"updated_at\":\"9999-12-31T23:59:59Z\"}";
    Row row = check("products", product, KAFKA_TS);
    assertThat(reasons(row)).containsExactly("updated_at_in_future");
  }
}
