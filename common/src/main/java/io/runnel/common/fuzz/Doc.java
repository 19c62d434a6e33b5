package io.runnel.common.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON object kept as raw text pieces, so that any of them can be made wrong: each name and value
 * is JSON text as it will be written ({@code "price"}, {@code 19.99}, {@code "\ud800"}, {@code
 * NaN}), names may repeat. Also the record's Kafka key.
 */
final class Doc {
  private final List<String> names = new ArrayList<>(16);
  private final List<String> values = new ArrayList<>(16);
  String key;

  /** Sets the first field called {@code name} to the raw value, or appends it. */
  Doc put(String name, String raw) {
    int i = names.indexOf(str(name));
    if (i < 0) {
      names.add(str(name));
      values.add(raw);
    } else {
      values.set(i, raw);
    }
    return this;
  }

  /** Appends a field whose name is raw JSON text: possibly a repeat, possibly not a string. */
  Doc addRaw(String rawName, String raw) {
    names.add(rawName);
    values.add(raw);
    return this;
  }

  Doc remove(String name) {
    int i = names.indexOf(str(name));
    if (i >= 0) {
      names.remove(i);
      values.remove(i);
    }
    return this;
  }

  /** The raw value of the first field called {@code name}, or null. */
  String raw(String name) {
    int i = names.indexOf(str(name));
    return i < 0 ? null : values.get(i);
  }

  /** The compact JSON text. */
  String json() {
    return json("", ":", ",");
  }

  /** The JSON text with this much white space around the braces, colons and commas. */
  String json(String space, String colon, String comma) {
    StringBuilder b = new StringBuilder(320);
    b.append('{').append(space);
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        b.append(comma).append(space);
      }
      b.append(names.get(i)).append(colon).append(values.get(i));
    }
    return b.append(space).append('}').toString();
  }

  byte[] bytes() {
    return json().getBytes(StandardCharsets.UTF_8);
  }

  /** A JSON string literal (RFC 8259 escapes; other characters as they are). */
  static String str(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
