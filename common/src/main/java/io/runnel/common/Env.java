package io.runnel.common;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Typed, validated reads of environment variables. Jobs build their settings record from one of
 * these once at start; tests pass a plain map instead of the process environment.
 */
public final class Env {
  /** Lower-case SQL identifiers and bucket-like names: what may be spliced into SQL or a path. */
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** S3 bucket naming rules (the subset every S3 server accepts). */
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private final Map<String, String> vars;

  private Env(Map<String, String> vars) {
    this.vars = Map.copyOf(Objects.requireNonNull(vars, "vars"));
  }

  public static Env of(Map<String, String> vars) {
    return new Env(vars);
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  /** The value, or {@code fallback} when the variable is unset or blank. */
  public String string(String name, String fallback) {
    String value = vars.get(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  public String required(String name) {
    String value = string(name, null);
    if (value == null) {
      throw new SettingsException(name + " is not set");
    }
    return value;
  }

  public int integer(String name, int fallback, int min, int max) {
    String raw = string(name, null);
    if (raw == null) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw invalid(name, raw, "an integer");
    }
    if (value < min || value > max) {
      throw invalid(name, raw, "between " + min + " and " + max);
    }
    return value;
  }

  public double decimal(String name, double fallback, double min, double max) {
    String raw = string(name, null);
    if (raw == null) {
      return fallback;
    }
    double value;
    try {
      value = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw invalid(name, raw, "a number");
    }
    if (!(value >= min && value <= max)) {
      throw invalid(name, raw, "between " + min + " and " + max);
    }
    return value;
  }

  /** An ISO-8601 instant with a zone ({@code 2000-01-01T00:00:00Z}), not before {@code min}. */
  public Instant instant(String name, Instant fallback, Instant min) {
    String raw = string(name, null);
    if (raw == null) {
      return fallback;
    }
    Instant value;
    try {
      value = OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException e) {
      throw invalid(name, raw, "a date-time with a zone, such as 2000-01-01T00:00:00Z");
    }
    if (value.isBefore(min)) {
      throw invalid(name, raw, "not before " + min);
    }
    return value;
  }

  public int port(String name, int fallback) {
    return integer(name, fallback, 1, 65_535);
  }

  public boolean bool(String name, boolean fallback) {
    String raw = string(name, null);
    if (raw == null) {
      return fallback;
    }
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw invalid(name, raw, "true or false");
    };
  }

  /** An absolute http(s) URL such as an S3 endpoint. */
  public URI httpUrl(String name, String fallback) {
    String raw = string(name, fallback);
    if (raw == null) {
      throw new SettingsException(name + " is not set");
    }
    try {
      URI uri = new URI(raw);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw invalid(name, raw, "an http:// or https:// URL with a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw invalid(name, raw, "an http:// or https:// URL with a host");
    }
  }

  /**
   * A name that ends up inside SQL (schema, table, role): checked here so that configuration can
   * never inject SQL.
   */
  public String identifier(String name, String fallback) {
    String raw = string(name, fallback);
    if (raw == null || !IDENTIFIER.matcher(raw).matches()) {
      throw invalid(name, raw, "a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)");
    }
    return raw;
  }

  public String bucket(String name, String fallback) {
    String raw = string(name, fallback);
    if (raw == null || !BUCKET.matcher(raw).matches()) {
      throw invalid(name, raw, "an S3 bucket name (3-63 of a-z, 0-9, '.', '-')");
    }
    return raw;
  }

  /** A path inside the lake bucket: relative, with no way out of it. */
  public String lakePath(String name, String fallback) {
    String path = string(name, fallback);
    if (path == null
        || !path.matches("[A-Za-z0-9_./-]+")
        || path.contains("..")
        || path.startsWith("/")) {
      throw invalid(name, path, "a relative path inside the bucket ([A-Za-z0-9_./-])");
    }
    return path;
  }

  /** A comma-separated list of Kafka topic names, at least one. */
  public java.util.List<String> topics(String name, String fallback) {
    String raw = string(name, fallback);
    java.util.List<String> topics =
        raw == null
            ? java.util.List.of()
            : java.util.Arrays.stream(raw.split(","))
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .distinct()
                .toList();
    if (topics.isEmpty() || !topics.stream().allMatch(t -> t.matches("[A-Za-z0-9._-]{1,249}"))) {
      throw invalid(name, raw, "a comma-separated list of Kafka topic names");
    }
    return topics;
  }

  /** A comma-separated host:port list, as Kafka's bootstrap.servers takes it. */
  public String hostPorts(String name, String fallback) {
    String raw = string(name, fallback);
    if (raw == null) {
      throw new SettingsException(name + " is not set");
    }
    for (String part : raw.split(",", -1)) {
      int colon = part.lastIndexOf(':');
      boolean ok = colon > 0 && colon < part.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(part.substring(colon + 1).trim());
          ok = port > 0 && port <= 65_535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw invalid(name, raw, "a comma-separated list of host:port");
      }
    }
    return raw;
  }

  private static SettingsException invalid(String name, String raw, String expected) {
    return new SettingsException(name + " must be " + expected + ", got '" + raw + "'");
  }
}
