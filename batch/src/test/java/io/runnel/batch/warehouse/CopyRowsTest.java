package io.runnel.batch.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.batch.SilverTables;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The binary COPY encoding, value by value, against the forms PostgreSQL's receive functions read
 * (its documentation and source: numeric_recv, timestamptz_recv, array_recv, uuid_recv). The round
 * trip through a real server is in WarehouseLoadIT.
 */
class CopyRowsTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType)
          .add("s", DataTypes.StringType)
          .add("d", SilverTables.MONEY)
          .add("ts", DataTypes.TimestampType)
          .add("day", DataTypes.DateType)
          .add("flag", DataTypes.BooleanType)
          .add("i", DataTypes.IntegerType)
          .add("n", DataTypes.LongType)
          .add("reasons", DataTypes.createArrayType(DataTypes.StringType))
          .add("raw", DataTypes.BinaryType);

  private static final List<String> TYPES =
      List.of(
          "uuid",
          "text",
          "numeric",
          "timestamptz",
          "date",
          "bool",
          "int4",
          "int8",
          "_text",
          "bytea");

  private final CopyRows copy = new CopyRows(SCHEMA, TYPES, Set.of(), 1 << 20);

  /** A row in Spark's internal forms: UTF-8 strings, Decimal, microseconds, epoch days. */
  private static InternalRow row(Object... values) {
    return new GenericInternalRow(values);
  }

  private static UTF8String utf8(String s) {
    return UTF8String.fromString(s);
  }

  private static GenericArrayData array(String... values) {
    return new GenericArrayData(
        Arrays.stream(values).map(v -> v == null ? null : utf8(v)).toArray());
  }

  private static long micros(String instant) {
    Instant t = Instant.parse(instant);
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void theHeaderAndTrailerAreTheDocumentedOnes() {
    assertThat(hex(CopyRows.HEADER)).isEqualTo("5047434f50590aff0d0a00" + "00000000" + "00000000");
    assertThat(hex(CopyRows.TRAILER)).isEqualTo("ffff");
  }

  @Test
  void aTupleIsItsFieldCountThenEachFieldsLengthAndBytesWithMinusOneForNull() {
    InternalRow r =
        row(
            utf8("0190f5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f"),
            utf8("é"),
            Decimal.apply(new BigDecimal("19.99")),
            micros("2000-01-01T00:00:01Z"),
            (int) LocalDate.of(2000, 1, 2).toEpochDay(),
            true,
            7,
            -2L,
            array("a"),
            new byte[] {1, 2});
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(HexFormat.of().parseHex("000a"));
    expected.writeBytes(HexFormat.of().parseHex("00000010" + "0190f5e28a4b7c3d9e1f2a3b4c5d6e7f"));
    expected.writeBytes(HexFormat.of().parseHex("00000002" + "c3a9"));
    expected.writeBytes(HexFormat.of().parseHex("0000000c" + "0002000000000002" + "001326ac"));
    expected.writeBytes(HexFormat.of().parseHex("00000008" + "00000000000f4240"));
    expected.writeBytes(HexFormat.of().parseHex("00000004" + "00000001"));
    expected.writeBytes(HexFormat.of().parseHex("00000001" + "01"));
    expected.writeBytes(HexFormat.of().parseHex("00000004" + "00000007"));
    expected.writeBytes(HexFormat.of().parseHex("00000008" + "fffffffffffffffe"));
    expected.writeBytes(
        HexFormat.of()
            .parseHex(
                "00000019"
                    + "00000001"
                    + "00000000"
                    + "00000019"
                    + "00000001"
                    + "00000001"
                    + "00000001"
                    + "61"));
    expected.writeBytes(HexFormat.of().parseHex("00000002" + "0102"));
    assertThat(hex(copy.tuple(r))).isEqualTo(hex(expected.toByteArray()));

    InternalRow nulls = row(null, null, null, null, null, null, null, null, null, null);
    assertThat(hex(copy.tuple(nulls))).isEqualTo("000a" + "ffffffff".repeat(10));
  }

  @ParameterizedTest
  @CsvSource({
    // value, ndigits weight sign dscale, digits (base 10,000)
    "19.99, 0002 0000 0000 0002, 0013 26ac",
    "0.05, 0001 ffff 0000 0002, 01f4",
    "0.00, 0000 0000 0000 0002, ''",
    "-10000, 0001 0001 4000 0000, 0001",
    "1E+3, 0001 0000 0000 0000, 03e8",
    "9999999999.99, 0004 0002 0000 0002, 0063 270f 270f 26ac",
    "12345678.9, 0003 0001 0000 0001, 04d2 162e 2328",
    "0.0001, 0001 ffff 0000 0004, 0001",
    "100.10, 0002 0000 0000 0002, 0064 03e8"
  })
  void numericsAreBase10000DigitsWithWeightSignAndScale(String value, String head, String digits) {
    assertThat(hex(CopyRows.numeric(new BigDecimal(value))))
        .isEqualTo((head + digits).replace(" ", ""));
  }

  @Test
  void timesAndDatesMoveToPostgresEpoch() {
    InternalRow r =
        row(
            null,
            null,
            null,
            micros("1999-12-31T23:59:59.999999Z"),
            -1,
            null,
            null,
            null,
            null,
            null);
    String tuple = hex(copy.tuple(r));
    // After the field count and the three NULLs: timestamptz -1 microsecond, date -10,958 days.
    assertThat(tuple.substring(4 + 3 * 8))
        .startsWith("00000008" + "ffffffffffffffff" + "00000004" + "ffffd532");
  }

  @Test
  void textArraysKeepNullElementsAndAnEmptyArrayHasNoDimension() {
    assertThat(hex(CopyRows.textArray(array()))).isEqualTo("00000000" + "00000000" + "00000019");
    assertThat(hex(CopyRows.textArray(array("a,b", null))))
        .isEqualTo(
            "00000001"
                + "00000001"
                + "00000019"
                + "00000002"
                + "00000001"
                + "00000003"
                + "612c62"
                + "ffffffff");
  }

  @Test
  void aRowWithNulInTextIsRefusedNamingTheColumnAndTheOtherRowsAreSentWhole() {
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String s = i == 2 ? "a\u0000b" : "row " + i;
      // The NUL is found after the first column was written: that part must not stay behind.
      rows.add(row(null, utf8(s), null, null, null, false, i, (long) i, null, null));
    }
    rows.add(row(null, utf8("ok"), null, null, null, true, 9, 9L, array("x", "y\u0000"), null));
    Map<CopyRows.Part, ByteArrayOutputStream> sent = sent(copy, rows);
    assertThat(sent.keySet())
        .containsExactlyInAnyOrder(CopyRows.Part.INSERTS, CopyRows.Part.REFUSED);
    List<InternalRow> accepted = new ArrayList<>(rows.subList(0, 6));
    accepted.remove(2);
    assertThat(sent.get(CopyRows.Part.INSERTS).toByteArray()).isEqualTo(tuples(accepted));

    // A refused tuple: one more field, the reason; its values with U+FFFD for U+0000.
    ByteBuffer refused = ByteBuffer.wrap(sent.get(CopyRows.Part.REFUSED).toByteArray());
    assertThat(refused.getShort()).isEqualTo((short) 11);
    refused.getInt(); // id: null
    byte[] text = new byte[refused.getInt()];
    refused.get(text);
    assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo("a\uFFFDb");
    String reason = lastField(sent.get(CopyRows.Part.REFUSED).toByteArray(), 2);
    assertThat(reason)
        .isEqualTo(
            "22021: column s holds U+0000, which PostgreSQL text cannot store (shown as U+FFFD in"
                + " row_values)");
    assertThat(lastField(sent.get(CopyRows.Part.REFUSED).toByteArray(), 1))
        .startsWith("22021: column reasons holds U+0000");
  }

  @Test
  void aRowWithBytesThatAreNotUtf8IsRefusedOrInTheNamedColumnsMadeValid() {
    // What a Spark cast from binary leaves: the fuzzer's header bytes C3 28 stopped a load.
    UTF8String bad = UTF8String.fromBytes(new byte[] {'a', (byte) 0xC3, '(', 'b'});
    InternalRow r = row(null, bad, null, null, null, null, null, null, null, null);
    Map<CopyRows.Part, ByteArrayOutputStream> sent = sent(copy, List.of(r));
    assertThat(sent.keySet()).containsExactly(CopyRows.Part.REFUSED);
    assertThat(lastField(sent.get(CopyRows.Part.REFUSED).toByteArray(), 1))
        .isEqualTo(
            "22021: column s holds bytes that are not UTF-8 (shown as U+FFFD in row_values)");

    CopyRows replacing = new CopyRows(SCHEMA, TYPES, Set.of("s"), 1 << 20);
    sent = sent(replacing, List.of(r));
    assertThat(hex(sent.get(CopyRows.Part.INSERTS).toByteArray()))
        .isEqualTo("000a" + "ffffffff" + "00000006" + "61efbfbd2862" + "ffffffff".repeat(8));
  }

  @Test
  void theColumnsNamedAtConstructionReplaceNulInstead() {
    CopyRows replacing = new CopyRows(SCHEMA, TYPES, Set.of("s", "reasons"), 1 << 20);
    InternalRow r = row(null, utf8("a\u0000b"), null, null, null, null, null, null, null, null);
    Map<CopyRows.Part, ByteArrayOutputStream> sent = sent(replacing, List.of(r));
    assertThat(sent.keySet()).containsExactly(CopyRows.Part.INSERTS);
    assertThat(hex(sent.get(CopyRows.Part.INSERTS).toByteArray()))
        .isEqualTo("000a" + "ffffffff" + "00000005" + "61efbfbd62" + "ffffffff".repeat(8));
    assertThat(hex(CopyRows.textArray(array("\u0000")))).endsWith("00000003" + "efbfbd");
    assertThat(CopyRows.withoutNul("plain é".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("plain é".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> new CopyRows(SCHEMA, TYPES, Set.of("nope"), 1_024))
        .hasMessageContaining("must be among the columns");
  }

  /** The bytes of each part, the chunks of a part concatenated. */
  private static Map<CopyRows.Part, ByteArrayOutputStream> sent(
      CopyRows encoder, List<InternalRow> rows) {
    Map<CopyRows.Part, ByteArrayOutputStream> sent = new EnumMap<>(CopyRows.Part.class);
    encoder
        .chunks(rows.iterator(), -1)
        .forEachRemaining(
            c ->
                sent.computeIfAbsent(c.part(), p -> new ByteArrayOutputStream())
                    .writeBytes(c.bytes()));
    return sent;
  }

  /**
   * The last field of the {@code nth}-last of the tuples in {@code bytes}, as text: the reason of a
   * refused tuple (every field before it skipped by its length).
   */
  private static String lastField(byte[] bytes, int nthLast) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    List<String> lasts = new ArrayList<>();
    while (b.hasRemaining()) {
      int fields = b.getShort();
      String last = null;
      for (int f = 0; f < fields; f++) {
        int length = b.getInt();
        byte[] value = new byte[Math.max(length, 0)];
        b.get(value);
        last = new String(value, StandardCharsets.UTF_8);
      }
      lasts.add(last);
    }
    return lasts.get(lasts.size() - nthLast);
  }

  @Test
  void jsonbIsItsVersionByteThenTheText() {
    CopyRows json =
        new CopyRows(
            new StructType().add("extra", DataTypes.StringType), List.of("jsonb"), Set.of(), 1024);
    assertThat(hex(json.tuple(row(utf8("{\"a\":1}")))))
        .isEqualTo("0001" + "00000008" + "01" + hex("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void onlyCanonicalUuidsAreSent() {
    assertThat(CopyRows.uuid("0190F5E2-8A4B-7C3D-9E1F-2A3B4C5D6E7F"))
        .isEqualTo(java.util.UUID.fromString("0190f5e2-8a4b-7c3d-9e1f-2a3b4c5d6e7f"));
    assertThatThrownBy(() -> CopyRows.uuid("1-2-3-4-5")).hasMessageContaining("not a UUID");
  }

  @Test
  void aSparkTypeThatDoesNotFitTheColumnStopsTheLoadBeforeAnyRow() {
    assertThatThrownBy(() -> CopyRows.kind("price", DataTypes.StringType, "numeric"))
        .hasMessage("column price: cannot load Spark string into numeric");
    assertThatThrownBy(() -> CopyRows.kind("n", DataTypes.IntegerType, "int8"))
        .hasMessage("column n: cannot load Spark int into int8");
    assertThatThrownBy(() -> CopyRows.kind("x", DataTypes.StringType, "json"))
        .hasMessageContaining("into json");
  }

  @Test
  void chunksHoldWholeTuplesAndTogetherEveryRow() {
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      rows.add(row(null, utf8("row " + i), null, null, null, false, i, (long) i, null, null));
    }
    CopyRows small = new CopyRows(SCHEMA, TYPES, Set.of(), 1_024);
    Iterator<CopyRows.Chunk> chunks = small.chunks(rows.iterator(), -1);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    int count = 0;
    while (chunks.hasNext()) {
      byte[] chunk = chunks.next().bytes();
      // Each chunk starts with a tuple: its field count.
      assertThat(ByteBuffer.wrap(chunk).getShort()).isEqualTo((short) 10);
      all.writeBytes(chunk);
      count++;
    }
    assertThat(count).isGreaterThan(10);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    rows.forEach(r -> expected.writeBytes(copy.tuple(r)));
    assertThat(all.toByteArray()).isEqualTo(expected.toByteArray());
    assertThat(small.chunks(List.<InternalRow>of().iterator(), -1).hasNext()).isFalse();
  }

  @Test
  void insertsAndUpdatesGoInChunksOfTheirOwnAndTheChangeTypeIsNotSent() {
    CopyRows small = new CopyRows(SCHEMA, TYPES, Set.of(), 1_024);
    List<InternalRow> inserts = new ArrayList<>();
    List<InternalRow> updates = new ArrayList<>();
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      boolean update = i % 7 == 0;
      Object[] values = {
        null,
        utf8("row " + i),
        null,
        null,
        null,
        update,
        i,
        (long) i,
        null,
        null,
        utf8(update ? "update_postimage" : "insert")
      };
      rows.add(new GenericInternalRow(values));
      (update ? updates : inserts).add(new GenericInternalRow(Arrays.copyOf(values, 10)));
    }
    ByteArrayOutputStream sentInserts = new ByteArrayOutputStream();
    ByteArrayOutputStream sentUpdates = new ByteArrayOutputStream();
    Iterator<CopyRows.Chunk> chunks = small.chunks(rows.iterator(), 10);
    int count = 0;
    while (chunks.hasNext()) {
      CopyRows.Chunk chunk = chunks.next();
      assertThat(ByteBuffer.wrap(chunk.bytes()).getShort()).isEqualTo((short) 10);
      (chunk.part() == CopyRows.Part.UPDATES ? sentUpdates : sentInserts).writeBytes(chunk.bytes());
      count++;
    }
    assertThat(count).isGreaterThan(5);
    assertThat(sentInserts.toByteArray()).isEqualTo(tuples(inserts));
    assertThat(sentUpdates.toByteArray()).isEqualTo(tuples(updates));
    assertThatThrownBy(() -> small.chunks(rows.iterator(), 3))
        .hasMessageContaining("must follow the encoded columns");
  }

  private byte[] tuples(List<InternalRow> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    rows.forEach(r -> out.writeBytes(copy.tuple(r)));
    return out.toByteArray();
  }
}
