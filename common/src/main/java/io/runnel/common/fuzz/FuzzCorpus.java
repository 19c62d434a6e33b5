package io.runnel.common.fuzz;

import static io.runnel.common.fuzz.Doc.str;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.runnel.common.fuzz.HostileRecord.Contract;
import io.runnel.common.fuzz.HostileRecord.Header;
import io.runnel.common.fuzz.HostileRecord.Topic;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hand-picked hostile records, one JSON object a line (contract/fuzz-corpus/corpus.jsonl):
 *
 * <pre>{@code
 * {"case":"issue-20.ts-year-minus-300000","topic":"events","contract":"invalid",
 *  "note":"why it is here","key":"user_1","value":"{\"event_id\":...}",
 *  "headers":[{"name":"runnel-schema-version","value":"1"}]}
 * }</pre>
 *
 * <ul>
 *   <li>{@code case}: a unique name; {@code topic}: {@code events} or {@code products}; {@code
 *       contract}: {@code valid}, {@code invalid} or {@code unclear} ({@link Contract});
 *   <li>{@code key} and {@code value}: text (written as UTF-8), or null (no key; a tombstone);
 *       {@code key_base64} and {@code value_base64} instead for bytes that are not UTF-8. No key
 *       given: no key; a value (or value_base64) must be given;
 *   <li>{@code headers}: a list of {@code {"name":..,"value":..}} ({@code value_base64} or a null
 *       value allowed), in order; without it, the topic's usual two headers;
 *   <li>{@code note}: free text, ignored. Blank lines are skipped.
 * </ul>
 *
 * Needs jackson-core on the class path to read (the producer and batch have it); writing does not.
 */
public final class FuzzCorpus {
  /** Where the corpus is in the repository, and (under /) in the producer's jar. */
  public static final String PATH = "contract/fuzz-corpus/corpus.jsonl";

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private FuzzCorpus() {}

  public static List<HostileRecord> read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the fuzz corpus " + file, e);
    }
  }

  /**
   * @param source names the input in error messages
   * @throws IllegalArgumentException naming the line of the first malformed case
   */
  public static List<HostileRecord> read(InputStream in, String source) throws IOException {
    List<HostileRecord> cases = new ArrayList<>();
    Set<String> names = new HashSet<>();
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    int number = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      HostileRecord r;
      try {
        r = parse(line);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException(source + " line " + number + ": " + e.getMessage(), e);
      }
      if (!names.add(r.label())) {
        throw new IllegalArgumentException(
            source + " line " + number + ": a second case named '" + r.label() + "'");
      }
      cases.add(r);
    }
    return cases;
  }

  /** One case from its line. */
  public static HostileRecord parse(String line) throws IOException {
    String name = null;
    Topic topic = null;
    Contract contract = null;
    byte[] key = null;
    byte[] value = null;
    boolean hasValue = false;
    List<Header> headers = null;
    try (JsonParser p = JSON.createParser(line)) {
      expect(p.nextToken(), JsonToken.START_OBJECT, "a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "case" -> name = text(p, t, field);
          case "topic" -> topic = Topic.parse(text(p, t, field));
          case "contract" -> contract = Contract.parse(text(p, t, field));
          case "note" -> text(p, t, field);
          case "key" -> key = bytes(p, t, field, false);
          case "key_base64" -> key = bytes(p, t, field, true);
          case "value", "value_base64" -> {
            value = bytes(p, t, field, field.endsWith("_base64"));
            hasValue = true;
          }
          case "headers" -> headers = headers(p, t);
          default -> throw new IllegalArgumentException("unknown field '" + field + "'");
        }
      }
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("text after the object");
      }
    }
    if (name == null || name.isBlank() || topic == null || contract == null || !hasValue) {
      throw new IllegalArgumentException("a case needs case, topic, contract and value");
    }
    return new HostileRecord(
        name, topic, contract, key, value, headers == null ? topic.headers() : headers);
  }

  private static List<Header> headers(JsonParser p, JsonToken t) throws IOException {
    expect(t, JsonToken.START_ARRAY, "headers as a list");
    List<Header> headers = new ArrayList<>();
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String name = null;
      byte[] value = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "name" -> name = text(p, v, "a header's name");
          case "value" -> value = bytes(p, v, field, false);
          case "value_base64" -> value = bytes(p, v, field, true);
          default -> throw new IllegalArgumentException("unknown header field '" + field + "'");
        }
      }
      if (name == null) {
        throw new IllegalArgumentException("a header without a name");
      }
      headers.add(new Header(name, value));
    }
    expect(p.currentToken(), JsonToken.END_ARRAY, "headers as a list of objects");
    return headers;
  }

  private static String text(JsonParser p, JsonToken t, String what) throws IOException {
    expect(t, JsonToken.VALUE_STRING, what + " as a string");
    return p.getText();
  }

  private static byte[] bytes(JsonParser p, JsonToken t, String field, boolean base64)
      throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    String text = text(p, t, field);
    if (!base64) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not base64: " + e.getMessage());
    }
  }

  private static void expect(JsonToken actual, JsonToken wanted, String what) {
    if (actual != wanted) {
      throw new IllegalArgumentException("expected " + what + ", got " + actual);
    }
  }

  /**
   * The record as one corpus line: text where the bytes are UTF-8, base64 where not; headers only
   * when they differ from the topic's usual ones. {@link #parse} reads it back to an equal record.
   */
  public static String line(HostileRecord r) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"case\":").append(str(r.label()));
    b.append(",\"topic\":").append(str(r.topic().label()));
    b.append(",\"contract\":").append(str(r.contract().label()));
    if (r.key() != null) {
      bytes(b, "key", r.key());
    }
    bytes(b, "value", r.value());
    if (!r.headers().equals(r.topic().headers())) {
      b.append(",\"headers\":[");
      for (int i = 0; i < r.headers().size(); i++) {
        Header h = r.headers().get(i);
        b.append(i == 0 ? "{" : ",{").append("\"name\":").append(str(h.name()));
        bytes(b, "value", h.value());
        b.append('}');
      }
      b.append(']');
    }
    return b.append('}').toString();
  }

  private static void bytes(StringBuilder b, String field, byte[] bytes) {
    if (bytes == null) {
      b.append(",\"").append(field).append("\":null");
      return;
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
      b.append(",\"").append(field).append("\":").append(str(text));
    } catch (CharacterCodingException e) {
      b.append(",\"").append(field).append("_base64\":\"");
      b.append(Base64.getEncoder().encodeToString(bytes)).append('"');
    }
  }
}
