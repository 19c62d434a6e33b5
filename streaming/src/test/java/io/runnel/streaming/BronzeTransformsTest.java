package io.runnel.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BronzeTransformsTest {
  /** The columns Spark's Kafka source produces with includeHeaders=true. */
  private static final StructType KAFKA =
      new StructType()
          .add("key", DataTypes.BinaryType)
          .add("value", DataTypes.BinaryType)
          .add("topic", DataTypes.StringType)
          .add("partition", DataTypes.IntegerType)
          .add("offset", DataTypes.LongType)
          .add("timestamp", DataTypes.TimestampType)
          .add("timestampType", DataTypes.IntegerType)
          .add(
              "headers",
              new ArrayType(
                  new StructType()
                      .add("key", DataTypes.StringType)
                      .add("value", DataTypes.BinaryType),
                  true));

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("bronze-transforms-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static Row kafkaRow(byte[] value, int partition, long offset, List<Row> headers) {
    return RowFactory.create(
        "user_7".getBytes(StandardCharsets.UTF_8),
        value,
        "events",
        partition,
        offset,
        Timestamp.valueOf("2026-11-22 10:00:00"),
        0,
        headers);
  }

  private static Row header(String key, String value) {
    return RowFactory.create(key, value.getBytes(StandardCharsets.UTF_8));
  }

  private static List<Row> bronze(Row... kafkaRows) {
    Dataset<Row> in = spark.createDataFrame(List.of(kafkaRows), KAFKA);
    return BronzeTransforms.toBronze(in).orderBy("kafka_offset").collectAsList();
  }

  @Test
  void keepsEveryRecordWithItsCoordinatesWhateverItsContent() {
    byte[] json = "{\"event_id\":\"a\"}".getBytes(StandardCharsets.UTF_8);
    byte[] broken = "{\"event_id\":".getBytes(StandardCharsets.UTF_8);
    List<Row> rows =
        bronze(
            kafkaRow(json, 0, 10, List.of()),
            kafkaRow(broken, 1, 11, null),
            kafkaRow(null, 0, 12, List.of()));

    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).<String>getAs("value")).isEqualTo("{\"event_id\":\"a\"}");
    assertThat(rows.get(1).<String>getAs("value")).isEqualTo("{\"event_id\":");
    assertThat(rows.get(2).<String>getAs("value")).isNull();
    assertThat(rows).allSatisfy(r -> assertThat(r.<byte[]>getAs("value_bytes")).isNull());
    assertThat(rows.get(1).<Integer>getAs("kafka_partition")).isEqualTo(1);
    assertThat(rows.get(1).<Long>getAs("kafka_offset")).isEqualTo(11L);
    assertThat(rows.get(1).<String>getAs("key")).isEqualTo("user_7");
    assertThat(rows.get(1).<String>getAs("topic")).isEqualTo("events");
  }

  @Test
  void invalidUtf8KeepsTheExactBytesBesideAReadableValue() {
    byte[] invalid = {'{', '"', 'x', '"', ':', (byte) 0xC3, (byte) 0x28, '}'};
    Row row = bronze(kafkaRow(invalid, 0, 1, List.of())).get(0);

    assertThat(row.<byte[]>getAs("value_bytes")).isEqualTo(invalid);
    assertThat(row.<String>getAs("value")).startsWith("{\"x\":").contains("\uFFFD");
  }

  @Test
  void theSchemaVersionComesFromItsHeader() {
    List<Row> rows =
        bronze(
            kafkaRow(
                new byte[] {'1'},
                0,
                1,
                List.of(header("other", "x"), header(BronzeTransforms.SCHEMA_VERSION_HEADER, "1"))),
            kafkaRow(new byte[] {'2'}, 0, 2, List.of(header("other", "x"))),
            kafkaRow(new byte[] {'3'}, 0, 3, null),
            // A client's header bytes that are not UTF-8 (found by the fuzzer: the warehouse
            // refused the quarantine's text); the exact bytes stay in headers.
            kafkaRow(
                new byte[] {'4'},
                0,
                4,
                List.of(
                    RowFactory.create(
                        BronzeTransforms.SCHEMA_VERSION_HEADER, new byte[] {(byte) 0xC3, '('}))));

    assertThat(rows.get(0).<String>getAs("schema_version")).isEqualTo("1");
    assertThat(rows.get(1).<String>getAs("schema_version")).isNull();
    assertThat(rows.get(2).<String>getAs("schema_version")).isNull();
    assertThat(rows.get(3).<String>getAs("schema_version")).isEqualTo("\uFFFD(");
    assertThat(rows.get(0).getList(rows.get(0).fieldIndex("headers"))).hasSize(2);
  }

  @Test
  void ingestionTimeAndItsDatePartitionAreSet() {
    Row row = bronze(kafkaRow(new byte[] {'x'}, 0, 1, List.of())).get(0);
    assertThat(row.<Timestamp>getAs("ingested_at")).isNotNull();
    assertThat(row.<java.sql.Date>getAs("ingest_date").toLocalDate())
        .isEqualTo(row.<Timestamp>getAs("ingested_at").toLocalDateTime().toLocalDate());
  }

  @Test
  void theBronzeSchemaIsStable() {
    Dataset<Row> in = spark.createDataFrame(List.of(), KAFKA);
    assertThat(BronzeTransforms.toBronze(in).columns())
        .containsExactly(
            "topic",
            "kafka_partition",
            "kafka_offset",
            "kafka_ts",
            "ingested_at",
            "ingest_date",
            "key",
            "schema_version",
            "value",
            "value_bytes",
            "headers");
  }
}
