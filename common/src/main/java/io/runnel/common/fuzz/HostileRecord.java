package io.runnel.common.fuzz;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One Kafka record as a hostile or odd producer could write it: any key bytes or none, any value
 * bytes or none (a tombstone), any headers (repeated, absent, null-valued), for the events or the
 * products topic. The arrays are shared, not copied: do not modify them.
 *
 * @param label what was generated, e.g. {@code valid}, {@code time.year-minus-300000}: the case's
 *     name in {@link HostileRecords#labels()} or in the corpus
 * @param topic which topic the record is meant for
 * @param contract what the contract (contract/*.schema.json) says of the record
 * @param key the key's bytes, or null for no key
 * @param value the value's bytes, or null for a tombstone
 * @param headers in order; a name may repeat, a value may be null
 */
public record HostileRecord(
    String label, Topic topic, Contract contract, byte[] key, byte[] value, List<Header> headers) {

  /** The header naming the schema a record follows: {@code event} or {@code product}. */
  public static final String SCHEMA_HEADER = "runnel-schema";

  /** The header carrying the schema version; Bronze keeps its last value, Silver reads it. */
  public static final String VERSION_HEADER = "runnel-schema-version";

  public HostileRecord {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(contract, "contract");
    headers = List.copyOf(headers);
  }

  /** The topics a record can be meant for; the producer maps them to topic names. */
  public enum Topic {
    EVENTS("event"),
    PRODUCTS("product");

    private final List<Header> headers;

    Topic(String schema) {
      this.headers = List.of(Header.of(SCHEMA_HEADER, schema), Header.of(VERSION_HEADER, "1"));
    }

    /** The headers the producer writes on this topic: the schema's name and version 1. */
    public List<Header> headers() {
      return headers;
    }

    /** {@code events} or {@code products}, as the corpus writes it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Topic parse(String label) {
      return byLabel(Topic.class, label, "topic");
    }
  }

  /**
   * What the contract says of a record: the oracle a test compares the pipeline's verdict with.
   * Headers count: a schema version other than 1 breaks the contract.
   */
  public enum Contract {
    /** Follows the contract to the letter, with ordinary values: Silver must keep it. */
    VALID,
    /** Breaks it (not JSON, a required field missing or mistyped, out of range): quarantined. */
    INVALID,
    /**
     * The contract leaves it open or a stage's limit decides: a time offset other than Z, a leap
     * second, duplicate names, a huge price or payload, a NUL character. Kept or quarantined, it
     * must not stop the pipeline.
     */
    UNCLEAR;

    /** {@code valid}, {@code invalid} or {@code unclear}, as the corpus writes it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Contract parse(String label) {
      return byLabel(Contract.class, label, "contract verdict");
    }

    /** The worse of two: INVALID over UNCLEAR over VALID. */
    Contract and(Contract other) {
      return compareTo(other) >= 0 ? this : other;
    }
  }

  /** The constant whose name in lower case is {@code label}. */
  private static <E extends Enum<E>> E byLabel(Class<E> type, String label, String what) {
    List<String> known = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      String name = e.name().toLowerCase(Locale.ROOT);
      if (name.equals(label)) {
        return e;
      }
      known.add(name);
    }
    throw new IllegalArgumentException(
        "unknown " + what + " '" + label + "' (known: " + String.join(", ", known) + ")");
  }

  /**
   * A Kafka header.
   *
   * @param value its bytes, or null (Kafka allows a header without a value)
   */
  public record Header(String name, byte[] value) {
    public Header {
      Objects.requireNonNull(name, "a Kafka header has a name");
    }

    public static Header of(String name, String value) {
      return new Header(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Header h && name.equals(h.name) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
      return 31 * name.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return name + "=" + (value == null ? "null" : new String(value, StandardCharsets.UTF_8));
    }
  }

  /**
   * The schema version as Bronze stores it: the last {@link #VERSION_HEADER} header's value as
   * text, or null when there is none (or it has no value). Silver reads a null as version 1.
   */
  public String schemaVersion() {
    for (int i = headers.size() - 1; i >= 0; i--) {
      Header h = headers.get(i);
      if (h.name().equals(VERSION_HEADER)) {
        return h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Whether the value is well-formed UTF-8 (a tombstone is not). */
  public boolean valueIsUtf8() {
    return value != null && isUtf8(value);
  }

  static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** The size Kafka counts against its limits, roughly: key, value and headers. */
  public int sizeInBytes() {
    int size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    for (Header h : headers) {
      size += h.name().length() + (h.value() == null ? 0 : h.value().length);
    }
    return size;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostileRecord r
        && label.equals(r.label)
        && topic == r.topic
        && contract == r.contract
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value)
        && headers.equals(r.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(label, topic, contract, Arrays.hashCode(key), Arrays.hashCode(value))
        + headers.hashCode();
  }

  @Override
  public String toString() {
    return FuzzCorpus.line(this);
  }
}
