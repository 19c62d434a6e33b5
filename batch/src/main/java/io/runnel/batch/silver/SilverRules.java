package io.runnel.batch.silver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.runnel.common.ContractFields;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The named validation rules of Silver: a Bronze record's payload in, either a typed value or every
 * rule it failed. Pure (no Spark): the Spark job applies these to each row.
 *
 * <p>Reasons are short names, some with the field after a colon:
 *
 * <ul>
 *   <li>the record: {@code null_value}, {@code invalid_utf8}, {@code payload_too_large}, {@code
 *       malformed_json}, {@code not_an_object}, {@code unsupported_schema_version};
 *   <li>any field: {@code missing_field:<f>} (absent, null or blank), {@code wrong_type:<f>} (a
 *       price as a string, an id as a number), {@code too_long:<f>}, {@code invalid_timestamp:<f>},
 *       {@code too_precise:<f>} (a time finer than a microsecond, which no Silver, PostgreSQL or
 *       Trino timestamp holds), {@code invalid_text:<f>} (U+0000 or a lone surrogate, which
 *       PostgreSQL text and UTF-8 cannot hold);
 *   <li>fields outside the contract, kept in {@code extra}: {@code invalid_text:extra}, {@code
 *       invalid_number:extra} (a number PostgreSQL's jsonb cannot hold exactly);
 *   <li>events: {@code invalid_event_id}, {@code unknown_event_type}, {@code negative_price},
 *       {@code invalid_price} (more than two decimals, or too large), {@code invalid_currency} (not
 *       ISO 4217), {@code quantity_out_of_range} (below 0 or above 1000), {@code
 *       quantity_below_one} (cart and purchase events), {@code ts_in_future}, {@code
 *       ts_before_oldest};
 *   <li>products: {@code updated_at_in_future}, {@code updated_at_before_oldest}.
 * </ul>
 *
 * <p>Times are bounded on both sides: not after the record's Kafka timestamp plus {@link
 * Limits#maxFuture}, not before {@link Limits#oldest}. Every accepted value is one that Spark,
 * Delta, PostgreSQL and Trino hold exactly; nothing is wrapped, rounded or replaced.
 *
 * <p>Time rules compare with the record's Kafka timestamp, not the clock, so reprocessing the same
 * records gives the same result.
 */
public final class SilverRules implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Set<String> EVENT_TYPES =
      Set.of("view", "click", "add_to_cart", "remove_from_cart", "purchase");
  static final Set<String> NEEDS_QUANTITY = Set.of("add_to_cart", "remove_from_cart", "purchase");

  /** The contract versions this code reads; a record without the header is read as version 1. */
  static final Set<String> SCHEMA_VERSIONS = Set.of("1");

  private static final int ID_LENGTH = 128;
  private static final int USER_AGENT_LENGTH = 1024;
  private static final int MAX_QUANTITY = 1000;

  /** The contract's fields; any other top-level field of a record is kept in {@code extra}. */
  static final Set<String> EVENT_FIELDS = Set.copyOf(ContractFields.EVENT);

  static final Set<String> PRODUCT_FIELDS = Set.copyOf(ContractFields.PRODUCT);

  /** The default oldest accepted time, and how far back it may be set. */
  public static final Instant DEFAULT_OLDEST = Instant.parse("2000-01-01T00:00:00Z");

  /**
   * Before 1900 calendars and zone rules differ between the JVM's and Spark's readings of a time
   * (Julian dates, local mean time); no clickstream event is that old.
   */
  public static final Instant EARLIEST_OLDEST = Instant.parse("1900-01-01T00:00:00Z");

  private static final JsonFactory JSON =
      JsonFactory.builder()
          // {"price":1,"price":2} is malformed, not silently half-read (at any depth).
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /**
   * @param maxPayloadBytes a payload larger than this (UTF-8 bytes) is quarantined
   * @param maxFuture how far an event's {@code ts} may be ahead of its Kafka timestamp
   * @param lateAfter an event whose {@code ts} is older than its Kafka timestamp by more than this
   *     is marked late (and kept)
   * @param oldest an event's {@code ts} or a product's {@code updated_at} before this is
   *     quarantined
   */
  public record Limits(int maxPayloadBytes, Duration maxFuture, Duration lateAfter, Instant oldest)
      implements Serializable {
    public Limits {
      if (oldest.isBefore(EARLIEST_OLDEST)) {
        throw new IllegalArgumentException("the oldest accepted time is before " + EARLIEST_OLDEST);
      }
    }
  }

  /** A valid event, typed. */
  public record Event(
      String eventId,
      String eventType,
      String userId,
      String productId,
      BigDecimal price,
      String currency,
      int quantity,
      String sessionId,
      Instant ts,
      String userAgent,
      boolean late,
      String extra) {}

  /** A valid product version, typed. */
  public record Product(
      String productId,
      String name,
      String category,
      String description,
      BigDecimal price,
      String currency,
      Instant updatedAt,
      String extra) {}

  /** Either a value (no reasons) or the reasons it failed (no value). */
  public record Checked<T>(T value, List<String> reasons) {
    public boolean ok() {
      return reasons.isEmpty();
    }
  }

  private final Limits limits;

  public SilverRules(Limits limits) {
    this.limits = limits;
  }

  /**
   * Checks one event record.
   *
   * @param value the payload's text in UTF-8 (with replacement characters where the payload was not
   *     UTF-8): the parser reads the bytes, never a decoded copy
   * @param rawBytes the exact payload bytes when they were not valid UTF-8, else null
   */
  public Checked<Event> event(
      byte[] value, byte[] rawBytes, String schemaVersion, Instant kafkaTs) {
    List<String> reasons = new ArrayList<>(2);
    Parsed parsed = envelope(value, rawBytes, schemaVersion, EVENT_FIELDS, reasons);
    if (parsed == null) {
      return new Checked<>(null, reasons);
    }
    Fields f = new Fields(parsed.fields(), reasons);
    String eventId = f.text("event_id", 36);
    if (eventId != null && !isUuid(eventId)) {
      reasons.add("invalid_event_id");
    }
    String eventType = f.text("event_type", 32);
    if (eventType != null && !EVENT_TYPES.contains(eventType)) {
      reasons.add("unknown_event_type");
    }
    String userId = f.text("user_id", ID_LENGTH);
    String productId = f.text("product_id", ID_LENGTH);
    BigDecimal price = f.money("price");
    String currency = f.currency("currency");
    Integer quantity = f.integer("quantity");
    if (quantity != null) {
      if (quantity < 0 || quantity > MAX_QUANTITY) {
        reasons.add("quantity_out_of_range");
      } else if (quantity < 1 && eventType != null && NEEDS_QUANTITY.contains(eventType)) {
        // (Set.of's contains throws on null: an event without a type, found by the fuzzer.)
        reasons.add("quantity_below_one");
      }
    }
    String sessionId = f.text("session_id", ID_LENGTH);
    Instant ts = within(f.instant("ts"), "ts", kafkaTs, reasons);
    String userAgent = f.text("user_agent", 0, USER_AGENT_LENGTH);
    if (!reasons.isEmpty()) {
      return new Checked<>(null, reasons);
    }
    boolean late = ts.isBefore(kafkaTs.minus(limits.lateAfter()));
    return new Checked<>(
        new Event(
            eventId.toLowerCase(java.util.Locale.ROOT),
            eventType,
            userId,
            productId,
            price,
            currency,
            quantity,
            sessionId,
            ts,
            userAgent,
            late,
            parsed.extra()),
        List.of());
  }

  /**
   * {@code time}, or null after recording {@code <name>_in_future} or {@code <name>_before_oldest}
   * when it is outside the accepted window.
   */
  private Instant within(Instant time, String name, Instant kafkaTs, List<String> reasons) {
    if (time == null) {
      return null;
    }
    if (time.isAfter(kafkaTs.plus(limits.maxFuture()))) {
      reasons.add(name + "_in_future");
      return null;
    }
    if (time.isBefore(limits.oldest())) {
      reasons.add(name + "_before_oldest");
      return null;
    }
    return time;
  }

  /** Checks one product record (the catalog topic). */
  public Checked<Product> product(
      byte[] value, byte[] rawBytes, String schemaVersion, Instant kafkaTs) {
    List<String> reasons = new ArrayList<>(2);
    Parsed parsed = envelope(value, rawBytes, schemaVersion, PRODUCT_FIELDS, reasons);
    if (parsed == null) {
      return new Checked<>(null, reasons);
    }
    Fields f = new Fields(parsed.fields(), reasons);
    Product product =
        new Product(
            f.text("product_id", ID_LENGTH),
            f.text("name", USER_AGENT_LENGTH),
            f.text("category", ID_LENGTH),
            f.optionalText("description", 4 * USER_AGENT_LENGTH),
            f.money("price"),
            f.currency("currency"),
            within(f.instant("updated_at"), "updated_at", kafkaTs, reasons),
            parsed.extra());
    return reasons.isEmpty() ? new Checked<>(product, List.of()) : new Checked<>(null, reasons);
  }

  /**
   * The checks every record goes through; returns the JSON object's fields ({@link #parse}), or
   * null when there is nothing to read fields from (the reasons say why).
   */
  private Parsed envelope(
      byte[] value,
      byte[] rawBytes,
      String schemaVersion,
      Set<String> known,
      List<String> reasons) {
    if (value == null) {
      reasons.add("null_value");
      return null;
    }
    if (rawBytes != null) {
      reasons.add("invalid_utf8");
    }
    if (tooLarge(value, rawBytes)) {
      reasons.add("payload_too_large");
    }
    if (schemaVersion != null && !SCHEMA_VERSIONS.contains(schemaVersion)) {
      reasons.add("unsupported_schema_version");
      return null;
    }
    Parsed parsed;
    try {
      parsed = parse(value, known);
    } catch (IOException e) {
      reasons.add("malformed_json");
      return null;
    }
    if (parsed.fields() == null) {
      reasons.add("not_an_object");
      return null;
    }
    if (parsed.extraReason() != null) {
      reasons.add(parsed.extraReason());
    }
    return parsed;
  }

  /**
   * A parsed document: its top-level fields ({@link #fields}), null when it is not an object; the
   * fields outside the contract as one JSON object's text, null when there are none; and the reason
   * those cannot be kept exactly, or null.
   */
  record Parsed(Map<String, Object> fields, String extra, String extraReason) {}

  /** A nested object or array: read (so it must be well-formed) but not kept. */
  static final Object NESTED = new Object();

  /**
   * The top-level fields of a JSON object, read in one pass without building a tree: a string as
   * {@link String}; an integer as {@link Integer}, {@link Long} or {@link java.math.BigInteger}, by
   * size; any other number as an exact {@link BigDecimal} (19.99 stays 19.99, never a binary
   * double); true and false as {@link Boolean}; null as null; an object or array as {@link
   * #NESTED}. Null when the document is well-formed but not an object.
   *
   * @throws IOException when the text is not one well-formed JSON value (trailing text included)
   */
  static Map<String, Object> fields(byte[] json) throws IOException {
    return parse(json, null).fields();
  }

  /**
   * Like {@link #fields}, but a top-level field whose name is not in {@code known} (null: every
   * name is known) is copied as it was sent into {@link Parsed#extra}: strings and names
   * re-escaped, numbers as their exact text.
   */
  static Parsed parse(byte[] json, Set<String> known) throws IOException {
    if (json.length >= 3
        && json[0] == (byte) 0xEF
        && json[1] == (byte) 0xBB
        && json[2] == (byte) 0xBF) {
      // JSON text must not start with a byte-order mark (RFC 8259); the byte parser would skip
      // it silently.
      throw new IOException("a byte-order mark before the JSON value");
    }
    try (JsonParser p = JSON.createParser(json)) {
      JsonToken t = p.nextToken();
      Map<String, Object> fields = null;
      Extra extra = null;
      if (t == JsonToken.START_OBJECT) {
        fields = new HashMap<>(32);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (known == null || known.contains(name)) {
            fields.put(name, value(p, v));
          } else {
            if (extra == null) {
              extra = new Extra();
            }
            extra.copy(name, p);
          }
        }
      } else if (t != null) {
        p.skipChildren();
      }
      if (t != null && p.nextToken() != null) {
        throw new IOException("trailing text after the JSON value");
      }
      return extra == null
          ? new Parsed(fields, null, null)
          : new Parsed(fields, extra.json(), extra.reason);
    }
  }

  /**
   * PostgreSQL's numeric, which jsonb numbers are: at most 131,072 digits before the point and
   * 16,383 after it.
   */
  private static final int JSONB_INTEGER_DIGITS = 131_072;

  private static final int JSONB_FRACTION_DIGITS = 16_383;

  /** The fields outside the contract, written as one JSON object while the record is read. */
  private static final class Extra {
    private final StringWriter out = new StringWriter();
    private final JsonGenerator g;
    private String reason;

    Extra() throws IOException {
      g = JSON.createGenerator(out);
      g.writeStartObject();
    }

    /** Copies the field {@code name} whose value starts at the parser's current token. */
    void copy(String name, JsonParser p) throws IOException {
      g.writeFieldName(checked(name));
      int depth = 0;
      JsonToken t = p.currentToken();
      while (true) {
        switch (t) {
          case START_OBJECT -> {
            g.writeStartObject();
            depth++;
          }
          case START_ARRAY -> {
            g.writeStartArray();
            depth++;
          }
          case END_OBJECT -> {
            g.writeEndObject();
            depth--;
          }
          case END_ARRAY -> {
            g.writeEndArray();
            depth--;
          }
          case FIELD_NAME -> g.writeFieldName(checked(p.currentName()));
          case VALUE_STRING -> g.writeString(checked(p.getText()));
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
            BigDecimal n =
                t == JsonToken.VALUE_NUMBER_INT
                    ? new BigDecimal(p.getBigIntegerValue())
                    : p.getDecimalValue();
            if (n.scale() > JSONB_FRACTION_DIGITS
                || n.precision() - n.scale() > JSONB_INTEGER_DIGITS) {
              reason = "invalid_number:extra";
            }
            // The number's own text: re-formatting it could round it (1e400 as a double).
            g.writeNumber(p.getText());
          }
          case VALUE_TRUE -> g.writeBoolean(true);
          case VALUE_FALSE -> g.writeBoolean(false);
          case VALUE_NULL -> g.writeNull();
          default -> throw new IOException("unexpected " + t);
        }
        if (depth == 0) {
          return;
        }
        t = p.nextToken();
      }
    }

    private String checked(String text) {
      if (!Fields.representable(text)) {
        reason = "invalid_text:extra";
      }
      return text;
    }

    String json() throws IOException {
      g.writeEndObject();
      g.close();
      return out.toString();
    }
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> p.getIntValue();
            case LONG -> p.getLongValue();
            default -> p.getBigIntegerValue();
          };
      case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case START_OBJECT, START_ARRAY -> {
        p.skipChildren();
        yield NESTED;
      }
      default -> throw new IOException("unexpected " + t);
    };
  }

  /** 8-4-4-4-12 hexadecimal digits, either case (a loop: a regex costs more per record). */
  static boolean isUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean ok =
          i == 8 || i == 13 || i == 18 || i == 23
              ? c == '-'
              : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private boolean tooLarge(byte[] value, byte[] rawBytes) {
    return (rawBytes != null ? rawBytes.length : value.length) > limits.maxPayloadBytes();
  }
}
