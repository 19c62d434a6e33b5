package io.runnel.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SilverRulesTest {
  private static final Instant KAFKA_TS = Instant.parse("2026-03-01T12:00:00Z");
  private static final SilverRules RULES =
      new SilverRules(
          new SilverRules.Limits(
              2_048, Duration.ofMinutes(5), Duration.ofMinutes(15), SilverRules.DEFAULT_OLDEST));

  /** A valid event as the producer writes it, with {@code field} replaced by {@code json}. */
  static String event(String field, String json) {
    String[][] fields = {
      {"event_id", "\"0190f5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f\""},
      {"event_type", "\"purchase\""},
      {"user_id", "\"user_7\""},
      {"product_id", "\"product_3\""},
      {"price", "19.99"},
      {"currency", "\"EUR\""},
      {"quantity", "2"},
      {"session_id", "\"s-1\""},
      {"ts", "\"2026-03-01T11:59:58.123Z\""},
      {"user_agent", "\"Mozilla/5.0\""}
    };
    StringBuilder b = new StringBuilder("{");
    for (String[] f : fields) {
      String value = f[0].equals(field) ? json : f[1];
      if (value == null) {
        continue;
      }
      if (b.length() > 1) {
        b.append(',');
      }
      b.append('"').append(f[0]).append("\":").append(value);
    }
    return b.append('}').toString();
  }

  private static SilverRules.Checked<SilverRules.Event> check(String value) {
    return RULES.event(utf8(value), null, "1", KAFKA_TS);
  }

  private static byte[] utf8(String value) {
    return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aValidEventIsTypedExactly() {
    SilverRules.Checked<SilverRules.Event> c = check(event(null, null));
    assertThat(c.reasons()).isEmpty();
    SilverRules.Event e = c.value();
    assertThat(e.eventId()).isEqualTo("0190f5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f");
    assertThat(e.price()).isEqualTo(new BigDecimal("19.99"));
    assertThat(e.quantity()).isEqualTo(2);
    assertThat(e.ts()).isEqualTo(Instant.parse("2026-03-01T11:59:58.123Z"));
    assertThat(e.late()).isFalse();
  }

  @ParameterizedTest(name = "{0} = {1} fails {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "event_id   | \"not-a-uuid\"                  | invalid_event_id",
        "event_id   | 42                              | wrong_type:event_id",
        "event_type | \"refund\"                      | unknown_event_type",
        "user_id    | \"\"                            | missing_field:user_id",
        "user_id    | null                            | missing_field:user_id",
        "price      | -0.01                           | negative_price",
        "price      | \"19.99\"                       | wrong_type:price",
        "price      | 19.999                          | invalid_price",
        "price      | 1e20                            | invalid_price",
        "currency   | \"XYZ\"                         | invalid_currency",
        "currency   | \"eur\"                         | invalid_currency",
        "quantity   | 0                               | quantity_below_one",
        "quantity   | -1                              | quantity_out_of_range",
        "quantity   | 1001                            | quantity_out_of_range",
        "quantity   | 1.5                             | wrong_type:quantity",
        "quantity   | \"2\"                           | wrong_type:quantity",
        "ts         | \"yesterday\"                   | invalid_timestamp:ts",
        "ts         | \"2026-03-01T12:05:01Z\"        | ts_in_future",
        "session_id | 7                               | wrong_type:session_id",
        "ts         | \"-300000-01-01T00:00:00Z\"     | ts_before_oldest",
        "ts         | \"+300000-01-01T00:00:00Z\"     | ts_in_future",
        "ts         | \"0000-01-01T00:00:00Z\"        | ts_before_oldest",
        "ts         | \"1999-12-31T23:59:59.999999Z\" | ts_before_oldest",
        "ts         | \"2026-03-01T11:59:58.1234567Z\"| too_precise:ts",
        "ts         | \"2026-03-01T23:59:60Z\"        | invalid_timestamp:ts",
        "user_id    | \"a\\u0000b\"                   | invalid_text:user_id",
        "user_agent | \"x\\ud800y\"                   | invalid_text:user_agent",
        "session_id | \"\\udc00\"                     | invalid_text:session_id",
      })
  void eachRuleNamesItsReason(String field, String json, String reason) {
    assertThat(check(event(field.trim(), json.trim())).reasons()).containsExactly(reason);
  }

  @Test
  void theOldestAcceptedTimeIsASetting() {
    SilverRules older =
        new SilverRules(
            new SilverRules.Limits(
                2_048,
                Duration.ofMinutes(5),
                Duration.ofMinutes(15),
                Instant.parse("1990-01-01T00:00:00Z")));
    String value = event("ts", "\"1995-06-01T00:00:00.000001Z\"");
    assertThat(older.event(utf8(value), null, "1", KAFKA_TS).value().ts())
        .isEqualTo(Instant.parse("1995-06-01T00:00:00.000001Z"));
    assertThat(check(value).reasons()).containsExactly("ts_before_oldest");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new SilverRules.Limits(
                    1, Duration.ZERO, Duration.ZERO, Instant.parse("1582-10-15T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEmojiAndRightToLeftTextAreKeptAsSent() {
    String text = "\ud83d\ude00 \u202eabc \u05e9\u05dc\u05d5\u05dd";
    SilverRules.Checked<SilverRules.Event> c = check(event("user_agent", "\"" + text + "\""));
    assertThat(c.reasons()).isEmpty();
    assertThat(c.value().userAgent()).isEqualTo("\ud83d\ude00 \u202eabc \u05e9\u05dc\u05d5\u05dd");
  }

  @Test
  void fieldsOutsideTheContractAreKeptExactlyInExtra() {
    String value =
        event(null, null)
            .replace(
                "{",
                "{\"coupon\":\"WINTER\",\"ratio\":1e400,\"tiny\":-0,\"nested\":{\"a\":[1,2.50,"
                    + "{\"b\":null}],\"c\":true},\"quote\":\"say \\\"hi\\\"\",");
    SilverRules.Checked<SilverRules.Event> c = check(value);
    assertThat(c.reasons()).isEmpty();
    assertThat(c.value().extra())
        .isEqualTo(
            "{\"coupon\":\"WINTER\",\"ratio\":1e400,\"tiny\":-0,\"nested\":{\"a\":[1,2.50,"
                + "{\"b\":null}],\"c\":true},\"quote\":\"say \\\"hi\\\"\"}");
    assertThat(check(event(null, null)).value().extra()).as("none: null").isNull();
  }

  @Test
  void extraFieldsThatTheWarehouseCannotHoldQuarantineTheRecord() {
    assertThat(check(event(null, null).replace("{", "{\"x\":\"a\\u0000\",")).reasons())
        .containsExactly("invalid_text:extra");
    assertThat(check(event(null, null).replace("{", "{\"x\":{\"\\ud800\":1},")).reasons())
        .as("Jackson's byte parser refuses a lone surrogate in a name itself")
        .containsExactly("malformed_json");
    assertThat(check(event(null, null).replace("{", "{\"x\":[1e-20000],")).reasons())
        .containsExactly("invalid_number:extra");
    assertThat(check(event(null, null).replace("{", "{\"x\":{\"y\":1e200000},")).reasons())
        .containsExactly("invalid_number:extra");
  }

  @Test
  void anEventWithoutATypeAndQuantityZeroIsNamedNotAnException() {
    // Found by the fuzzer (contract/fuzz-corpus: found.quantity-zero-without-event-type).
    assertThat(
            check(event("event_type", null).replace("\"quantity\":2", "\"quantity\":0")).reasons())
        .containsExactly("missing_field:event_type");
  }

  @Test
  void aMissingFieldIsNamed() {
    assertThat(check(event("price", null)).reasons()).containsExactly("missing_field:price");
  }

  @Test
  void everyFailedRuleIsListedNotJustTheFirst() {
    String value = event("price", "-1").replace("\"purchase\"", "\"refund\"");
    assertThat(check(value).reasons())
        .containsExactlyInAnyOrder("unknown_event_type", "negative_price");
  }

  @Test
  void aViewMayHaveQuantityZeroButNotACartEvent() {
    String view = event("quantity", "0").replace("\"purchase\"", "\"view\"");
    assertThat(check(view).ok()).isTrue();
    String cart = event("quantity", "0").replace("\"purchase\"", "\"add_to_cart\"");
    assertThat(check(cart).reasons()).containsExactly("quantity_below_one");
  }

  @Test
  void anEventDaysOldIsValidAndLate() {
    SilverRules.Checked<SilverRules.Event> c = check(event("ts", "\"2026-02-26T08:00:00Z\""));
    assertThat(c.ok()).isTrue();
    assertThat(c.value().late()).isTrue();
  }

  @Test
  void recordLevelFailures() {
    assertThat(check(null).reasons()).containsExactly("null_value");
    assertThat(check("{\"event_id\": ").reasons()).containsExactly("malformed_json");
    assertThat(check(event(null, null) + " trailing").reasons()).containsExactly("malformed_json");
    assertThat(check("[1,2]").reasons()).containsExactly("not_an_object");
    assertThat(check("{\"price\":1,\"price\":2}").reasons()).containsExactly("malformed_json");
    assertThat(RULES.event(utf8(event(null, null)), null, "2", KAFKA_TS).reasons())
        .containsExactly("unsupported_schema_version");
    assertThat(RULES.event(utf8(event(null, null)), null, null, KAFKA_TS).ok())
        .as("no version header: read as version 1")
        .isTrue();
  }

  @Test
  void invalidUtf8AndOversizedPayloadsAreQuarantinedWithTheirOtherFailures() {
    String value = event(null, null);
    byte[] raw = value.getBytes(StandardCharsets.UTF_8);
    raw[raw.length - 3] = (byte) 0xC3;
    assertThat(RULES.event(utf8(value), raw, "1", KAFKA_TS).reasons())
        .containsExactly("invalid_utf8");

    String huge = event("user_agent", "\"" + "x".repeat(3_000) + "\"");
    assertThat(check(huge).reasons())
        .containsExactlyInAnyOrder("payload_too_large", "too_long:user_agent");
    String multibyte = event("user_agent", "\"" + "é".repeat(1_000) + "\"");
    assertThat(multibyte.length()).isLessThan(2_048);
    assertThat(check(multibyte).reasons())
        .as("the limit is in UTF-8 bytes, not characters")
        .containsExactly("payload_too_large");
  }

  @Test
  void productsHaveTheirOwnRules() {
    String ok =
        "{\"product_id\":\"product_1\",\"name\":\"Bear\",\"category\":\"toys\","
            + "\"description\":null,\"price\":18.00,\"currency\":\"EUR\","
            + "\"updated_at\":\"2026-01-01T00:00:00.000Z\"}";
    SilverRules.Checked<SilverRules.Product> c = RULES.product(utf8(ok), null, "1", KAFKA_TS);
    assertThat(c.reasons()).isEmpty();
    assertThat(c.value().price()).isEqualTo(new BigDecimal("18.00"));
    assertThat(c.value().description()).isNull();
    assertThat(c.value().updatedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));

    String bad = ok.replace("18.00", "-1").replace("\"2026-01-01T00:00:00.000Z\"", "\"soon\"");
    assertThat(RULES.product(utf8(bad), null, "1", KAFKA_TS).reasons())
        .containsExactlyInAnyOrder("negative_price", "invalid_timestamp:updated_at");

    String future = ok.replace("2026-01-01T00:00:00.000Z", "9999-12-31T23:59:59Z");
    assertThat(RULES.product(utf8(future), null, "1", KAFKA_TS).reasons())
        .as("a version dated 9999 would win forever")
        .containsExactly("updated_at_in_future");
    String old = ok.replace("2026-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z");
    assertThat(RULES.product(utf8(old), null, "1", KAFKA_TS).reasons())
        .containsExactly("updated_at_before_oldest");
    String extra = ok.replace("{", "{\"brand\":\"Acme\",");
    assertThat(RULES.product(utf8(extra), null, "1", KAFKA_TS).value().extra())
        .isEqualTo("{\"brand\":\"Acme\"}");
  }

  /**
   * The reference for {@link SilverRules#fields}: Jackson's tree, read with exact decimals, no
   * trailing text and no duplicate names.
   */
  private static final ObjectMapper TREE =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":\"x\",\"b\":1,\"c\":-2.50,\"d\":true,\"e\":null,\"f\":[1,{\"g\":2}],\"h\":{}}",
        "{\"n\":2147483647,\"m\":2147483648,\"l\":-9223372036854775809,\"e\":1e20,\"z\":-0}",
        "  {\"a\" : \"\\u00e9\\n\" }  ",
        "{}",
        "",
        "   ",
        "[1,2]",
        "\"text\"",
        "42",
        "null",
        "{\"a\":1} trailing",
        "{\"a\":1}{}",
        "[1] 2",
        "{\"a\":1,\"a\":2}",
        "{\"a\":{\"b\":1,\"b\":2}}",
        "{\"a\":[1,}",
        "{\"a\":1",
        "{\"a\":01}",
        "{\"a\":NaN}",
        "{a:1}",
        "{\"a\":\"unterminated}",
        "\ufeff{\"bom\":1}",
        "\u0000{\"a\":1}",
        "{\"a\":1}\u0000",
        "\u0000\u0000\u0000{}",
        "{\"a\":\"\u0000\"}",
        "{\"\u00e9t\u00e9\":\"\ud83d\ude00\"}",
      })
  void fieldsAreReadAsJacksonsTreeReadsThem(String json) {
    assertThat(viaFields(json)).isEqualTo(viaTree(json));
  }

  /** "malformed", "not an object", or each field's Java type and value. */
  private static String viaFields(String json) {
    Map<String, Object> fields;
    try {
      fields = SilverRules.fields(utf8(json));
    } catch (IOException e) {
      return "malformed";
    }
    if (fields == null) {
      return "not an object";
    }
    Map<String, String> out = new TreeMap<>();
    fields.forEach((k, v) -> out.put(k, describe(v)));
    return out.toString();
  }

  private static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v == SilverRules.NESTED) {
      return "nested";
    }
    if (v instanceof BigDecimal d) {
      return "decimal " + d.stripTrailingZeros().toPlainString();
    }
    return v.getClass().getSimpleName() + " " + v;
  }

  private static String viaTree(String json) {
    JsonNode node;
    try {
      node = TREE.readTree(json);
    } catch (JsonProcessingException e) {
      return "malformed";
    }
    if (node == null || !node.isObject()) {
      return "not an object";
    }
    Map<String, String> out = new TreeMap<>();
    node.properties().forEach(f -> out.put(f.getKey(), describe(f.getValue())));
    return out.toString();
  }

  private static String describe(JsonNode v) {
    return switch (v.getNodeType()) {
      case NULL -> "null";
      case OBJECT, ARRAY -> "nested";
      case BOOLEAN -> "Boolean " + v.booleanValue();
      case STRING -> "String " + v.textValue();
      case NUMBER ->
          switch (v.numberType()) {
            case INT -> "Integer " + v.intValue();
            case LONG -> "Long " + v.longValue();
            case BIG_INTEGER -> "BigInteger " + v.bigIntegerValue();
            default -> "decimal " + v.decimalValue().stripTrailingZeros().toPlainString();
          };
      default -> "unexpected " + v;
    };
  }
}
