package io.runnel.batch.silver;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads typed fields out of one JSON object's fields ({@link SilverRules#fields}), recording a
 * named reason for every field that is missing, of the wrong JSON type or out of its contract.
 * Readers return null after recording a reason, so one record collects all of its failures, not
 * just the first.
 */
final class Fields {
  /** ISO 4217 codes the JDK knows: the real list, not just the pattern [A-Z]{3}. */
  private static final Set<String> CURRENCIES =
      Currency.getAvailableCurrencies().stream()
          .map(Currency::getCurrencyCode)
          .collect(Collectors.toUnmodifiableSet());

  /** Largest amount that fits the Silver money type, decimal(12,2). */
  private static final BigDecimal MAX_MONEY = new BigDecimal("9999999999.99");

  private final Map<String, Object> object;
  private final List<String> reasons;

  Fields(Map<String, Object> object, List<String> reasons) {
    this.object = object;
    this.reasons = reasons;
  }

  /** A present, non-null field; records {@code missing_field:<name>} otherwise. */
  private Object present(String name) {
    Object value = object.get(name);
    if (value == null) {
      reasons.add("missing_field:" + name);
    }
    return value;
  }

  /** A JSON string of 1 to {@code maxLength} characters (a blank one counts as missing). */
  String text(String name, int maxLength) {
    return text(name, 1, maxLength);
  }

  String text(String name, int minLength, int maxLength) {
    Object node = present(name);
    if (node == null) {
      return null;
    }
    if (!(node instanceof String value)) {
      reasons.add("wrong_type:" + name);
      return null;
    }
    if (minLength > 0 && value.isBlank()) {
      reasons.add("missing_field:" + name);
      return null;
    }
    if (value.length() > maxLength) {
      reasons.add("too_long:" + name);
      return null;
    }
    if (!representable(value)) {
      reasons.add("invalid_text:" + name);
      return null;
    }
    return value;
  }

  /**
   * No U+0000 (PostgreSQL text cannot hold it) and no lone surrogate (UTF-8 cannot encode it: Spark
   * would store '?' instead).
   */
  static boolean representable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 == s.length()
            || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      }
    }
    return true;
  }

  /** Like {@link #text} but absent or null is fine (returns null without a reason). */
  String optionalText(String name, int maxLength) {
    return object.get(name) == null ? null : text(name, 0, maxLength);
  }

  /**
   * A JSON number, at least 0, with at most two fractional digits (a price as a string is a wrong
   * type, not a price).
   */
  BigDecimal money(String name) {
    Object node = present(name);
    if (node == null) {
      return null;
    }
    if (!(node instanceof Number number)) {
      reasons.add("wrong_type:" + name);
      return null;
    }
    // An integer (Integer, Long or BigInteger) prints exactly as its decimal value.
    BigDecimal value = number instanceof BigDecimal d ? d : new BigDecimal(number.toString());
    if (value.signum() < 0) {
      reasons.add("negative_price");
      return null;
    }
    BigDecimal stripped = value.stripTrailingZeros();
    if (stripped.scale() > 2 || value.compareTo(MAX_MONEY) > 0) {
      reasons.add("invalid_price");
      return null;
    }
    return value.setScale(2);
  }

  /** A JSON integer that fits an int (1.0, "1" and 2^31 are wrong types). */
  Integer integer(String name) {
    Object node = present(name);
    if (node == null) {
      return null;
    }
    if (!(node instanceof Integer value)) {
      reasons.add("wrong_type:" + name);
      return null;
    }
    return value;
  }

  /** An ISO 4217 currency code. */
  String currency(String name) {
    String code = text(name, 3);
    if (code != null && !CURRENCIES.contains(code)) {
      reasons.add("invalid_currency");
      return null;
    }
    return code;
  }

  /**
   * An ISO-8601 date-time with an offset (the contract's form is UTC with Z), to the microsecond at
   * most: Silver's, PostgreSQL's and Trino's timestamps hold no finer time, and a value is never
   * rounded.
   */
  Instant instant(String name) {
    String text = text(name, 64);
    if (text == null) {
      return null;
    }
    Instant time = utcInstant(text);
    if (time == null) {
      try {
        time = OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        reasons.add("invalid_timestamp:" + name);
        return null;
      }
    }
    if (time.getNano() % 1_000 != 0) {
      reasons.add("too_precise:" + name);
      return null;
    }
    return time;
  }

  /**
   * The contract's own form, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, read without a formatter (the
   * formatter is the costliest step of a record's check); null for any other text, which {@link
   * OffsetDateTime#parse} then reads or rejects. Returns what that parse would.
   */
  static Instant utcInstant(String t) {
    int n = t.length();
    if (n < 20
        || n == 21
        || n > 30
        || t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != 'T'
        || t.charAt(13) != ':'
        || t.charAt(16) != ':'
        || t.charAt(n - 1) != 'Z'
        || (n > 20 && t.charAt(19) != '.')) {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 7);
    int day = digits(t, 8, 10);
    int hour = digits(t, 11, 13);
    int minute = digits(t, 14, 16);
    int second = digits(t, 17, 19);
    int nanos = 0;
    if (n > 20) {
      int fraction = digits(t, 20, n - 1);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction * POWERS_OF_TEN[9 - (n - 21)];
    }
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null; // Feb 30, hour 24, ...: the formatter rejects it with the same reason
    }
  }

  private static final int[] POWERS_OF_TEN = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };

  /** The decimal number in t[from, to), or -1 unless every character is an ASCII digit. */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
