package io.runnel.batch.warehouse;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
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
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Encodes Spark rows as PostgreSQL's binary COPY input: each value in the form the column type's
 * receive function reads, so PostgreSQL parses no text (times, decimals, UUIDs) and the executors
 * format none. Pure: runs on the executors, one partition at a time, and emits whole tuples in
 * chunks of about {@code chunkBytes}; the driver writes {@link #HEADER} before them and {@link
 * #TRAILER} after.
 *
 * <p>A value PostgreSQL cannot store is never altered silently: a row with text holding U+0000
 * (which PostgreSQL text cannot hold) goes into a {@link Part#REFUSED} chunk of its own, with the
 * reason as one more field, and the loader records it as refused instead of loading it. Only the
 * columns named at construction replace U+0000 with {@link #NUL_REPLACEMENT} instead.
 */
public final class CopyRows implements Serializable {
  private static final long serialVersionUID = 3L;

  /** The binary COPY signature, then flags and header-extension length, both 0. */
  static final byte[] HEADER = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
  };

  /** The end of the data: a tuple of -1 fields. */
  static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

  /**
   * What U+0000 becomes where it is replaced: in the columns named at construction, and in a
   * refused row's values (which the reason explains).
   */
  static final String NUL_REPLACEMENT = "\uFFFD";

  /** PostgreSQL's SQLSTATE for a byte its encoding cannot hold: what it reports for 0x00. */
  static final String NUL_SQLSTATE = "22021";

  /** PostgreSQL's epoch, 2000-01-01 UTC, in Unix microseconds and days. */
  private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

  private static final long PG_EPOCH_DAYS = 10_957;
  private static final int TEXT_OID = 25;
  private static final int JSONB_VERSION = 1;

  /** Delta's change type of a row's new state after an update (Silver never deletes). */
  private static final UTF8String UPDATE = UTF8String.fromString("update_postimage");

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
    JSONB,
    TEXT_ARRAY
  }

  /** The three kinds of chunk: a batch's inserts, its updates, and the rows it cannot send. */
  public enum Part {
    INSERTS,
    UPDATES,
    /** Tuples of the rows' values (U+0000 replaced), then one more field: why it was refused. */
    REFUSED
  }

  private final String[] names;
  private final Kind[] kinds;
  private final boolean[] replaceNul;
  private final int[] precision;
  private final int[] scale;
  private final int chunkBytes;

  /**
   * @param schema the rows' columns, in COPY order
   * @param pgTypes each column's PostgreSQL type name ({@code pg_type.typname}), in the same order
   * @param nulReplaced the text columns whose U+0000 is replaced with {@link #NUL_REPLACEMENT}
   *     instead of refusing the row
   */
  public CopyRows(
      StructType schema, List<String> pgTypes, Set<String> nulReplaced, int chunkBytes) {
    if (schema.size() != pgTypes.size()) {
      throw new IllegalArgumentException(schema.size() + " columns but types " + pgTypes);
    }
    if (!Set.of(schema.fieldNames()).containsAll(nulReplaced)) {
      throw new IllegalArgumentException(nulReplaced + " must be among the columns");
    }
    this.names = schema.fieldNames();
    this.replaceNul = new boolean[schema.size()];
    this.kinds = new Kind[schema.size()];
    this.precision = new int[schema.size()];
    this.scale = new int[schema.size()];
    for (int i = 0; i < kinds.length; i++) {
      DataType type = schema.fields()[i].dataType();
      kinds[i] = kind(names[i], type, pgTypes.get(i));
      replaceNul[i] = nulReplaced.contains(names[i]);
      if (type instanceof DecimalType d) {
        precision[i] = d.precision();
        scale[i] = d.scale();
      }
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
          case "int8" -> spark instanceof LongType ? Kind.INT8 : null;
          case "bool" -> spark instanceof BooleanType ? Kind.BOOL : null;
          case "numeric" -> spark instanceof DecimalType ? Kind.NUMERIC : null;
          case "timestamptz" -> spark instanceof TimestampType ? Kind.TIMESTAMPTZ : null;
          case "date" -> spark instanceof DateType ? Kind.DATE : null;
          case "bytea" -> spark instanceof BinaryType ? Kind.BYTEA : null;
          case "jsonb" -> spark instanceof StringType ? Kind.JSONB : null;
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

  /** Encoded tuples of one part of a batch. */
  public record Chunk(Part part, byte[] bytes) implements Serializable {}

  /**
   * The rows of one partition as chunks of whole tuples, read from Spark's internal rows (UTF-8
   * bytes, microseconds, days, with no Java object made per value), inserts, updates and refused
   * rows apart: the column at {@code changeType} (after the encoded ones) holds each row's Delta
   * change type, and a chunk holds rows of one {@link Part} only. A negative {@code changeType}:
   * all rows are inserts.
   */
  public Iterator<Chunk> chunks(Iterator<InternalRow> rows, int changeType) {
    if (changeType >= 0 && changeType < kinds.length) {
      throw new IllegalArgumentException("the change type must follow the encoded columns");
    }
    Part[] parts = Part.values();
    return new Iterator<>() {
      // Refused rows are rare: their buffer starts small.
      private final Buffer[] bytes = {buffer(chunkBytes), buffer(chunkBytes), buffer(1_024)};
      private final DataOutputStream[] outs = {
        new DataOutputStream(bytes[0]),
        new DataOutputStream(bytes[1]),
        new DataOutputStream(bytes[2])
      };
      private Chunk ready;

      @Override
      public boolean hasNext() {
        if (ready == null) {
          ready = fill();
        }
        return ready != null;
      }

      @Override
      public Chunk next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Chunk chunk = ready;
        ready = null;
        return chunk;
      }

      /** Encodes rows until one buffer is full; at the end, what is left in any. */
      private Chunk fill() {
        try {
          while (rows.hasNext()) {
            InternalRow row = rows.next();
            int i =
                changeType >= 0 && UPDATE.equals(row.getUTF8String(changeType))
                    ? Part.UPDATES.ordinal()
                    : Part.INSERTS.ordinal();
            int mark = bytes[i].size();
            String refusal = tuple(row, outs[i], null);
            if (refusal != null) {
              bytes[i].truncate(mark); // drop the part of the tuple written before the refusal
              i = Part.REFUSED.ordinal();
              tuple(row, outs[i], refusal);
            }
            if (bytes[i].size() >= chunkBytes) {
              return take(i);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e); // a byte array does not throw
        }
        for (int i = 0; i < bytes.length; i++) {
          if (bytes[i].size() > 0) {
            return take(i);
          }
        }
        return null;
      }

      private Chunk take(int i) {
        Chunk chunk = new Chunk(parts[i], bytes[i].toByteArray());
        bytes[i] = buffer(i == Part.REFUSED.ordinal() ? 1_024 : chunkBytes);
        outs[i] = new DataOutputStream(bytes[i]);
        return chunk;
      }
    };
  }

  /** A byte array stream that can drop what was written after a mark. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer(int size) {
      super(size);
    }

    void truncate(int size) {
      count = size;
    }
  }

  private static Buffer buffer(int bytes) {
    return new Buffer(bytes + 4_096);
  }

  /** One row as one tuple (a refused row: its values, then the reason). */
  byte[] tuple(InternalRow row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      String refusal = tuple(row, new DataOutputStream(bytes), null);
      if (refusal != null) {
        bytes.reset();
        tuple(row, new DataOutputStream(bytes), refusal);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Writes a row as one tuple. With a null {@code refusal}: returns why the row cannot be sent as
   * it is (and may have written part of the tuple), or null once it is written. With a refusal: the
   * row as a refused one, every U+0000 replaced, then the refusal as one more field.
   */
  private String tuple(InternalRow row, DataOutputStream out, String refusal) throws IOException {
    boolean refused = refusal != null;
    out.writeShort(refused ? kinds.length + 1 : kinds.length);
    for (int i = 0; i < kinds.length; i++) {
      if (row.isNullAt(i)) {
        out.writeInt(-1);
        continue;
      }
      switch (kinds[i]) {
        case TEXT -> {
          UTF8String utf8 = row.getUTF8String(i);
          byte[] text = utf8.getBytes();
          // Spark's strings may hold any bytes (a cast from binary does not check them); PostgreSQL
          // refuses a whole COPY for one invalid sequence.
          if (!utf8.isValid()) {
            if (!refused && !replaceNul[i]) {
              return notUtf8In(names[i]);
            }
            text = utf8.makeValid().getBytes();
          }
          if (hasNul(text)) {
            if (!refused && !replaceNul[i]) {
              return nulIn(names[i]);
            }
            text = withoutNul(text);
          }
          bytes(text, out);
        }
        case UUID -> {
          UUID id = uuid(row.getUTF8String(i).toString());
          out.writeInt(16);
          out.writeLong(id.getMostSignificantBits());
          out.writeLong(id.getLeastSignificantBits());
        }
        case INT4 -> {
          out.writeInt(4);
          out.writeInt(row.getInt(i));
        }
        case INT8 -> {
          out.writeInt(8);
          out.writeLong(row.getLong(i));
        }
        case BOOL -> {
          out.writeInt(1);
          out.writeByte(row.getBoolean(i) ? 1 : 0);
        }
        case NUMERIC ->
            bytes(numeric(row.getDecimal(i, precision[i], scale[i]).toJavaBigDecimal()), out);
        case TIMESTAMPTZ -> {
          // Spark's timestamps are Unix microseconds already.
          out.writeInt(8);
          out.writeLong(row.getLong(i) - PG_EPOCH_MICROS);
        }
        case DATE -> {
          // Spark's dates are Unix epoch days already.
          out.writeInt(4);
          out.writeInt(Math.toIntExact(row.getInt(i) - PG_EPOCH_DAYS));
        }
        case BYTEA -> bytes(row.getBinary(i), out);
        case JSONB -> {
          // jsonb's binary form: a version byte (1), then the JSON text. Silver wrote the text
          // with Jackson from what it parsed, within what jsonb holds (SilverRules).
          byte[] json = row.getUTF8String(i).getBytes();
          out.writeInt(json.length + 1);
          out.writeByte(JSONB_VERSION);
          out.write(json);
        }
        case TEXT_ARRAY -> {
          ArrayData elements = row.getArray(i);
          if (!refused && !replaceNul[i] && hasNul(elements)) {
            return nulIn(names[i]);
          }
          bytes(textArray(elements), out);
        }
      }
    }
    if (refused) {
      bytes(refusal.getBytes(StandardCharsets.UTF_8), out);
    }
    return null;
  }

  /** The reason a row is refused for U+0000 in a column, as the rejects table records it. */
  static String nulIn(String column) {
    return NUL_SQLSTATE
        + ": column "
        + column
        + " holds U+0000, which PostgreSQL text cannot store (shown as U+FFFD in row_values)";
  }

  /** The reason a row is refused for bytes that are not UTF-8 in a text column. */
  static String notUtf8In(String column) {
    return NUL_SQLSTATE
        + ": column "
        + column
        + " holds bytes that are not UTF-8 (shown as U+FFFD in row_values)";
  }

  private static void bytes(byte[] b, DataOutputStream out) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static boolean hasNul(byte[] utf8) {
    for (byte b : utf8) {
      if (b == 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasNul(ArrayData elements) {
    for (int j = 0; j < elements.numElements(); j++) {
      if (!elements.isNullAt(j) && hasNul(elements.getUTF8String(j).getBytes())) {
        return true;
      }
    }
    return false;
  }

  /** UTF-8 text with U+0000 replaced (in UTF-8 a zero byte is U+0000 and nothing else). */
  static byte[] withoutNul(byte[] utf8) {
    return new String(utf8, StandardCharsets.UTF_8)
        .replace("\u0000", NUL_REPLACEMENT)
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

  /**
   * text[]'s binary form: one dimension (none when empty), lower bound 1, NULL elements kept;
   * U+0000 replaced (the caller refuses the row first where it must not be).
   */
  static byte[] textArray(ArrayData elements) {
    int n = elements.numElements();
    boolean nulls = false;
    for (int j = 0; j < n; j++) {
      nulls |= elements.isNullAt(j);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeInt(n == 0 ? 0 : 1);
      out.writeInt(nulls ? 1 : 0);
      out.writeInt(TEXT_OID);
      if (n > 0) {
        out.writeInt(n);
        out.writeInt(1);
      }
      for (int j = 0; j < n; j++) {
        if (elements.isNullAt(j)) {
          out.writeInt(-1);
        } else {
          byte[] text = elements.getUTF8String(j).getBytes();
          bytes(hasNul(text) ? withoutNul(text) : text, out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
