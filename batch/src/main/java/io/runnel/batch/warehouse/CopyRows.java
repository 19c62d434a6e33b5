package io.runnel.batch.warehouse;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Encodes Spark rows as PostgreSQL's binary COPY input: each value in the form the column type's
 * receive function reads, so PostgreSQL parses no text (times, decimals, UUIDs) and the executors
 * format none. Pure: runs on the executors, one partition at a time, and emits whole tuples in
 * chunks of about {@code chunkBytes}; the driver writes {@link #HEADER} before them and {@link
 * #TRAILER} after.
 */
public final class CopyRows implements Serializable {
  private static final long serialVersionUID = 2L;

  /** The binary COPY signature, then flags and header-extension length, both 0. */
  static final byte[] HEADER = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
  };

  /** The end of the data: a tuple of -1 fields. */
  static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

  /** PostgreSQL text cannot hold U+0000; COPY would reject the whole batch for one such row. */
  static final String NUL_REPLACEMENT = "\uFFFD";

  /** PostgreSQL's epoch, 2000-01-01 UTC, in Unix microseconds and days. */
  private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

  private static final long PG_EPOCH_DAYS = 10_957;
  private static final int TEXT_OID = 25;
  private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

  /** How a column is sent: one per PostgreSQL type the Silver tables use. */
  enum Kind {
    TEXT,
    UUID,
    INT4,
    INT8,
    BOOL,
    NUMERIC,
    TIMESTAMPTZ,
    DATE,
    BYTEA,
    TEXT_ARRAY
  }

  private final Kind[] kinds;
  private final int chunkBytes;

  /**
   * @param schema the rows' columns, in COPY order
   * @param pgTypes each column's PostgreSQL type name ({@code pg_type.typname}), in the same order
   */
  public CopyRows(StructType schema, List<String> pgTypes, int chunkBytes) {
    if (schema.size() != pgTypes.size()) {
      throw new IllegalArgumentException(schema.size() + " columns but types " + pgTypes);
    }
    this.kinds = new Kind[schema.size()];
    for (int i = 0; i < kinds.length; i++) {
      kinds[i] = kind(schema.fields()[i].name(), schema.fields()[i].dataType(), pgTypes.get(i));
    }
    this.chunkBytes = chunkBytes;
  }

  /** The encoding of a Spark column into a PostgreSQL column; throws for a pair it cannot send. */
  static Kind kind(String column, DataType spark, String pg) {
    Kind kind =
        switch (pg) {
          case "text", "varchar", "bpchar" -> spark instanceof StringType ? Kind.TEXT : null;
          case "uuid" -> spark instanceof StringType ? Kind.UUID : null;
          case "int4" -> spark instanceof IntegerType ? Kind.INT4 : null;
          case "int8" ->
              spark instanceof LongType || spark instanceof IntegerType ? Kind.INT8 : null;
          case "bool" -> spark instanceof BooleanType ? Kind.BOOL : null;
          case "numeric" -> spark instanceof DecimalType ? Kind.NUMERIC : null;
          case "timestamptz" -> spark instanceof TimestampType ? Kind.TIMESTAMPTZ : null;
          case "date" -> spark instanceof DateType ? Kind.DATE : null;
          case "bytea" -> spark instanceof BinaryType ? Kind.BYTEA : null;
          case "_text" ->
              spark instanceof ArrayType a && a.elementType() instanceof StringType
                  ? Kind.TEXT_ARRAY
                  : null;
          default -> null;
        };
    if (kind == null) {
      throw new IllegalArgumentException(
          "column " + column + ": cannot load Spark " + spark.simpleString() + " into " + pg);
    }
    return kind;
  }

  /** The rows of one partition as chunks of whole tuples. */
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(chunkBytes + 4_096);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
          while (rows.hasNext() && bytes.size() < chunkBytes) {
            tuple(rows.next(), out);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e); // a byte array does not throw
        }
        return bytes.toByteArray();
      }
    };
  }

  /** One row as one tuple. */
  byte[] tuple(Row row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      tuple(row, new DataOutputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private void tuple(Row row, DataOutputStream out) throws IOException {
    out.writeShort(kinds.length);
    for (int i = 0; i < kinds.length; i++) {
      if (row.isNullAt(i)) {
        out.writeInt(-1);
      } else if (kinds[i] == Kind.TEXT_ARRAY) {
        bytes(textArray(row.getList(i)), out);
      } else {
        field(kinds[i], row.get(i), out);
      }
    }
  }

  private static void field(Kind kind, Object v, DataOutputStream out) throws IOException {
    switch (kind) {
      case TEXT -> bytes(text((String) v), out);
      case UUID -> {
        UUID id = uuid((String) v);
        out.writeInt(16);
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
      }
      case INT4 -> {
        out.writeInt(4);
        out.writeInt((Integer) v);
      }
      case INT8 -> {
        out.writeInt(8);
        out.writeLong(((Number) v).longValue());
      }
      case BOOL -> {
        out.writeInt(1);
        out.writeByte((Boolean) v ? 1 : 0);
      }
      case NUMERIC -> bytes(numeric((BigDecimal) v), out);
      case TIMESTAMPTZ -> {
        out.writeInt(8);
        out.writeLong(micros(v) - PG_EPOCH_MICROS);
      }
      case DATE -> {
        out.writeInt(4);
        out.writeInt(Math.toIntExact(day(v) - PG_EPOCH_DAYS));
      }
      case BYTEA, TEXT_ARRAY -> bytes((byte[]) v, out);
    }
  }

  private static void bytes(byte[] b, DataOutputStream out) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  /** Text as UTF-8, with U+0000 (which PostgreSQL text cannot hold) replaced. */
  static byte[] text(String s) {
    return (s.indexOf('\u0000') < 0 ? s : s.replace("\u0000", NUL_REPLACEMENT))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A UUID in its canonical form only (8-4-4-4-12 hex digits), as Silver writes them. */
  static UUID uuid(String s) {
    if (s.length() != 36
        || s.charAt(8) != '-'
        || s.charAt(13) != '-'
        || s.charAt(18) != '-'
        || s.charAt(23) != '-') {
      throw new IllegalArgumentException("not a UUID: '" + s + "'");
    }
    return UUID.fromString(s);
  }

  /**
   * Unix microseconds of a Spark timestamp (java.sql.Timestamp, or Instant with the Java 8 API).
   */
  static long micros(Object v) {
    Instant t = v instanceof Timestamp ts ? ts.toInstant() : (Instant) v;
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  /** The epoch day of a Spark date; Spark builds java.sql.Date in the JVM's zone. */
  static long day(Object v) {
    return (v instanceof Date d ? d.toLocalDate() : (LocalDate) v).toEpochDay();
  }

  /**
   * numeric's binary form: digit count, weight, sign and display scale, then the digits in base
   * 10,000, most significant first, without leading or trailing zero digits.
   */
  static byte[] numeric(BigDecimal value) {
    BigDecimal d = value.scale() < 0 ? value.setScale(0) : value;
    int scale = d.scale();
    // Scale the fraction up to whole base-10,000 digits: the value becomes an integer.
    int fractionDigits = (scale + 3) / 4;
    BigInteger n = d.unscaledValue().abs().multiply(BigInteger.TEN.pow(fractionDigits * 4 - scale));
    List<Integer> digits = new ArrayList<>();
    while (n.signum() > 0) {
      BigInteger[] qr = n.divideAndRemainder(TEN_THOUSAND);
      digits.add(0, qr[1].intValue());
      n = qr[0];
    }
    int weight = digits.size() - fractionDigits - 1;
    while (!digits.isEmpty() && digits.get(digits.size() - 1) == 0) {
      digits.remove(digits.size() - 1);
    }
    if (digits.isEmpty()) {
      weight = 0;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + 2 * digits.size());
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeShort(digits.size());
      out.writeShort(weight);
      out.writeShort(d.signum() < 0 ? 0x4000 : 0);
      out.writeShort(scale);
      for (int digit : digits) {
        out.writeShort(digit);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** text[]'s binary form: one dimension (none when empty), lower bound 1, NULL elements kept. */
  static byte[] textArray(List<?> elements) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeInt(elements.isEmpty() ? 0 : 1);
      out.writeInt(elements.stream().anyMatch(java.util.Objects::isNull) ? 1 : 0);
      out.writeInt(TEXT_OID);
      if (!elements.isEmpty()) {
        out.writeInt(elements.size());
        out.writeInt(1);
      }
      for (Object e : elements) {
        if (e == null) {
          out.writeInt(-1);
        } else {
          bytes(text(e.toString()), out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
