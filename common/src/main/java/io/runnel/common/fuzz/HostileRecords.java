package io.runnel.common.fuzz;

import static io.runnel.common.fuzz.Doc.str;

import io.runnel.common.fuzz.HostileRecord.Contract;
import io.runnel.common.fuzz.HostileRecord.Header;
import io.runnel.common.fuzz.HostileRecord.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A seeded, endless source of hostile and odd Kafka records for the events and products topics:
 * mostly valid events with one thing changed (a time in year -300000, a price of 1e400, a lone
 * surrogate, a missing field, a duplicated name), some valid as they are, products, and raw
 * garbage. The same seed and times give the same records, byte for byte, on any JVM.
 *
 * <pre>{@code
 * HostileRecords fuzz = new HostileRecords(7, kafkaTs.toEpochMilli());
 * for (int i = 0; i < 1_000_000; i++) {
 *   HostileRecord r = fuzz.next();
 *   // r.topic(), r.key(), r.value(), r.headers(), r.schemaVersion(), r.label(), r.contract()
 * }
 * }</pre>
 *
 * <p>Each record carries its case's label ({@link #labels()} lists them all; the part before the
 * first dot is its family) and what the contract says of it. About a third of the events are {@link
 * Contract#VALID}, so that Silver keeps many, deduplicates some and dbt has sessions to build.
 * Values stay under {@link #MAX_VALUE_BYTES}, so a broker with Kafka's default limit takes every
 * record. Not thread-safe: one instance per thread.
 */
public final class HostileRecords {
  /** product_1 to product_200 are the shipped catalog (data/products.csv); others are unknown. */
  public static final int SHIPPED_PRODUCTS = 200;

  /** The largest value: under Kafka's default 1 MiB message limit, with room for key, headers. */
  public static final int MAX_VALUE_BYTES = 900 * 1024;

  /** How many valid records duplicates are drawn from. */
  private static final int RECENT = 256;

  private static final int SESSIONS = 32;

  static final String[] EVENT_TYPES = {
    "view", "click", "add_to_cart", "remove_from_cart", "purchase"
  };
  private static final double[] EVENT_TYPE_SHARES = {0.45, 0.75, 0.87, 0.92, 1.0};
  private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "PLN", "SEK"};
  private static final String[] AGENTS = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        + " Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like"
        + " Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "curl/8.5.0"
  };
  static final String[] CATEGORIES = {
    "kitchen", "books", "electronics", "apparel", "home", "sports", "beauty", "toys"
  };

  private final Draw draw;
  private final long defaultNow;
  private final Session[] sessions = new Session[SESSIONS];
  private final HostileRecord[] recentEvents = new HostileRecord[RECENT];
  private final String[] recentEventIds = new String[RECENT];
  private final Doc[] recentProducts = new Doc[RECENT];
  private long events;
  private long products;

  /**
   * @param seed names the sequence of records
   * @param nowMillis the time {@link #next()} stamps valid events around (a few seconds before it):
   *     pass the Kafka timestamp the records will be judged against
   */
  public HostileRecords(long seed, long nowMillis) {
    this.draw = new Draw(seed);
    this.defaultNow = nowMillis;
  }

  /** Every label {@link #next} can return, in the order of the case table. */
  public static List<String> labels() {
    return Cases.LABELS;
  }

  /** Each label's share of the records {@link #next} returns (they add up to 1). */
  public static Map<String, Double> shares() {
    return Cases.shares();
  }

  /** The next record, with valid times a few seconds before the time given at construction. */
  public HostileRecord next() {
    return next(defaultNow);
  }

  /**
   * The next record, with valid times a few seconds before {@code nowMillis} (the producer passes
   * each record's send time).
   */
  public HostileRecord next(long nowMillis) {
    Cases.Case c = Cases.pick(draw.unit());
    return c.maker().make(this, c.label(), nowMillis);
  }

  Draw draw() {
    return draw;
  }

  // ---- valid records to start from

  /** A valid event of one of the open sessions, a few seconds before {@code now}; key user_id. */
  Doc event(long now) {
    Session s = session(now);
    long ts = now - draw.below(30_000);
    String type = eventType();
    Doc d = new Doc();
    d.put("event_id", str(uuid7(ts)));
    d.put("event_type", str(type));
    d.put("user_id", str(s.user));
    d.put("product_id", str("product_" + catalogProduct()));
    d.put("price", cents(50 + draw.below(60_000)));
    d.put("currency", str(s.currency));
    d.put("quantity", type.equals("view") || type.equals("click") ? "1" : "" + draw.between(1, 4));
    d.put("session_id", str(s.id));
    d.put("ts", str(iso(ts)));
    d.put("user_agent", str(s.agent));
    d.key = s.user;
    return d;
  }

  /**
   * A valid product of the shipped catalog, updated a minute before {@code now}; key product_id.
   */
  Doc product(long now) {
    String id = "product_" + (1 + draw.below(SHIPPED_PRODUCTS));
    String category = draw.pick(CATEGORIES);
    Doc d = new Doc();
    d.put("product_id", str(id));
    d.put("name", str("Fuzzed " + category + " item " + draw.below(1000)));
    d.put("category", str(category));
    d.put("description", str("Made by the fuzzer."));
    d.put("price", cents(100 + draw.below(40_000)));
    d.put("currency", str("EUR"));
    d.put("updated_at", str(iso(now - draw.below(60_000))));
    d.key = id;
    return d;
  }

  /** A session: user, agent and currency fixed for its events. */
  record Session(String id, String user, String agent, String currency) {}

  /** One of the open sessions; now and then it ends and another takes its place. */
  Session session(long now) {
    int slot = draw.below(SESSIONS);
    if (sessions[slot] == null || draw.chance(0.1)) {
      sessions[slot] =
          new Session(
              uuid7(now - 60_000),
              "user_" + (1 + draw.below(5_000)),
              draw.pick(AGENTS),
              draw.pick(CURRENCIES));
    }
    return sessions[slot];
  }

  private String eventType() {
    double u = draw.unit();
    int i = 0;
    while (u >= EVENT_TYPE_SHARES[i]) {
      i++;
    }
    return EVENT_TYPES[i];
  }

  /** Popular products first: product_1 is the most viewed. */
  private int catalogProduct() {
    double u = draw.unit();
    return 1 + (int) (SHIPPED_PRODUCTS * u * u);
  }

  // ---- records out

  HostileRecord record(
      String label, Contract contract, Topic topic, Doc d, byte[] value, List<Header> headers) {
    return new HostileRecord(label, topic, contract, utf8(d.key), value, headers);
  }

  /** The document as the producer would send it, with the topic's usual headers. */
  HostileRecord record(String label, Contract contract, Topic topic, Doc d) {
    HostileRecord r = record(label, contract, topic, d, d.bytes(), topic.headers());
    if (contract == Contract.VALID) {
      remember(r, d);
    }
    return r;
  }

  private void remember(HostileRecord r, Doc d) {
    if (r.topic() == Topic.EVENTS) {
      int slot = (int) (events++ % RECENT);
      recentEvents[slot] = r;
      recentEventIds[slot] = d.raw("event_id");
    } else {
      recentProducts[(int) (products++ % RECENT)] = d;
    }
  }

  /** A slot of a recent valid event, or -1 before there is one. */
  int recentEventSlot() {
    return events == 0 ? -1 : draw.below((int) Math.min(events, RECENT));
  }

  HostileRecord recentEvent(int slot) {
    return recentEvents[slot];
  }

  String recentEventId(int slot) {
    return recentEventIds[slot];
  }

  /** A recent valid product, or null before there is one. */
  Doc recentProduct() {
    return products == 0 ? null : recentProducts[draw.below((int) Math.min(products, RECENT))];
  }

  // ---- pieces

  static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /** ISO-8601 UTC as the producer writes it: 2026-01-01T12:00:00.123Z (no fraction at .000). */
  static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  /** A decimal with two fractional digits: 1999 is 19.99. */
  static String cents(long cents) {
    long f = Math.abs(cents % 100);
    return (cents < 0 ? "-" : "") + Math.abs(cents / 100) + (f < 10 ? ".0" : ".") + f;
  }

  /** A UUIDv7 (RFC 9562) of this millisecond, lower case, from the seeded numbers. */
  String uuid7(long millis) {
    long msb = (millis << 16) | 0x7000L | (draw.nextLong() & 0xFFF);
    long lsb = (draw.nextLong() >>> 2) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }

  /** A random (version 4) UUID from the seeded numbers. */
  String uuid4() {
    long msb = (draw.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (draw.nextLong() >>> 2) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }

  /** {@code n} random letters, digits, '+' and '/': text that does not compress. */
  String noise(int n) {
    char[] c = new char[n];
    long bits = 0;
    for (int i = 0; i < n; i++) {
      if (i % 10 == 0) {
        bits = draw.nextLong();
      }
      c[i] = BASE64.charAt((int) (bits & 63));
      bits >>>= 6;
    }
    return new String(c);
  }

  private static final String BASE64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  /** Marks where {@link #splice} puts raw bytes into a document's text. */
  static final String RAW = "@@RAW@@";

  /** The document's bytes with these bytes where its text has {@link #RAW} (once). */
  static byte[] splice(String json, byte[] raw) {
    int at = json.indexOf(RAW);
    if (at < 0) {
      throw new IllegalStateException("no " + RAW + " in the document");
    }
    byte[] before = utf8(json.substring(0, at));
    byte[] after = utf8(json.substring(at + RAW.length()));
    byte[] out = new byte[before.length + raw.length + after.length];
    System.arraycopy(before, 0, out, 0, before.length);
    System.arraycopy(raw, 0, out, before.length, raw.length);
    System.arraycopy(after, 0, out, before.length + raw.length, after.length);
    return out;
  }
}
