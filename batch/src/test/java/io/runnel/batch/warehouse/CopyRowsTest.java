package io.runnel.batch.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.batch.SilverTables;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class CopyRowsTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("s", DataTypes.StringType)
          .add("d", SilverTables.MONEY)
          .add("ts", DataTypes.TimestampType)
          .add("day", DataTypes.DateType)
          .add("flag", DataTypes.BooleanType)
          .add("n", DataTypes.LongType)
          .add("reasons", DataTypes.createArrayType(DataTypes.StringType))
          .add("raw", DataTypes.BinaryType);

  private final CopyRows copy = new CopyRows(SCHEMA, 1 << 20);

  private static Row row(Object... values) {
    return RowFactory.create(values);
  }

  /** Arrays reach the encoder as Scala sequences, as Spark hands them over. */
  private static Object seq(List<String> values) {
    return scala.jdk.javaapi.CollectionConverters.asScala(values).toList();
  }

  @Test
  void everyNonNullValueIsQuotedAndNullIsAnEmptyUnquotedField() {
    Row r =
        row(
            "",
            new BigDecimal("12.50"),
            Timestamp.from(Instant.parse("2026-11-22T03:41:34.423456Z")),
            Date.valueOf(LocalDate.of(2026, 11, 22)),
            true,
            42L,
            seq(List.of("a")),
            new byte[] {(byte) 0xC3, 0x28});
    assertThat(copy.record(r))
        .isEqualTo(
            "\"\",\"12.50\",\"2026-11-22T03:41:34.423456Z\",\"2026-11-22\",\"true\",\"42\","
                + "\"{\"\"a\"\"}\",\"\\xc328\"\n");
    assertThat(copy.record(row(null, null, null, null, null, null, null, null)))
        .isEqualTo(",,,,,,,\n");
  }

  @Test
  void quotesCommasAndNewlinesSurviveARoundTrip() throws Exception {
    String nasty = "say \"hi\", then\nleave\r\n\\ back";
    String text = copy.record(row(nasty, null, null, null, null, null, null, null));
    try (CSVParser parser = CSVParser.parse(text, CopyRows.FORMAT)) {
      CSVRecord rec = parser.getRecords().get(0);
      assertThat(rec.get(0)).isEqualTo(nasty);
      assertThat(rec.get(1)).isNull();
    }
  }

  @Test
  void decimalsAreNeverInScientificNotation() {
    assertThat(CopyRows.value(new BigDecimal("1E+3"))).isEqualTo("1000");
    assertThat(CopyRows.value(new BigDecimal("0.00000001"))).isEqualTo("0.00000001");
  }

  @Test
  void timestampsAreUtcInstantsWhateverTheJvmZone() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(CopyRows.value(Timestamp.from(t))).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(CopyRows.value(t)).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(CopyRows.value(LocalDate.of(2026, 2, 28))).isEqualTo("2026-02-28");
  }

  @Test
  void arraysBecomePostgresArrayLiteralsWithEveryElementEscaped() {
    assertThat(CopyRows.array(List.of())).isEqualTo("{}");
    assertThat(CopyRows.array(Arrays.asList("a,b", "say \"x\"", "back\\slash", null, "{}")))
        .isEqualTo("{\"a,b\",\"say \\\"x\\\"\",\"back\\\\slash\",NULL,\"{}\"}");
  }

  @Test
  void nulCharactersWhichPostgresTextCannotHoldAreReplaced() {
    assertThat(CopyRows.value("a\u0000b")).isEqualTo("a\uFFFDb");
  }

  @Test
  void chunksHoldWholeRecordsAndTogetherEveryRow() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      rows.add(row("row " + i + "\nsecond line", null, null, null, false, (long) i, null, null));
    }
    CopyRows small = new CopyRows(SCHEMA, 1_024);
    Iterator<byte[]> chunks = small.chunks(rows.iterator());
    StringBuilder all = new StringBuilder();
    int count = 0;
    while (chunks.hasNext()) {
      String chunk = new String(chunks.next(), StandardCharsets.UTF_8);
      assertThat(chunk).endsWith("\n");
      all.append(chunk);
      count++;
    }
    assertThat(count).isGreaterThan(10);
    assertThat(all.toString()).isEqualTo(String.join("", rows.stream().map(copy::record).toList()));
    assertThat(small.chunks(List.<Row>of().iterator()).hasNext()).isFalse();
  }
}
