package io.runnel.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Hostile and odd records of the seeded generator of io.runnel.common.fuzz (200,000 by default;
 * {@code -Drunnel.fuzz.cases=N} and {@code -Drunnel.fuzz.seed=S} for a longer or another run), then
 * every case of the committed corpus, through the check Spark runs on each Bronze row: none may
 * throw, every reason is a documented one, every accepted value is one that Spark, PostgreSQL and
 * Trino hold exactly, and every record the contract calls valid is accepted.
 */
class SilverRulesFuzzTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final SilverRules.Limits LIMITS =
      new SilverRules.Limits(
          16_384, Duration.ofMinutes(5), Duration.ofMinutes(15), SilverRules.DEFAULT_OLDEST);
  private static final SilverTransforms.Check CHECK =
      new SilverTransforms.Check(new SilverRules(LIMITS), Set.of("events"), Set.of("products"));

  /**
   * 200,000 in the unit tests: a million took 56 s of a CI run on a 2-core machine, and the
   * generator's kinds of damage all show within the first few thousand records.
   */
  private static final int CASES = Integer.getInteger("runnel.fuzz.cases", 200_000);

  private static final long SEED = Long.getLong("runnel.fuzz.seed", 20_261_207L);

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
  void hostileRecordsAreEachAcceptedExactlyOrQuarantinedWithDocumentedReasons() {
    HostileRecords fuzz = new HostileRecords(SEED, NOW.toEpochMilli());
    Map<String, Long> reasons = new TreeMap<>();
    long accepted = 0;
    for (int i = 0; i < CASES; i++) {
      HostileRecord r = fuzz.next();
      if (check(r, reasons)) {
        accepted++;
      }
    }
    System.out.printf(
        "%,d cases (seed %d): %,d accepted; reasons %s%n", CASES, SEED, accepted, reasons);
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
    for (String reason : why) {
      reasons.merge(reason, 1L, Long::sum);
    }
    // Plain checks, a message only on failure: a million records go through here.
    String problem = problem(r, kind, why, row);
    if (problem != null) {
      throw new AssertionError(problem + "; reasons " + why + " for " + FuzzCorpus.line(r));
    }
    return !kind.equals(SilverTransforms.KIND_BAD);
  }

  /** What is wrong with the check's result for {@code r}, or null. */
  private static String problem(HostileRecord r, String kind, List<String> why, Row row) {
    for (String reason : why) {
      if (!REASON.matcher(reason).matches()) {
        return "an undocumented reason " + reason;
      }
    }
    // The contract takes any four-digit year; the oldest accepted time is a deployment's bound.
    if (r.contract() == HostileRecord.Contract.VALID && !WINDOW.containsAll(why)) {
      return "the contract calls it valid, Silver does not";
    }
    return switch (kind) {
      case SilverTransforms.KIND_BAD -> why.isEmpty() ? "bad without a reason" : null;
      case SilverTransforms.KIND_EVENT -> {
        Row e = row.getStruct(1);
        String p = firstOf(time(e.getTimestamp(8)), money(e.getDecimal(4)), extra(e.getString(11)));
        if (p == null && (e.getInt(6) < 0 || e.getInt(6) > 1000)) {
          p = "quantity " + e.getInt(6);
        }
        for (int f : new int[] {0, 1, 2, 3, 5, 7, 9}) {
          if (p == null && !Fields.representable(e.getString(f))) {
            p = "text PostgreSQL cannot hold in field " + f;
          }
        }
        yield p;
      }
      case SilverTransforms.KIND_PRODUCT -> {
        Row p = row.getStruct(2);
        yield firstOf(time(p.getTimestamp(6)), money(p.getDecimal(4)), extra(p.getString(7)));
      }
      default -> "kind " + kind;
    };
  }

  private static final Set<String> WINDOW = Set.of("ts_before_oldest", "updated_at_before_oldest");

  private static String firstOf(String... problems) {
    for (String p : problems) {
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private static String time(Timestamp ts) {
    Instant t = ts.toInstant();
    if (t.isBefore(LIMITS.oldest()) || t.isAfter(NOW.plus(LIMITS.maxFuture()))) {
      return "a time outside the window: " + t;
    }
    return t.getNano() % 1_000 == 0 ? null : "a time finer than a microsecond: " + t;
  }

  private static String money(BigDecimal price) {
    return price.scale() == 2 && price.signum() >= 0 && price.precision() <= 12
        ? null
        : "not decimal(12,2), or negative: " + price;
  }

  /** Null, or a JSON object's text whose strings PostgreSQL's jsonb can hold. */
  private static String extra(String extra) {
    if (extra == null) {
      return null;
    }
    try {
      return JSON.readTree(extra).isObject() && !extra.contains("\\u0000")
          ? null
          : "extra that jsonb cannot hold: " + extra;
    } catch (java.io.IOException e) {
      return "extra is not JSON: " + extra;
    }
  }
}
