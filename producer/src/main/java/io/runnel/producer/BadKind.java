package io.runnel.producer;

import java.util.Locale;

/** The kinds of bad record synthetic mode can inject, by their name on the command line. */
enum BadKind {
  /** JSON cut short: not parseable. */
  MALFORMED_JSON,
  /** A required field left out. */
  MISSING_FIELD,
  /** A field of the wrong JSON type: a price or quantity as a string, an id as a number. */
  WRONG_TYPE,
  /** An event_type outside the contract's enum. */
  UNKNOWN_EVENT_TYPE,
  /** A valid event with a negative price. */
  NEGATIVE_PRICE,
  /** A recently sent event sent again, byte for byte (same event_id). */
  DUPLICATE,
  /** A valid event whose event time is one hour to three days old. */
  LATE,
  /** A 256 KiB user agent: far above the contract's limit, still under Kafka's 1 MiB. */
  OVERSIZED,
  /** Bytes that are not UTF-8 inside a string. */
  INVALID_UTF8;

  /** The command-line name: {@code malformed-json}, {@code invalid-utf8}, ... */
  String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static BadKind parse(String label) {
    for (BadKind kind : values()) {
      if (kind.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown bad-record kind '" + label + "'");
  }
}
