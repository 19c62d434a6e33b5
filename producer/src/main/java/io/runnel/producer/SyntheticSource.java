package io.runnel.producer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;

/**
 * Synthetic events as Kafka records (key = user_id), with bad records injected at the configured
 * ratios. Each record is bad with the sum of the ratios as probability; a bad record takes the
 * place of a good one, so the count of records sent does not change.
 */
final class SyntheticSource implements RecordSource {
  static final int OVERSIZED_BYTES = 256 * 1024;

  /** How many recent good records a duplicate is drawn from. */
  private static final int RECENT = 512;

  private static final String[] UNKNOWN_TYPES = {"wishlist", "hover", "checkout_started", "VIEW"};
  private static final String[] MISTYPABLE = {"price", "quantity", "ts", "user_id", "event_id"};

  private final EventGenerator generator;
  private final SplitMix64 random;
  private final BadKind[] kinds;
  private final double[] cumulative;
  private final EnumMap<BadKind, Long> injected = new EnumMap<>(BadKind.class);
  private final EventJson json = new EventJson();
  private final OutgoingRecord[] recent = new OutgoingRecord[RECENT];
  private final List<Header> headers =
      EventContract.headers("event", EventContract.EVENT_SCHEMA_VERSION);
  private long good;
  private String oversizedAgent;

  /**
   * @param badRatios the share of records of each bad kind; their sum must not exceed 1
   */
  SyntheticSource(EventGenerator generator, long seed, Map<BadKind, Double> badRatios) {
    this.generator = generator;
    this.random = new SplitMix64(SplitMix64.hash(seed, -2));
    List<BadKind> k = new ArrayList<>();
    List<Double> c = new ArrayList<>();
    double sum = 0;
    for (BadKind kind : BadKind.values()) {
      double ratio = badRatios.getOrDefault(kind, 0.0);
      if (ratio < 0 || ratio > 1) {
        throw new IllegalArgumentException(
            "the ratio of " + kind.label() + " must be between 0 and 1, got " + ratio);
      }
      if (ratio > 0) {
        sum += ratio;
        k.add(kind);
        c.add(sum);
      }
      injected.put(kind, 0L);
    }
    if (sum > 1 + 1e-9) {
      throw new IllegalArgumentException("the bad-record ratios add up to " + sum + ", above 1");
    }
    this.kinds = k.toArray(new BadKind[0]);
    this.cumulative = c.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Override
  public OutgoingRecord next(long sendTimeMillis) {
    Event e = generator.next(sendTimeMillis);
    BadKind kind = pickKind();
    if (kind == BadKind.DUPLICATE && good == 0) {
      // Nothing to duplicate yet: this one is good.
      kind = null;
    }
    if (kind == null) {
      OutgoingRecord r = new OutgoingRecord(e.userId(), json.write(e));
      recent[(int) (good++ % RECENT)] = r;
      return r;
    }
    injected.merge(kind, 1L, Long::sum);
    if (kind == BadKind.DUPLICATE) {
      // The same record again: same key, same bytes.
      return recent[random.nextInt((int) Math.min(good, RECENT))];
    }
    return new OutgoingRecord(e.userId(), bad(kind, e));
  }

  private BadKind pickKind() {
    if (kinds.length == 0) {
      return null;
    }
    double u = random.nextDouble();
    for (int i = 0; i < kinds.length; i++) {
      if (u < cumulative[i]) {
        return kinds[i];
      }
    }
    return null;
  }

  private byte[] bad(BadKind kind, Event e) {
    return switch (kind) {
      case MALFORMED_JSON -> {
        byte[] full = json.write(e);
        // Cut somewhere in the second half: an unterminated string or object.
        int cut = full.length / 2 + random.nextInt(full.length / 2 - 1);
        yield java.util.Arrays.copyOf(full, cut);
      }
      case MISSING_FIELD ->
          json.write(
              e,
              EventContract.REQUIRED_FIELDS.get(
                  random.nextInt(EventContract.REQUIRED_FIELDS.size())),
              null);
      case WRONG_TYPE -> json.write(e, null, MISTYPABLE[random.nextInt(MISTYPABLE.length)]);
      case UNKNOWN_EVENT_TYPE ->
          json.write(e.withEventType(UNKNOWN_TYPES[random.nextInt(UNKNOWN_TYPES.length)]));
      case NEGATIVE_PRICE -> json.write(e.withPriceCents(-Math.max(1, e.priceCents())));
      case DUPLICATE -> throw new IllegalStateException("a duplicate is not built from an event");
      case LATE -> {
        long hours = 1 + random.nextInt(72);
        long late = hours * 3_600_000L + random.nextInt(3_600_000);
        yield json.write(e.withTs(e.ts() - late));
      }
      case OVERSIZED -> json.write(e.withUserAgent(oversizedAgent()));
      case INVALID_UTF8 -> {
        byte[] valid = json.write(e);
        // Overwrite the first two characters of the user agent's value with 0xC3 0x28: a lead
        // byte followed by one that cannot continue it.
        byte[] marker = "\"user_agent\":\"".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(valid, marker) + marker.length;
        valid[at] = (byte) 0xC3;
        valid[at + 1] = (byte) 0x28;
        yield valid;
      }
    };
  }

  private String oversizedAgent() {
    if (oversizedAgent == null) {
      oversizedAgent = "Mozilla/5.0 ".repeat(OVERSIZED_BYTES / 12 + 1);
    }
    return oversizedAgent;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("field not found");
  }

  @Override
  public List<Header> headers() {
    return headers;
  }

  /** Bad records injected, by kind: each kind asked for, or one line saying none was. */
  @Override
  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    if (kinds.length == 0) {
      counts.put("bad records injected", 0L);
    }
    for (BadKind kind : kinds) {
      counts.put("bad " + kind.label(), injected.get(kind));
    }
    return counts;
  }

  Map<BadKind, Long> injected() {
    return new EnumMap<>(injected);
  }
}
