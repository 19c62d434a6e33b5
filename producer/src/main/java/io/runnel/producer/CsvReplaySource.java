package io.runnel.producer;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a CSV file as JSON records, one per row: columns renamed and typed as configured, the key
 * from the key column, the event-time column checked and normalised to ISO-8601 UTC, or re-stamped
 * to the send time. A malformed row is reported with its line number, then skipped or fatal.
 */
final class CsvReplaySource implements RecordSource {
  private static final Logger LOG = LoggerFactory.getLogger(CsvReplaySource.class);

  /** After this many, malformed rows are only counted (the summary has the total). */
  private static final int MAX_REPORTED = 100;

  /** The JSON type a column's values are written as. */
  enum ColumnType {
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN;

    static ColumnType parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown column type '" + name + "' (string, integer, number or boolean)");
      }
    }
  }

  /** Opens the input again for each pass. */
  interface Input {
    String name();

    InputStream open() throws IOException;
  }

  /**
   * How rows become records.
   *
   * @param keyColumn the column whose value is the Kafka key (null: no key)
   * @param timeColumn the event-time column (null: none)
   * @param restamp replace the event time with the send time
   * @param rename column → JSON field name
   * @param types column → JSON type (others are strings)
   * @param loop start again at the end of the file
   * @param skipMalformed report a malformed row and go on (otherwise it stops the run)
   */
  record Options(
      String keyColumn,
      String timeColumn,
      boolean restamp,
      Map<String, String> rename,
      Map<String, ColumnType> types,
      boolean loop,
      boolean skipMalformed) {
    Options {
      rename = Map.copyOf(rename);
      types = Map.copyOf(types);
      if (restamp && timeColumn == null) {
        throw new IllegalArgumentException("re-stamping needs an event-time column");
      }
    }
  }

  /** A change applied to every row before it is written (e.g. the catalog's price drift). */
  interface RowTransform {
    void apply(Map<String, Object> row, long pass);
  }

  /** A row that stops the run: {@code file:line: reason}. */
  static final class MalformedInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedInputException(String message) {
      super(message);
    }
  }

  private final Input input;
  private final Options options;
  private final List<Header> headers;
  private final RowTransform transform;
  private final EventJson time = new EventJson();
  private final StringBuilder out = new StringBuilder(512);
  private CsvRows rows;
  private List<String> fieldNames;
  private long pass;
  private long sentThisPass;
  private long malformed;

  CsvReplaySource(Input input, Options options, List<Header> headers, RowTransform transform)
      throws IOException, CsvRows.MalformedRowException {
    this.input = input;
    this.options = options;
    this.headers = List.copyOf(headers);
    this.transform = transform;
    openPass();
    List<String> header = rows.header();
    check(header, options.keyColumn(), "--key-column");
    check(header, options.timeColumn(), "--time-column");
    options.rename().keySet().forEach(c -> check(header, c, "--rename"));
    options.types().keySet().forEach(c -> check(header, c, "--type"));
    fieldNames = new ArrayList<>();
    for (String column : header) {
      fieldNames.add(options.rename().getOrDefault(column, column));
    }
  }

  private void check(List<String> header, String column, String option) {
    if (column != null && !header.contains(column)) {
      throw new IllegalArgumentException(
          option
              + " names column '"
              + column
              + "', which "
              + input.name()
              + " does not have"
              + " (columns: "
              + String.join(", ", header)
              + ")");
    }
  }

  private void openPass() throws IOException {
    if (rows != null) {
      rows.close();
    }
    try {
      rows = new CsvRows(input.open());
    } catch (CsvRows.MalformedRowException e) {
      throw new MalformedInputException(input.name() + ":" + e.line() + ": " + e.reason());
    }
    pass++;
    sentThisPass = 0;
  }

  @Override
  public OutgoingRecord next(long sendTimeMillis) throws Exception {
    while (true) {
      CsvRows.Row row;
      try {
        row = rows.next();
        if (row == null) {
          if (!options.loop() || sentThisPass == 0) {
            return null;
          }
          openPass();
          continue;
        }
        OutgoingRecord record = toRecord(row, sendTimeMillis);
        sentThisPass++;
        return record;
      } catch (CsvRows.MalformedRowException e) {
        malformed(e);
      }
    }
  }

  private void malformed(CsvRows.MalformedRowException e) {
    String where = input.name() + ":" + e.line() + ": ";
    if (!options.skipMalformed()) {
      throw new MalformedInputException(
          where + e.reason() + " (use --on-malformed skip to skip such rows)");
    }
    malformed++;
    if (malformed <= MAX_REPORTED) {
      LOG.warn("{}{} (skipped)", where, e.reason());
    } else if (malformed == MAX_REPORTED + 1) {
      LOG.warn("more malformed rows: from now on only counted (see the summary)");
    }
  }

  OutgoingRecord toRecord(CsvRows.Row row, long sendTimeMillis)
      throws CsvRows.MalformedRowException {
    List<String> header = rows.header();
    Map<String, Object> values = new LinkedHashMap<>();
    String key = null;
    for (int i = 0; i < header.size(); i++) {
      String column = header.get(i);
      String raw = row.fields().get(i);
      if (column.equals(options.keyColumn())) {
        if (raw == null || raw.isEmpty()) {
          throw new CsvRows.MalformedRowException(
              row.line(), "the key column '" + column + "' is empty");
        }
        key = raw;
      }
      Object value;
      if (column.equals(options.timeColumn())) {
        value =
            options.restamp() ? time.isoTime(sendTimeMillis) : eventTime(row.line(), column, raw);
      } else {
        value = typed(row.line(), column, raw);
      }
      values.put(fieldNames.get(i), value);
    }
    if (transform != null) {
      transform.apply(values, pass);
    }
    out.setLength(0);
    out.append('{');
    for (Map.Entry<String, Object> field : values.entrySet()) {
      Json.name(out, field.getKey());
      Object v = field.getValue();
      if (v == null) {
        out.append("null");
      } else if (v instanceof String s) {
        Json.string(out, s);
      } else if (v instanceof BigDecimal d) {
        out.append(d.toPlainString());
      } else {
        out.append(v);
      }
    }
    out.append('}');
    return new OutgoingRecord(key, out.toString().getBytes(StandardCharsets.UTF_8));
  }

  private Object typed(long line, String column, String raw) throws CsvRows.MalformedRowException {
    ColumnType type = options.types().getOrDefault(column, ColumnType.STRING);
    if (raw == null || type == ColumnType.STRING) {
      return raw;
    }
    String v = raw.trim();
    try {
      return switch (type) {
        case INTEGER -> Long.parseLong(v);
        case NUMBER -> new BigDecimal(v);
        case BOOLEAN ->
            switch (v.toLowerCase(Locale.ROOT)) {
              case "true", "yes", "1" -> Boolean.TRUE;
              case "false", "no", "0" -> Boolean.FALSE;
              default -> throw new NumberFormatException();
            };
        case STRING -> raw;
      };
    } catch (NumberFormatException e) {
      throw new CsvRows.MalformedRowException(
          line,
          "column '"
              + column
              + "': '"
              + raw
              + "' is not "
              + (type == ColumnType.INTEGER ? "an " : "a ")
              + type.name().toLowerCase(Locale.ROOT));
    }
  }

  /** ISO-8601 with an offset or Z, or without one (taken as UTC), to ISO-8601 UTC. */
  private String eventTime(long line, String column, String raw)
      throws CsvRows.MalformedRowException {
    if (raw == null || raw.isBlank()) {
      throw new CsvRows.MalformedRowException(
          line, "the event-time column '" + column + "' is empty");
    }
    String v = raw.trim();
    Instant instant;
    try {
      instant = OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeException e) {
      try {
        instant = LocalDateTime.parse(v.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
      } catch (DateTimeException e2) {
        throw new CsvRows.MalformedRowException(
            line, "the event-time column '" + column + "' has '" + raw + "', not an ISO-8601 time");
      }
    }
    return time.isoTime(instant.toEpochMilli());
  }

  @Override
  public List<Header> headers() {
    return headers;
  }

  @Override
  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("malformed rows skipped", malformed);
    counts.put("passes over the file", pass);
    return counts;
  }

  @Override
  public void close() throws IOException {
    rows.close();
  }
}
