package io.runnel.batch.warehouse;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * Encodes Spark rows as PostgreSQL COPY input (its CSV dialect: an unquoted empty field is NULL, a
 * quoted one an empty string). Pure: runs on the executors, one partition at a time, and emits the
 * text in chunks of about {@code chunkBytes} so the driver can stream them into COPY.
 */
public final class CopyRows implements Serializable {
  private static final long serialVersionUID = 1L;

  /** PostgreSQL's CSV: comma, double quotes, every non-null value quoted, "\n" between records. */
  static final CSVFormat FORMAT = CSVFormat.POSTGRESQL_CSV;

  /** PostgreSQL text cannot hold U+0000; COPY would reject the whole batch for one such row. */
  static final String NUL_REPLACEMENT = "\uFFFD";

  private final StructType schema;
  private final int chunkBytes;

  public CopyRows(StructType schema, int chunkBytes) {
    this.schema = schema;
    this.chunkBytes = chunkBytes;
  }

  /** The rows of one partition as UTF-8 chunks of whole records. */
  public Iterator<byte[]> chunks(Iterator<Row> rows) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public byte[] next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        StringBuilder text = new StringBuilder(chunkBytes + 4_096);
        try (CSVPrinter printer = new CSVPrinter(text, FORMAT)) {
          List<String> values = new ArrayList<>(schema.size());
          while (rows.hasNext() && text.length() < chunkBytes) {
            encode(rows.next(), values);
            printer.printRecord(values);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
      }
    };
  }

  /** One row as one CSV record (with its line end). */
  public String record(Row row) {
    StringBuilder text = new StringBuilder();
    try (CSVPrinter printer = new CSVPrinter(text, FORMAT)) {
      List<String> values = new ArrayList<>(schema.size());
      encode(row, values);
      printer.printRecord(values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private void encode(Row row, List<String> values) {
    values.clear();
    for (int i = 0; i < schema.size(); i++) {
      DataType type = schema.fields()[i].dataType();
      if (row.isNullAt(i)) {
        values.add(null);
      } else if (type instanceof ArrayType) {
        values.add(array(row.getList(i)));
      } else if (type instanceof BinaryType) {
        values.add(bytea((byte[]) row.get(i)));
      } else {
        values.add(value(row.get(i)));
      }
    }
  }

  /** A scalar in the text form PostgreSQL's input functions read. */
  static String value(Object v) {
    if (v instanceof String s) {
      return s.indexOf('\u0000') < 0 ? s : s.replace("\u0000", NUL_REPLACEMENT);
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Timestamp t) {
      return DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
    }
    if (v instanceof Instant t) {
      return DateTimeFormatter.ISO_INSTANT.format(t);
    }
    if (v instanceof Date d) {
      // Spark builds java.sql.Date in the JVM's zone, so toLocalDate gives back the same day.
      return d.toLocalDate().toString();
    }
    if (v instanceof LocalDate d) {
      return d.toString();
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    throw new IllegalArgumentException("no COPY encoding for " + v.getClass().getName());
  }

  /** bytea's hex input form. */
  static String bytea(byte[] bytes) {
    return "\\x" + HexFormat.of().formatHex(bytes);
  }

  /** An array literal: {"a","b",NULL}, every element quoted with \ and " escaped. */
  static String array(List<?> elements) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < elements.size(); i++) {
      if (i > 0) {
        s.append(',');
      }
      Object e = elements.get(i);
      if (e == null) {
        s.append("NULL");
      } else {
        s.append('"').append(value(e).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      }
    }
    return s.append('}').toString();
  }
}
