package io.runnel.producer;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Writes events as the contract's JSON. One instance per thread: it reuses its buffer and the
 * formatted date-time of the current second.
 */
final class EventJson {
  private final StringBuilder out = new StringBuilder(512);
  private final IsoTime time = new IsoTime();

  byte[] write(Event e) {
    return write(e, null, null);
  }

  /**
   * @param omit a field to leave out (a "missing field" bad record), or null
   * @param mistype a field to write with the wrong JSON type (a "wrong type" bad record), or null
   */
  byte[] write(Event e, String omit, String mistype) {
    out.setLength(0);
    out.append('{');
    text(out, "event_id", e.eventId().toString(), omit, mistype);
    text(out, "event_type", e.eventType(), omit, mistype);
    text(out, "user_id", e.userId(), omit, mistype);
    text(out, "product_id", e.productId(), omit, mistype);
    if (!"price".equals(omit)) {
      Json.name(out, "price");
      if ("price".equals(mistype)) {
        out.append('"');
        Json.cents(out, e.priceCents());
        out.append('"');
      } else {
        Json.cents(out, e.priceCents());
      }
    }
    text(out, "currency", e.currency(), omit, mistype);
    if (!"quantity".equals(omit)) {
      Json.name(out, "quantity");
      if ("quantity".equals(mistype)) {
        Json.string(out, Integer.toString(e.quantity()));
      } else {
        out.append(e.quantity());
      }
    }
    text(out, "session_id", e.sessionId().toString(), omit, mistype);
    if (!"ts".equals(omit)) {
      Json.name(out, "ts");
      if ("ts".equals(mistype)) {
        // Epoch milliseconds where an ISO-8601 string belongs.
        out.append(e.ts());
      } else {
        out.append('"');
        time.append(out, e.ts());
        out.append('"');
      }
    }
    text(out, "user_agent", e.userAgent(), omit, mistype);
    out.append('}');
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  String isoTime(long epochMillis) {
    StringBuilder b = new StringBuilder(24);
    time.append(b, epochMillis);
    return b.toString();
  }

  private static void text(
      StringBuilder out, String name, String value, String omit, String mistype) {
    if (name.equals(omit)) {
      return;
    }
    Json.name(out, name);
    if (name.equals(mistype)) {
      // A number where a string belongs.
      out.append(value.hashCode() & 0x7FFFFFFF);
    } else {
      Json.string(out, value);
    }
  }

  /** ISO-8601 UTC with milliseconds, e.g. 2026-01-01T12:00:00.123Z; the second is cached. */
  static final class IsoTime {
    private long second = Long.MIN_VALUE;
    private String prefix = "";

    void append(StringBuilder out, long epochMillis) {
      long s = Math.floorDiv(epochMillis, 1000);
      if (s != second) {
        second = s;
        prefix = LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC).toString();
        if (prefix.length() == 16) {
          // LocalDateTime drops ":00" seconds.
          prefix += ":00";
        }
      }
      int millis = (int) Math.floorMod(epochMillis, 1000);
      out.append(prefix).append('.');
      if (millis < 100) {
        out.append('0');
      }
      if (millis < 10) {
        out.append('0');
      }
      out.append(millis).append('Z');
    }
  }
}
