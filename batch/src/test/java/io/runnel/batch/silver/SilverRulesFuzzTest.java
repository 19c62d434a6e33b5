package io.runnel.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.common.fuzz.FuzzCorpus;
import io.runnel.common.fuzz.HostileRecord;
import io.runnel.common.fuzz.HostileRecords;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * A million hostile and odd records (the seeded generator of io.runnel.common.fuzz), then every
 * case of the committed corpus, through the check Spark runs on each Bronze row: none may throw,
 * every reason is a documented one, every accepted value is one that Spark, PostgreSQL and Trino
 * hold exactly, and every record the contract calls valid is accepted.
 */
class SilverRulesFuzzTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final SilverRules.Limits LIMITS =
      new SilverRules.Limits(
          16_384, Duration.ofMinutes(5), Duration.ofMinutes(15), SilverRules.DEFAULT_OLDEST);
  private static final SilverTransforms.Check CHECK =
      new SilverTransforms.Check(new SilverRules(LIMITS), Set.of("events"), Set.of("products"));
  private static final int CASES = 1_000_000;

  /** Every reason SilverRules documents; a field's name after a colon. */
  private static final Pattern REASON =
      Pattern.compile(
          "null_value|invalid_utf8|payload_too_large|malformed_json|not_an_object"
              + "|unsupported_schema_version|unknown_topic|invalid_event_id|unknown_event_type"
              + "|negative_price|invalid_price|invalid_currency|quantity_out_of_range"
              + "|quantity_below_one|ts_in_future|ts_before_oldest|updated_at_in_future"
              + "|updated_at_before_oldest|invalid_text:extra|invalid_number:extra"
              + "|(missing_field|wrong_type|too_long|invalid_timestamp|too_precise|invalid_text):"
              + "[a-z_]+");

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aMillionHostileRecordsAreEachAcceptedExactlyOrQuarantinedWithDocumentedReasons() {
    HostileRecords fuzz = new HostileRecords(20_261_207L, NOW.toEpochMilli());
    Map<String, Long> reasons = new TreeMap<>();
    long accepted = 0;
    for (int i = 0; i < CASES; i++) {
      HostileRecord r = fuzz.next();
      if (check(r, reasons)) {
        accepted++;
      }
    }
    System.out.printf("%,d cases: %,d accepted; reasons %s%n", CASES, accepted, reasons);
    assertThat(accepted)
        .as("a good share is accepted, so the valid paths are exercised too")
        .isBetween(CASES / 5L, CASES * 3L / 5);
    assertThat(reasons).containsKeys("ts_before_oldest", "invalid_text:extra", "malformed_json");
  }

  @Test
  void everyCaseOfTheCorpusStillHoldsTheRules() {
    List<HostileRecord> corpus =
        FuzzCorpus.read(Path.of("..", "contract", "fuzz-corpus", "corpus.jsonl"));
    assertThat(corpus).hasSizeGreaterThan(40);
    Map<String, Long> reasons = new TreeMap<>();
    for (HostileRecord r : corpus) {
      check(r, reasons);
    }
  }

  /** One record through the check; asserts its invariants and returns whether it was accepted. */
  private static boolean check(HostileRecord r, Map<String, Long> reasons) {
    // As Bronze stores a record: the value as text (U+FFFD for bytes that are not UTF-8) and the
    // exact bytes beside it when they are not UTF-8.
    byte[] value = r.value();
    byte[] raw = null;
    if (value != null && !r.valueIsUtf8()) {
      raw = value;
      value = new String(value, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    }
    String topic = r.topic() == HostileRecord.Topic.EVENTS ? "events" : "products";
    Row row = CHECK.call(topic, value, raw, r.schemaVersion(), Timestamp.from(NOW));
    String kind = row.getString(0);
    @SuppressWarnings("unchecked")
    List<String> why = (List<String>) row.get(3);
    String what = r.label() + ": " + FuzzCorpus.line(r);
    for (String reason : why) {
      assertThat(reason).as(what).matches(REASON);
      reasons.merge(reason, 1L, Long::sum);
    }
    if (r.contract() == HostileRecord.Contract.VALID) {
      // The contract takes any four-digit year; the oldest accepted time is a deployment's bound.
      assertThat(why)
          .as("the contract calls it valid: " + what)
          .isSubsetOf("ts_before_oldest", "updated_at_before_oldest");
    }
    switch (kind) {
      case SilverTransforms.KIND_BAD -> assertThat(why).as(what).isNotEmpty();
      case SilverTransforms.KIND_EVENT -> {
        Row e = row.getStruct(1);
        assertTime(e.getTimestamp(8), what);
        assertMoney(e.getDecimal(4), what);
        assertThat(e.getInt(6)).as(what).isBetween(0, 1000);
        for (int f : new int[] {0, 1, 2, 3, 5, 7, 9}) {
          assertThat(Fields.representable(e.getString(f))).as(what).isTrue();
        }
        assertExtra(e.getString(11), what);
      }
      case SilverTransforms.KIND_PRODUCT -> {
        Row p = row.getStruct(2);
        assertTime(p.getTimestamp(6), what);
        assertMoney(p.getDecimal(4), what);
        assertExtra(p.getString(7), what);
      }
      default -> throw new AssertionError("kind " + kind + " for " + what);
    }
    return !kind.equals(SilverTransforms.KIND_BAD);
  }

  private static void assertTime(Timestamp ts, String what) {
    Instant t = ts.toInstant();
    assertThat(t).as(what).isBetween(LIMITS.oldest(), NOW.plus(LIMITS.maxFuture()));
    assertThat(t.getNano() % 1_000).as("whole microseconds: " + what).isZero();
  }

  private static void assertMoney(BigDecimal price, String what) {
    assertThat(price.scale()).as(what).isEqualTo(2);
    assertThat(price.signum()).as(what).isNotNegative();
    assertThat(price.precision()).as("fits decimal(12,2): " + what).isLessThanOrEqualTo(12);
  }

  /** Null, or a JSON object's text whose strings PostgreSQL's jsonb can hold. */
  private static void assertExtra(String extra, String what) {
    if (extra == null) {
      return;
    }
    JsonNode node;
    try {
      node = JSON.readTree(extra);
    } catch (java.io.IOException e) {
      throw new AssertionError("extra is not JSON: " + extra + " for " + what, e);
    }
    assertThat(node.isObject()).as(what).isTrue();
    assertThat(extra).as(what).doesNotContain("\\u0000");
  }
}
