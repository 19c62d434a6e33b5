package io.runnel.common.fuzz;

import static io.runnel.common.fuzz.Doc.str;
import static io.runnel.common.fuzz.HostileRecord.Contract.INVALID;
import static io.runnel.common.fuzz.HostileRecord.Contract.UNCLEAR;
import static io.runnel.common.fuzz.HostileRecord.Contract.VALID;
import static io.runnel.common.fuzz.HostileRecord.Topic.EVENTS;
import static io.runnel.common.fuzz.HostileRecord.Topic.PRODUCTS;
import static io.runnel.common.fuzz.HostileRecords.utf8;

import io.runnel.common.ContractFields;
import io.runnel.common.fuzz.HostileRecord.Contract;
import io.runnel.common.fuzz.HostileRecord.Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The case table of {@link HostileRecords}: each case a label, a weight (its share of the records
 * drawn) and how to make its record. Families (the label up to the first dot) share a weight
 * equally among their cases. Most cases take a valid event and change one thing; field edits are
 * data ({@link Edit}), so {@code mixed.several} can combine them.
 */
final class Cases {
  interface Maker {
    HostileRecord make(HostileRecords g, String label, long now);
  }

  record Case(String label, double weight, Maker maker) {}

  /**
   * One field of a valid event set to raw JSON text, or removed.
   *
   * @param raw the value as JSON text, or null to remove the field
   * @param contract what the contract says of the event after the edit
   */
  record Edit(String field, String raw, Contract contract) {}

  static final List<String> STRING_FIELDS =
      List.of(
          "event_id",
          "event_type",
          "user_id",
          "product_id",
          "currency",
          "session_id",
          "ts",
          "user_agent");
  static final List<String> REQUIRED = ContractFields.EVENT;
  static final List<String> PRODUCT_REQUIRED = ContractFields.PRODUCT_REQUIRED;

  private static final List<String> IDS = List.of("user_id", "product_id", "session_id");
  private static final List<String> TEXTS =
      List.of("user_id", "product_id", "session_id", "user_agent");

  private static final List<Case> ALL = new ArrayList<>();

  /** Every field edit of the families that {@code mixed.several} combines. */
  private static final List<Edit> MIXABLE = new ArrayList<>();

  static final List<String> LABELS;
  private static final double[] CUMULATIVE;

  static {
    events();
    products();
    garbage();
    LABELS = ALL.stream().map(Case::label).toList();
    if (LABELS.stream().distinct().count() != LABELS.size()) {
      throw new IllegalStateException("two cases share a label");
    }
    CUMULATIVE = new double[ALL.size()];
    double sum = 0;
    for (int i = 0; i < ALL.size(); i++) {
      sum += ALL.get(i).weight();
      CUMULATIVE[i] = sum;
    }
    for (int i = 0; i < CUMULATIVE.length; i++) {
      CUMULATIVE[i] /= sum;
    }
  }

  private Cases() {}

  /** The case at {@code u} (uniform in [0, 1)) of the weighted table. */
  static Case pick(double u) {
    int i = Arrays.binarySearch(CUMULATIVE, u);
    i = i >= 0 ? i + 1 : -i - 1;
    return ALL.get(Math.min(i, ALL.size() - 1));
  }

  /** The share of records each label gets. */
  static Map<String, Double> shares() {
    Map<String, Double> shares = new LinkedHashMap<>();
    double total = ALL.stream().mapToDouble(Case::weight).sum();
    ALL.forEach(c -> shares.put(c.label(), c.weight() / total));
    return Collections.unmodifiableMap(shares);
  }

  // ---------------------------------------------------------------- events

  private static void events() {
    new Family("valid", 5)
        .make("event", (g, label, now) -> g.record(label, VALID, EVENTS, g.event(now)))
        .done();
    relations();
    extras();
    headersAndKeys();
    times();
    numbers();
    types();
    strings();
    unicode();
    utf8Bytes();
    json();
    sizes();
    new Family("mixed", 3)
        .make(
            "several",
            (g, label, now) -> {
              // Two to four edits of different fields: the worst says what the contract says.
              Doc d = g.event(now);
              Contract contract = VALID;
              List<String> edited = new ArrayList<>(4);
              int n = g.draw().between(2, 4);
              while (edited.size() < n) {
                Edit e = g.draw().pick(MIXABLE);
                if (!edited.contains(e.field())) {
                  edited.add(e.field());
                  apply(d, e);
                  contract = contract.and(e.contract());
                }
              }
              return g.record(label, contract, EVENTS, d);
            })
        .done();
  }

  /** Valid events that relate oddly to others: sessions, the catalog, duplicates. */
  private static void relations() {
    new Family("session", 1.2)
        .make(
            "other-user",
            (g, label, now) -> {
              // An open session's id with another user: one session, two users.
              Doc d = g.event(now);
              String other = "user_" + (5_001 + g.draw().below(5_000));
              d.put("user_id", str(other));
              d.key = other;
              return g.record(label, VALID, EVENTS, d);
            })
        .done();
    new Family("catalog", 1.3)
        .make(
            "unknown-product",
            (g, label, now) -> {
              Doc d = g.event(now);
              String[] ids = {
                "product_0",
                "product_" + (HostileRecords.SHIPPED_PRODUCTS + 1),
                "product_" + (1_000 + g.draw().below(1_000_000)),
                "PRODUCT_1",
                "product_01",
                " product_1",
                "sku-" + g.uuid4()
              };
              d.put("product_id", str(g.draw().pick(ids)));
              if (g.draw().chance(0.5)) {
                d.put("event_type", str("purchase"));
                d.put("quantity", "" + g.draw().between(1, 3));
              }
              return g.record(label, VALID, EVENTS, d);
            })
        .done();
    new Family("dup", 2.2)
        .make(
            "exact",
            (g, label, now) -> {
              // A recent valid event again, byte for byte: what a producer retry looks like.
              int slot = g.recentEventSlot();
              if (slot < 0) {
                return g.record("valid.event", VALID, EVENTS, g.event(now));
              }
              HostileRecord r = g.recentEvent(slot);
              return new HostileRecord(label, EVENTS, VALID, r.key(), r.value(), r.headers());
            })
        .make(
            "same-id-other-content",
            (g, label, now) -> {
              // A recent event's id on another event: which one wins is Silver's to decide.
              int slot = g.recentEventSlot();
              Doc d = g.event(now);
              if (slot < 0) {
                return g.record("valid.event", VALID, EVENTS, d);
              }
              d.put("event_id", g.recentEventId(slot));
              return g.record(label, VALID, EVENTS, d);
            })
        .done();
  }

  /** Fields outside the contract, which it allows (additionalProperties). */
  private static void extras() {
    new Family("extra", 2.5)
        .extra("flat", VALID, "\"coupon\":\"SPRING10\",\"discount\":0.1,\"is_mobile\":true")
        .extra(
            "nested",
            VALID,
            "\"context\":{\"page\":{\"url\":\"https://shop.example/p/1?q=a&b=%20\",\"referrer\":null},"
                + "\"ab\":[1,\"b\",{\"c\":[]},[]],\"geo\":{}}")
        .extra(
            "contract-names-other-case",
            VALID,
            "\"Price\":-1,\"USER_ID\":\"someone-else\",\"Event_Type\":\"wishlist\"")
        .extra(
            "pipeline-column-names",
            VALID,
            "\"kafka_offset\":-1,\"ingested_at\":\"never\",\"schema_version\":\"2\","
                + "\"_corrupt_record\":\"x\",\"reasons\":[\"none\"],\"is_late\":true,\"extra\":{}")
        .extra("empty-name", VALID, "\"\":\"\"")
        .extra("long-name", VALID, str("n".repeat(2_000)) + ":1")
        .extra("unicode-names", VALID, "\"ключ\":\"значение\",\"🔑\":1,\"\u202eeman\":2")
        .extra("odd-names", VALID, "\"a.b\":1,\"$ref\":\"#\",\"a b\":2,\"a\\\"b\":3,\"0\":4")
        .extra("null", VALID, "\"note\":null")
        .extra(
            "numbers",
            VALID,
            "\"big\":1e400,\"tiny\":1e-400,\"neg_zero\":-0,\"long\":123456789012345678901234567890")
        .extra("nul-in-name", UNCLEAR, "\"a\\u0000b\":1")
        .extra("nul-in-value", UNCLEAR, "\"note\":\"a\\u0000b\"")
        .make(
            "many",
            (g, label, now) -> {
              Doc d = g.event(now);
              int n = g.draw().between(50, 300);
              for (int i = 0; i < n; i++) {
                d.addRaw(str("x" + i), i % 3 == 0 ? "null" : "" + i);
              }
              return g.record(label, VALID, EVENTS, d);
            })
        .done();
  }

  private static void headersAndKeys() {
    new Family("header", 3)
        .headers("none", VALID)
        .headers("version-missing", VALID, Header.of(HostileRecord.SCHEMA_HEADER, "event"))
        .headers("version-2", INVALID, schema(), version("2"))
        .headers("version-0", INVALID, schema(), version("0"))
        .headers("version-padded", UNCLEAR, schema(), version(" 1"))
        .headers("version-leading-zero", UNCLEAR, schema(), version("01"))
        .headers("version-decimal", UNCLEAR, schema(), version("1.0"))
        .headers("version-empty", UNCLEAR, schema(), version(""))
        .headers("version-fullwidth", UNCLEAR, schema(), version("１"))
        .headers(
            "version-invalid-utf8",
            UNCLEAR,
            schema(),
            new Header(HostileRecord.VERSION_HEADER, new byte[] {(byte) 0xC3, 0x28}))
        .headers("version-null", UNCLEAR, schema(), new Header(HostileRecord.VERSION_HEADER, null))
        .headers("version-repeated", VALID, schema(), version("1"), version("1"))
        .headers("version-2-then-1", UNCLEAR, schema(), version("2"), version("1"))
        .headers("version-1-then-2", UNCLEAR, schema(), version("1"), version("2"))
        .headers(
            "schema-product",
            UNCLEAR,
            Header.of(HostileRecord.SCHEMA_HEADER, "product"),
            version("1"))
        .headers(
            "extra",
            VALID,
            schema(),
            version("1"),
            Header.of("", "empty name"),
            Header.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            new Header("binary", new byte[] {0, (byte) 0xFF, (byte) 0xC0, (byte) 0x80}),
            new Header("no-value", null),
            Header.of("ключ-🔑", "значение"),
            Header.of("h".repeat(1_000), "long name"))
        .make(
            "large-value",
            (g, label, now) -> {
              Doc d = g.event(now);
              List<Header> headers =
                  List.of(schema(), version("1"), Header.of("blob", g.noise(64 * 1024)));
              return g.record(label, VALID, EVENTS, d, d.bytes(), headers);
            })
        .done();
    new Family("key", 1.5)
        .key("null", g -> null)
        .key("empty", g -> new byte[0])
        .key("other-user", g -> utf8("user_" + g.draw().below(100)))
        .key("invalid-utf8", g -> new byte[] {'u', (byte) 0xC3, 0x28, (byte) 0xFF, 0})
        .key("long", g -> utf8(g.noise(16 * 1024)))
        .key("binary", g -> g.draw().bytes(g.draw().between(1, 64)))
        .done();
    new Family("value", 0.9)
        .make(
            "tombstone",
            (g, label, now) ->
                g.record(label, INVALID, EVENTS, g.event(now), null, EVENTS.headers()))
        .make(
            "empty",
            (g, label, now) ->
                g.record(label, INVALID, EVENTS, g.event(now), new byte[0], EVENTS.headers()))
        .make(
            "whitespace",
            (g, label, now) ->
                g.record(label, INVALID, EVENTS, g.event(now), utf8(" \r\n\t "), EVENTS.headers()))
        .done();
  }

  private static Header schema() {
    return Header.of(HostileRecord.SCHEMA_HEADER, "event");
  }

  private static Header version(String v) {
    return Header.of(HostileRecord.VERSION_HEADER, v);
  }

  private static void times() {
    new Family("time", 8)
        .time("year-minus-300000", INVALID, "-300000-01-01T00:00:00Z")
        .time("year-plus-10000", INVALID, "+10000-01-01T00:00:00Z")
        .time("year-10000-unsigned", INVALID, "10000-01-01T00:00:00Z")
        .time("year-plus-275760", INVALID, "+275760-09-13T00:00:00Z")
        .time("year-minus-1", INVALID, "-0001-01-01T00:00:00Z")
        .time("year-0000", UNCLEAR, "0000-01-01T00:00:00Z")
        .time("year-0001", UNCLEAR, "0001-01-01T00:00:00Z")
        .time("year-1582-calendar-switch", UNCLEAR, "1582-10-10T12:00:00Z")
        .time("year-9999", UNCLEAR, "9999-12-31T23:59:59.999Z")
        .time("year-1900", VALID, "1900-01-01T00:00:00Z")
        .time("before-epoch", VALID, "1969-12-31T23:59:59.999Z")
        .time("epoch", VALID, "1970-01-01T00:00:00Z")
        .time("y2038", UNCLEAR, "2038-01-19T03:14:08Z")
        .time("leap-day", VALID, "2024-02-29T12:00:00Z")
        .make("nanoseconds", (g, label, now) -> recent(g, label, now, 9))
        .make("microseconds", (g, label, now) -> recent(g, label, now, 6))
        .make("no-fraction", (g, label, now) -> recent(g, label, now, 0))
        .time("leap-second", UNCLEAR, "2016-12-31T23:59:60Z")
        .time("offset-plus-14", UNCLEAR, "2026-01-01T12:00:00+14:00")
        .time("offset-minus-12", UNCLEAR, "2026-01-01T12:00:00-12:00")
        .time("offset-plus-23-59", UNCLEAR, "2026-01-01T12:00:00+23:59")
        .time("offset-zero", UNCLEAR, "2026-01-01T12:00:00+00:00")
        .time("offset-minus-zero", UNCLEAR, "2026-01-01T12:00:00-00:00")
        .time("offset-seconds", UNCLEAR, "2026-01-01T12:00:00+01:00:30")
        .time("offset-24", INVALID, "2026-01-01T12:00:00+24:00")
        .time("no-zone", INVALID, "2026-01-01T12:00:00")
        .time("date-only", INVALID, "2026-01-01")
        .time("lower-case", UNCLEAR, "2026-01-01t12:00:00z")
        .time("space-separator", UNCLEAR, "2026-01-01 12:00:00Z")
        .time("month-13", INVALID, "2026-13-01T00:00:00Z")
        .time("month-00", INVALID, "2026-00-10T00:00:00Z")
        .time("day-32", INVALID, "2026-01-32T00:00:00Z")
        .time("feb-30", INVALID, "2026-02-30T00:00:00Z")
        .time("feb-29-no-leap-year", INVALID, "2026-02-29T00:00:00Z")
        .time("hour-24", INVALID, "2026-01-01T24:00:00Z")
        .time("minute-60", INVALID, "2026-01-01T12:60:00Z")
        .time("second-61", INVALID, "2026-01-01T12:00:61Z")
        .time("fraction-10-digits", INVALID, "2026-01-01T12:00:00.1234567890Z")
        .time("fraction-empty", INVALID, "2026-01-01T12:00:00.Z")
        .time("no-seconds", INVALID, "2026-01-01T12:00Z")
        .time("basic-format", INVALID, "20260101T120000Z")
        .time("week-date", INVALID, "2026-W01-1T12:00:00Z")
        .time("ordinal-date", INVALID, "2026-001T12:00:00Z")
        .time("epoch-millis-text", INVALID, "1767225600000")
        .time("empty", INVALID, "")
        .time("arabic-digits", INVALID, "٢٠٢٦-٠١-٠١T12:00:00Z")
        .time("fullwidth-digits", INVALID, "２０２６-01-01T12:00:00Z")
        .time("trailing-space", INVALID, "2026-01-01T12:00:00Z ")
        .time("zone-id", INVALID, "2026-01-01T12:00:00Z[Europe/Paris]")
        .time("utc-word", INVALID, "2026-01-01T12:00:00 UTC")
        .edit("nul-suffix", INVALID, "ts", "\"2026-01-01T12:00:00Z\\u0000\"")
        .make("late-hours", relative(-72 * 3_600_000L, -3_600_000L, VALID))
        .make("near-future", relative(60_000L, 2 * 86_400_000L, UNCLEAR))
        .make("far-future", relative(365 * 86_400_000L, 50 * 365 * 86_400_000L, UNCLEAR))
        .done();
  }

  /** A valid event whose ts, a few seconds before now, has this many fractional digits. */
  private static HostileRecord recent(HostileRecords g, String label, long now, int digits) {
    Doc d = g.event(now);
    long second = Math.floorDiv(now - g.draw().below(30_000), 1000) * 1000;
    String whole = HostileRecords.iso(second);
    String fraction =
        digits == 0
            ? ""
            : "." + ("" + (1_000_000_000L + g.draw().below(1_000_000_000))).substring(10 - digits);
    d.put("ts", str(whole.substring(0, whole.length() - 1) + fraction + "Z"));
    // The contract stops at microseconds: no store on the way holds a finer time.
    return g.record(label, digits > 6 ? INVALID : VALID, EVENTS, d);
  }

  /** A ts between {@code from} and {@code to} milliseconds after now. */
  private static Maker relative(long from, long to, Contract contract) {
    return (g, label, now) -> {
      Doc d = g.event(now);
      long offset = from + (long) (g.draw().unit() * (to - from));
      d.put("ts", str(HostileRecords.iso(now + offset)));
      return g.record(label, contract, EVENTS, d);
    };
  }

  private static void numbers() {
    new Family("number", 6)
        .edit("price-exponent", VALID, "price", "2.5E+2")
        .edit("price-exponent-lower", VALID, "price", "1e2")
        .edit("price-exponent-negative", VALID, "price", "1999E-2")
        .edit("price-minus-zero", VALID, "price", "-0", "-0.0")
        .edit("price-integral-float", VALID, "price", "3.0")
        .edit("price-integer", VALID, "price", "20")
        .edit("price-zero", VALID, "price", "0", "0.00")
        .edit("price-max-money", VALID, "price", "9999999999.99")
        .edit("price-trailing-zeros", UNCLEAR, "price", "19.990000")
        .edit("price-above-max-money", UNCLEAR, "price", "10000000000.00")
        .edit("price-past-long", UNCLEAR, "price", "92233720368547758080")
        .edit("price-huge", UNCLEAR, "price", "1e400", "1.7976931348623157E308")
        .edit("price-1000-digits", UNCLEAR, "price", "1" + "0".repeat(999))
        .edit("price-tiny", INVALID, "price", "1e-400", "4.9E-324")
        .edit("price-many-decimals", INVALID, "price", "19.99999999999999999999")
        .edit("price-3-decimals", INVALID, "price", "19.999", "0.001")
        .edit("price-negative", INVALID, "price", "-0.01", "-1e400")
        .edit("price-leading-zero", INVALID, "price", "019.99")
        .edit("price-plus-sign", INVALID, "price", "+19.99")
        .edit("price-leading-dot", INVALID, "price", ".99")
        .edit("price-trailing-dot", INVALID, "price", "19.")
        .edit("price-hex", INVALID, "price", "0x10")
        .edit("price-nan", INVALID, "price", "NaN")
        .edit("price-infinity", INVALID, "price", "Infinity", "-Infinity", "+Infinity")
        .edit("quantity-max", VALID, "quantity", "1000")
        .edit("quantity-1001", INVALID, "quantity", "1001")
        .edit("quantity-zero", INVALID, "quantity", "0", "-0")
        .edit("quantity-negative", INVALID, "quantity", "-1")
        .edit("quantity-past-int", INVALID, "quantity", "2147483648", "-2147483649")
        .edit("quantity-past-long", INVALID, "quantity", "9223372036854775808")
        .edit("quantity-integral-float", UNCLEAR, "quantity", "1.0", "1e0", "2.0E0")
        .edit("quantity-fraction", INVALID, "quantity", "1.5")
        .done();
  }

  private static void types() {
    Family f = new Family("type", 4);
    for (String field : STRING_FIELDS) {
      f.edit(
          field, INVALID, field, "42", "-1.5", "true", "false", "[]", "[\"x\"]", "{}", "{\"v\":1}");
    }
    f.edit("price", INVALID, "price", "\"19.99\"", "\"\"", "true", "[19.99]", "{\"amount\":19.99}");
    f.edit("quantity", INVALID, "quantity", "\"1\"", "true", "[1]", "{}");
    f.edit("ts-epoch-millis", INVALID, "ts", "1767225600000", "1767225600");
    f.done();
    Family missing = new Family("missing", 3.5);
    for (String field : REQUIRED) {
      missing.edit(field, INVALID, field, (String) null);
      missing.edit(field + "-null", INVALID, field, "null");
    }
    missing.done();
  }

  private static void strings() {
    Family f = new Family("string", 3.5);
    f.edit(
        "empty",
        INVALID,
        List.of("event_id", "event_type", "user_id", "product_id", "currency", "session_id", "ts"),
        "\"\"");
    f.edit("empty-user-agent", VALID, "user_agent", "\"\"");
    f.edit("blank-id", UNCLEAR, IDS, "\"   \"", "\"\\t\"", "\"\u00a0\"", "\"\u3000\"");
    f.edit("padded-id", VALID, IDS, str(" user_7 "), str("user_7\n"));
    f.edit("id-127", VALID, IDS, str("u".repeat(127)));
    f.edit("id-128", VALID, IDS, str("u".repeat(128)));
    f.edit("id-129", INVALID, IDS, str("u".repeat(129)));
    f.edit("id-10000", INVALID, IDS, str("u".repeat(10_000)));
    f.edit("id-64-emoji", VALID, IDS, str("🛒".repeat(64)));
    f.edit("id-128-emoji", UNCLEAR, IDS, str("🛒".repeat(128)));
    f.edit("id-129-emoji", INVALID, IDS, str("🛒".repeat(129)));
    f.edit("user-agent-1023", VALID, "user_agent", str("a".repeat(1023)));
    f.edit("user-agent-1024", VALID, "user_agent", str("a".repeat(1024)));
    f.edit("user-agent-1025", INVALID, "user_agent", str("a".repeat(1025)));
    f.edit("user-agent-64k", INVALID, "user_agent", str("a".repeat(64 * 1024)));
    f.edit("user-agent-1024-combining", VALID, "user_agent", str("e" + "\u0301".repeat(1023)));
    f.edit("event-id-upper-case", UNCLEAR, "event_id", str("01936B2E-7C3A-7D4E-8F10-0123456789AB"));
    f.edit("event-id-v4", UNCLEAR, "event_id", str("5f0c9a1e-2b3c-4d5e-8f70-8192a3b4c5d6"));
    f.edit("event-id-nil", INVALID, "event_id", str("00000000-0000-0000-0000-000000000000"));
    f.edit("event-id-max", INVALID, "event_id", str("ffffffff-ffff-ffff-ffff-ffffffffffff"));
    f.edit("event-id-braces", INVALID, "event_id", str("{01936b2e-7c3a-7d4e-8f10-0123456789ab}"));
    f.edit("event-id-no-dashes", INVALID, "event_id", str("01936b2e7c3a7d4e8f100123456789ab"));
    f.edit("event-id-text", INVALID, "event_id", str("not-a-uuid"), str("0000"));
    f.edit("event-type-upper-case", INVALID, "event_type", str("VIEW"), str("Purchase"));
    f.edit("event-type-padded", INVALID, "event_type", str("view "), str(" click"));
    f.edit("event-type-unknown", INVALID, "event_type", str("wishlist"), str("checkout_started"));
    f.edit("currency-lower-case", INVALID, "currency", str("eur"));
    f.edit("currency-not-iso", INVALID, "currency", str("ABC"), str("EUX"));
    f.edit("currency-special-code", UNCLEAR, "currency", str("XXX"), str("XTS"), str("XAU"));
    f.edit("currency-withdrawn", UNCLEAR, "currency", str("DEM"), str("FRF"));
    f.edit("currency-long", INVALID, "currency", str("EURO"));
    f.edit("currency-symbol", INVALID, "currency", str("€"), str("$"));
    f.done();
  }

  private static void unicode() {
    new Family("unicode", 3)
        .edit("nul-escaped", UNCLEAR, TEXTS, "\"user\\u0000_1\"")
        .edit("lone-high-surrogate", UNCLEAR, TEXTS, "\"user_\\ud800\"")
        .edit("lone-low-surrogate", UNCLEAR, TEXTS, "\"user_\\udfff\"")
        .edit("reversed-surrogates", UNCLEAR, TEXTS, "\"\\udc00\\ud800\"")
        .edit("escaped-pair", VALID, TEXTS, "\"\\ud83d\\uded2 cart\"")
        .edit("escaped-ascii", VALID, TEXTS, "\"\\u0075ser_1\"")
        .edit("escaped-controls", VALID, TEXTS, "\"a\\u0001b\\u001fc\\u007f\\b\\f\"")
        .edit("right-to-left", VALID, TEXTS, str("\u202euser_1\u200f"), str("מזהה_משתמש"))
        .edit("bidi-isolates", VALID, TEXTS, str("\u2067abc\u2069\u2066"))
        .edit("emoji", VALID, TEXTS, str("🛒👩‍👩‍👧‍👦🏳️‍🌈"))
        .edit("combining", VALID, TEXTS, str("Z" + "\u0336\u0301\u0300".repeat(20)))
        .edit("zero-width", VALID, TEXTS, str("user\u200b\u200c\u200d\ufeff_1"))
        .edit("line-separators", VALID, TEXTS, str("a\u2028b\u2029c\u0085d"))
        .edit("noncharacters", VALID, TEXTS, str("\ufffe\uffff\ufdd0"))
        .edit("replacement-character", VALID, TEXTS, str("\ufffd\ufffd"))
        .edit("max-code-point", VALID, TEXTS, str(new String(Character.toChars(0x10FFFF))))
        .edit("cjk", VALID, TEXTS, str("用户_一"))
        .edit("homoglyph", VALID, TEXTS, str("usеr_1"))
        .edit("sql-quotes", VALID, TEXTS, str("x'); DROP TABLE events;--"))
        .edit("csv-breakers", VALID, TEXTS, str("a,b;c\n\"d\"\r\n\\."))
        .edit("html", VALID, TEXTS, str("<script>alert(1)</script>&amp;"))
        .edit("format-strings", VALID, TEXTS, str("%s%n{0}${jndi:ldap://x/a}"))
        .edit("backslashes", VALID, TEXTS, str("C:\\temp\\x\\"))
        .done();
  }

  /** Bytes that are not UTF-8 (or are, but overlong), inside a string value or a name. */
  private static void utf8Bytes() {
    Family f = new Family("utf8", 2);
    Object[][] bytes = {
      {"bad-continuation", new int[] {0xC3, 0x28}},
      {"lone-continuation", new int[] {0x80}},
      {"ff-fe", new int[] {0xFF, 0xFE}},
      {"overlong-nul", new int[] {0xC0, 0x80}},
      {"overlong-slash", new int[] {0xE0, 0x80, 0xAF}},
      {"overlong-4-byte", new int[] {0xF0, 0x80, 0x80, 0xAF}},
      {"surrogate", new int[] {0xED, 0xA0, 0x80}},
      {"above-u10ffff", new int[] {0xF4, 0x90, 0x80, 0x80}},
      {"truncated-sequence", new int[] {0xE2, 0x82}},
      {"latin-1", new int[] {0xE9}},
    };
    for (Object[] b : bytes) {
      byte[] raw = toBytes((int[]) b[1]);
      f.make(
          (String) b[0],
          (g, label, now) -> {
            Doc d = g.event(now);
            d.put(g.draw().pick(TEXTS), str("x" + HostileRecords.RAW + "y"));
            return g.record(
                label, INVALID, EVENTS, d, HostileRecords.splice(d.json(), raw), EVENTS.headers());
          });
    }
    f.make(
        "in-name",
        (g, label, now) -> {
          Doc d = g.event(now);
          d.addRaw(str("k" + HostileRecords.RAW), "1");
          return g.record(
              label,
              INVALID,
              EVENTS,
              d,
              HostileRecords.splice(d.json(), new byte[] {(byte) 0xC3, 0x28}),
              EVENTS.headers());
        });
    f.done();
  }

  private static byte[] toBytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** JSON grammar edges. */
  private static void json() {
    new Family("json", 6)
        .bytes(
            "truncated",
            INVALID,
            (g, d) -> {
              byte[] full = d.bytes();
              return Arrays.copyOf(full, 1 + g.draw().below(full.length - 1));
            })
        .text(
            "trailing-garbage",
            INVALID,
            (g, d) ->
                d.json()
                    + g.draw()
                        .pick(new String[] {" x", "}", ",", "]", "{\"a\":1}", "null", "\u0000"}))
        .text(
            "two-objects",
            INVALID,
            (g, d) -> d.json() + g.draw().pick(new String[] {"", "\n", " "}) + d.json())
        .text(
            "trailing-white-space",
            VALID,
            (g, d) -> d.json() + g.draw().pick(new String[] {"\n", "\r\n", " \t "}))
        .text("leading-white-space", VALID, (g, d) -> "\n\t " + d.json())
        .text("pretty", VALID, (g, d) -> d.json("\r\n\t", " : ", " ,"))
        .bytes(
            "byte-order-mark",
            UNCLEAR,
            (g, d) -> {
              byte[] json = d.bytes();
              byte[] out = new byte[json.length + 3];
              out[0] = (byte) 0xEF;
              out[1] = (byte) 0xBB;
              out[2] = (byte) 0xBF;
              System.arraycopy(json, 0, out, 3, json.length);
              return out;
            })
        .text("block-comment", INVALID, (g, d) -> "{/* note */" + d.json().substring(1))
        .text("line-comment", INVALID, (g, d) -> "{// note\n" + d.json().substring(1))
        .text("single-quotes", INVALID, (g, d) -> d.json().replace('"', '\''))
        .text("unquoted-names", INVALID, (g, d) -> d.json().replaceAll("\"([a-z_]+)\":", "$1:"))
        .text("trailing-comma", INVALID, (g, d) -> d.json().replaceFirst("}$", ",}"))
        .text("missing-comma", INVALID, (g, d) -> d.json().replaceFirst(",", " "))
        .text(
            "bad-escape",
            INVALID,
            (g, d) ->
                d.json()
                    .replace(
                        "\"user_agent\":\"",
                        "\"user_agent\":\""
                            + g.draw().pick(new String[] {"\\x41", "\\u12", "\\'", "\\U0041"})))
        .text(
            "raw-nul",
            INVALID,
            (g, d) -> d.json().replace("\"user_agent\":\"", "\"user_agent\":\"\u0000"))
        .text(
            "raw-control",
            INVALID,
            (g, d) ->
                d.json()
                    .replace(
                        "\"user_agent\":\"",
                        "\"user_agent\":\"" + g.draw().pick(new String[] {"\n", "\t", "\u001f"})))
        .text(
            "duplicate-name",
            UNCLEAR,
            (g, d) -> {
              String field = g.draw().pick(REQUIRED);
              String again = g.draw().chance(0.5) ? d.raw(field) : "\"other\"";
              return d.addRaw(str(field), again).json();
            })
        .text(
            "duplicate-nested-name",
            UNCLEAR,
            (g, d) -> d.put("context", "{\"a\":1,\"b\":{\"c\":1,\"c\":2}}").json())
        .text(
            "escaped-names",
            VALID,
            (g, d) ->
                d.json()
                    .replace("\"price\":", "\"\\u0070rice\":")
                    .replace("\"ts\":", "\"\\u0074\\u0073\":"))
        .text("empty-object", INVALID, (g, d) -> "{}")
        .text("empty-array", INVALID, (g, d) -> "[]")
        .text(
            "scalar",
            INVALID,
            (g, d) ->
                g.draw().pick(new String[] {"42", "\"event\"", "true", "null", "1e400", "-0"}))
        .text("array-of-event", INVALID, (g, d) -> "[" + d.json() + "]")
        .text("event-as-string", INVALID, (g, d) -> str(d.json()))
        .text("deep-array", UNCLEAR, (g, d) -> d.put("deep", nest(g, "[", "]")).json())
        .text("deep-object", UNCLEAR, (g, d) -> d.put("deep", nest(g, "{\"a\":", "}")).json())
        .done();
  }

  /** 1,000 to 20,000 levels of nesting: past Jackson's default limit (1,000) and far past. */
  private static String nest(HostileRecords g, String open, String close) {
    int depth = g.draw().pick(new Integer[] {999, 1_000, 1_001, 5_000, 20_000});
    return open.repeat(depth) + "1" + close.repeat(depth);
  }

  /** Large values: around Silver's default payload limit, far above it, near Kafka's limit. */
  private static void sizes() {
    new Family("size", 0)
        .rare("around-silver-limit", 0.25, padded(16_384 - 64, 16_384 + 64))
        .rare("up-to-512k", 0.1, padded(64 * 1024, 512 * 1024))
        .rare("near-kafka-limit", 0.03, padded(800 * 1024, HostileRecords.MAX_VALUE_BYTES))
        .done();
  }

  /** A valid event with a padding field that makes the value {@code min} to {@code max} bytes. */
  private static Maker padded(int min, int max) {
    return (g, label, now) -> {
      Doc d = g.event(now);
      int target = g.draw().between(min, max);
      int base = d.bytes().length + ",\"padding\":\"\"".length();
      // Noise needs no escaping: quoted as it is (escaping 900 KiB costs more than drawing it).
      d.put("padding", '"' + g.noise(Math.max(0, target - base)) + '"');
      return g.record(label, UNCLEAR, EVENTS, d);
    };
  }

  // ---------------------------------------------------------------- products

  private static void products() {
    Family f = new Family("product", 4.5);
    f.rare("valid", 2.5, (g, label, now) -> g.record(label, VALID, PRODUCTS, g.product(now)));
    f.product(
        "new-id",
        VALID,
        (g, d) -> {
          String id =
              g.draw().chance(0.5)
                  ? "product_" + (201 + g.draw().below(100_000))
                  : "sku-" + g.uuid4();
          d.put("product_id", str(id));
          d.key = id;
        });
    f.product(
        "updated-at-9999",
        UNCLEAR,
        (g, d) ->
            d.put(
                "updated_at",
                str(
                    g.draw()
                        .pick(
                            new String[] {
                              "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999999999Z"
                            }))));
    f.product("updated-at-1900", VALID, (g, d) -> d.put("updated_at", str("1900-01-01T00:00:00Z")));
    f.product(
        "updated-at-offset",
        UNCLEAR,
        (g, d) -> d.put("updated_at", str("2026-01-01T12:00:00+14:00")));
    f.product(
        "updated-at-invalid",
        INVALID,
        (g, d) ->
            d.put(
                "updated_at",
                str(
                    g.draw()
                        .pick(
                            new String[] {
                              "2026-13-01T00:00:00Z",
                              "-300000-01-01T00:00:00Z",
                              "2026-01-01T12:00:00",
                              "",
                              "yesterday"
                            }))));
    f.product("description-null", VALID, (g, d) -> d.put("description", "null"));
    f.product("description-absent", VALID, (g, d) -> d.remove("description"));
    f.product("description-long", UNCLEAR, (g, d) -> d.put("description", str("d".repeat(5_000))));
    f.product(
        "extra-fields",
        VALID,
        (g, d) ->
            d.put("attributes", "{\"color\":\"Sage\",\"sizes\":[\"S\",\"M\"],\"weight_g\":250}"));
    f.product("missing-field", INVALID, (g, d) -> d.remove(g.draw().pick(PRODUCT_REQUIRED)));
    f.product("null-field", INVALID, (g, d) -> d.put(g.draw().pick(PRODUCT_REQUIRED), "null"));
    f.product(
        "wrong-type",
        INVALID,
        (g, d) -> {
          String field = g.draw().pick(PRODUCT_REQUIRED);
          d.put(
              field,
              field.equals("price")
                  ? "\"12.50\""
                  : g.draw().pick(new String[] {"42", "true", "[]", "{}"}));
        });
    f.product("price-negative", INVALID, (g, d) -> d.put("price", "-1.00"));
    f.product("price-3-decimals", INVALID, (g, d) -> d.put("price", "12.345"));
    f.product("price-huge", UNCLEAR, (g, d) -> d.put("price", "1e400"));
    f.product("name-empty", INVALID, (g, d) -> d.put("name", "\"\""));
    f.product("name-long", UNCLEAR, (g, d) -> d.put("name", str("n".repeat(2_000))));
    f.product("name-unicode", VALID, (g, d) -> d.put("name", str("Crème brûlée 🍮 \u202e")));
    f.product("currency-lower-case", INVALID, (g, d) -> d.put("currency", str("eur")));
    f.product("key-null", VALID, (g, d) -> d.key = null);
    f.product("key-other-product", VALID, (g, d) -> d.key = "product_" + (1 + g.draw().below(200)));
    f.make(
        "same-version-other-price",
        (g, label, now) -> {
          // A product version again, same updated_at, another price: two rows for one version.
          Doc before = g.recentProduct();
          Doc d = g.product(now);
          if (before == null) {
            return g.record("product.valid", VALID, PRODUCTS, d);
          }
          d.put("product_id", before.raw("product_id"));
          d.put("updated_at", before.raw("updated_at"));
          d.key = before.key;
          return g.record(label, UNCLEAR, PRODUCTS, d);
        });
    f.make(
        "duplicate-exact",
        (g, label, now) -> {
          Doc before = g.recentProduct();
          Doc d = before == null ? g.product(now) : before;
          return g.record(before == null ? "product.valid" : label, VALID, PRODUCTS, d);
        });
    f.make(
        "an-event",
        (g, label, now) -> {
          Doc e = g.event(now);
          return g.record(label, INVALID, PRODUCTS, e, e.bytes(), PRODUCTS.headers());
        });
    f.make(
        "tombstone",
        (g, label, now) ->
            g.record(label, INVALID, PRODUCTS, g.product(now), null, PRODUCTS.headers()));
    f.make(
        "truncated",
        (g, label, now) -> {
          Doc d = g.product(now);
          byte[] full = d.bytes();
          byte[] cut = Arrays.copyOf(full, 1 + g.draw().below(full.length - 1));
          return g.record(label, INVALID, PRODUCTS, d, cut, PRODUCTS.headers());
        });
    f.make(
        "version-2",
        (g, label, now) -> {
          Doc d = g.product(now);
          return g.record(
              label,
              INVALID,
              PRODUCTS,
              d,
              d.bytes(),
              List.of(Header.of(HostileRecord.SCHEMA_HEADER, "product"), version("2")));
        });
    f.done();
  }

  // ---------------------------------------------------------------- garbage

  private static void garbage() {
    new Family("garbage", 2.5)
        .garbage("random-bytes", (g, now) -> g.draw().bytes(g.draw().below(2_049)))
        .garbage("random-text", (g, now) -> utf8(g.noise(g.draw().between(1, 2_048))))
        .garbage("random-code-points", (g, now) -> codePoints(g))
        .garbage(
            "csv",
            (g, now) ->
                utf8(
                    "event_id,event_type,user_id,product_id,price\n"
                        + g.uuid4()
                        + ",view,user_1,product_1,19.99\n"))
        .garbage(
            "xml",
            (g, now) -> utf8("<?xml version=\"1.0\"?><event><id>1</id><type>view</type></event>"))
        .garbage(
            "confluent-wire-format",
            (g, now) -> {
              // Magic byte 0, a 4-byte schema id, then the payload: what a schema-registry
              // serializer writes.
              byte[] json = g.event(now).bytes();
              byte[] out = new byte[json.length + 5];
              out[4] = 1;
              System.arraycopy(json, 0, out, 5, json.length);
              return out;
            })
        .garbage(
            "gzip",
            (g, now) ->
                toBytes(0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        .garbage(
            "base64-event",
            (g, now) -> utf8(Base64.getEncoder().encodeToString(g.event(now).bytes())))
        .garbage(
            "form-encoded",
            (g, now) -> utf8("event_id=" + g.uuid4() + "&event_type=view&price=19.99"))
        .garbage("a-product", (g, now) -> g.product(now).bytes())
        .done();
  }

  private static byte[] codePoints(HostileRecords g) {
    StringBuilder b = new StringBuilder();
    int n = g.draw().between(1, 500);
    for (int i = 0; i < n; i++) {
      int cp = g.draw().below(0x110000);
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      b.appendCodePoint(cp);
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- building the table

  static void apply(Doc d, Edit e) {
    if (e.raw() == null) {
      d.remove(e.field());
    } else {
      d.put(e.field(), e.raw());
    }
  }

  private interface TextEdit {
    String apply(HostileRecords g, Doc d);
  }

  private interface BytesEdit {
    byte[] apply(HostileRecords g, Doc d);
  }

  private interface DocEdit {
    void apply(HostileRecords g, Doc d);
  }

  private interface KeyMaker {
    byte[] key(HostileRecords g);
  }

  private interface ValueMaker {
    byte[] value(HostileRecords g, long now);
  }

  /** The cases of one family, which share its weight equally. */
  private static final class Family {
    private final String name;
    private final double weight;
    private final Map<String, Maker> cases = new LinkedHashMap<>();
    private final Map<String, Double> fixed = new LinkedHashMap<>();
    private final boolean mixable;

    Family(String name, double weight) {
      this.name = name;
      this.weight = weight;
      this.mixable =
          List.of("time", "number", "type", "missing", "string", "unicode").contains(name);
    }

    Family make(String suffix, Maker maker) {
      if (cases.put(suffix, maker) != null) {
        throw new IllegalStateException(name + "." + suffix + " twice");
      }
      return this;
    }

    /** A case with a weight of its own, not a share of the family's. */
    Family rare(String suffix, double weight, Maker maker) {
      fixed.put(suffix, weight);
      return make(suffix, maker);
    }

    /** A case that sets {@code field} (one of {@code fields}) to one of these raw values. */
    Family edit(String suffix, Contract contract, List<String> fields, String... raws) {
      List<Edit> edits = new ArrayList<>();
      for (String field : fields) {
        for (String raw : raws) {
          edits.add(new Edit(field, raw, contract));
        }
      }
      if (mixable) {
        MIXABLE.addAll(edits);
      }
      return make(
          suffix,
          (g, label, now) -> {
            Edit e = edits.size() == 1 ? edits.get(0) : g.draw().pick(edits);
            Doc d = g.event(now);
            apply(d, e);
            return g.record(label, e.contract(), EVENTS, d);
          });
    }

    Family edit(String suffix, Contract contract, String field, String... raws) {
      return edit(suffix, contract, List.of(field), raws);
    }

    Family time(String suffix, Contract contract, String text) {
      return edit(suffix, contract, "ts", str(text));
    }

    Family extra(String suffix, Contract contract, String fields) {
      return text(
          suffix,
          contract,
          (g, d) ->
              d.json()
                  .replaceFirst(
                      "}$", "," + java.util.regex.Matcher.quoteReplacement(fields) + "}"));
    }

    Family text(String suffix, Contract contract, TextEdit edit) {
      return make(
          suffix,
          (g, label, now) -> {
            Doc d = g.event(now);
            return g.record(label, contract, EVENTS, d, utf8(edit.apply(g, d)), EVENTS.headers());
          });
    }

    Family bytes(String suffix, Contract contract, BytesEdit edit) {
      return make(
          suffix,
          (g, label, now) -> {
            Doc d = g.event(now);
            return g.record(label, contract, EVENTS, d, edit.apply(g, d), EVENTS.headers());
          });
    }

    Family headers(String suffix, Contract contract, Header... headers) {
      List<Header> list = List.of(headers);
      return make(
          suffix,
          (g, label, now) -> {
            Doc d = g.event(now);
            return g.record(label, contract, EVENTS, d, d.bytes(), list);
          });
    }

    Family key(String suffix, KeyMaker key) {
      return make(
          suffix,
          (g, label, now) -> {
            Doc d = g.event(now);
            return new HostileRecord(label, EVENTS, VALID, key.key(g), d.bytes(), EVENTS.headers());
          });
    }

    Family product(String suffix, Contract contract, DocEdit edit) {
      return make(
          suffix,
          (g, label, now) -> {
            Doc d = g.product(now);
            edit.apply(g, d);
            return g.record(label, contract, PRODUCTS, d);
          });
    }

    Family garbage(String suffix, ValueMaker value) {
      return make(
          suffix,
          (g, label, now) ->
              new HostileRecord(
                  label, EVENTS, INVALID, null, value.value(g, now), EVENTS.headers()));
    }

    void done() {
      int sharing = cases.size() - fixed.size();
      for (Map.Entry<String, Maker> c : cases.entrySet()) {
        double w = fixed.getOrDefault(c.getKey(), weight / sharing);
        ALL.add(new Case(name + "." + c.getKey(), w, c.getValue()));
      }
    }
  }
}
