package io.runnel.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import io.runnel.batch.SilverTables;
import io.runnel.common.Fence;
import io.runnel.spark.testing.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyed write of a batch on a local Delta table: one row per key, the lowest Kafka coordinates
 * winning across batches, and a batch run again after a crash writing nothing twice and reporting
 * the same counts.
 */
class SilverWriterTest {
  /** A keyed table shaped like Silver's: a key, a value and the Kafka coordinates. */
  private static final SilverTables.Table TABLE =
      new SilverTables.Table(
          "things",
          List.of("id"),
          null,
          List.of(),
          new StructType()
              .add("id", DataTypes.StringType, false)
              .add("value", DataTypes.StringType, false)
              .add("source_topic", DataTypes.StringType, false)
              .add("source_partition", DataTypes.IntegerType, false)
              .add("source_offset", DataTypes.LongType, false));

  private static SparkSession spark;

  @TempDir Path dir;
  private String location;

  @BeforeAll
  static void startSpark() {
    spark = LocalSpark.start("silver-writer-test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @BeforeEach
  void createTable() {
    location = "file:" + dir.resolve("things");
    TABLE.createIfMissing(spark, location);
  }

  private static Row row(String id, String value, int partition, long offset) {
    return RowFactory.create(id, value, "events", partition, offset);
  }

  private static Dataset<Row> rows(Row... rows) {
    return spark.createDataFrame(List.of(rows), TABLE.schema());
  }

  private Map<String, String> table() {
    Map<String, String> m = new TreeMap<>();
    for (Row r : spark.read().format("delta").load(location).collectAsList()) {
      m.put(r.getString(0), r.getString(1) + "@" + r.getInt(3) + ":" + r.getLong(4));
    }
    return m;
  }

  private long version() {
    return DeltaTable.forPath(spark, location).history(1).first().getLong(0);
  }

  @Test
  void duplicatesCollapseToTheLowestCoordinatesWithinAndAcrossBatches() {
    SilverWriter first = new SilverWriter(spark, "test", 0, Fence.NONE);
    SilverWriter.Written a =
        first.winners(
            TABLE,
            location,
            rows(row("a", "a1", 1, 10), row("a", "a0", 0, 50), row("b", "b1", 1, 11)));
    assertThat(a).isEqualTo(new SilverWriter.Written(2, 0));

    SilverWriter second = new SilverWriter(spark, "test", 1, Fence.NONE);
    SilverWriter.Written b =
        second.winners(
            TABLE,
            location,
            rows(
                row("a", "late copy", 1, 99), // later than the winner: a duplicate
                row("b", "b0", 0, 3), // earlier than the winner: replaces it
                row("c", "c1", 1, 12)));
    assertThat(b).isEqualTo(new SilverWriter.Written(1, 1));
    assertThat(table())
        .containsExactlyEntriesOf(
            new TreeMap<>(Map.of("a", "a0@0:50", "b", "b0@0:3", "c", "c1@1:12")));
  }

  @Test
  void aBatchRunAgainAfterItsCommitsWritesNothingAndReportsTheSameCounts() {
    new SilverWriter(spark, "test", 0, Fence.NONE)
        .winners(TABLE, location, rows(row("a", "a1", 1, 10), row("b", "b1", 1, 11)));
    Dataset<Row> batch = rows(row("b", "b0", 0, 3), row("c", "c1", 1, 12), row("c", "c2", 1, 13));
    SilverWriter.Written once =
        new SilverWriter(spark, "test", 1, Fence.NONE).winners(TABLE, location, batch);
    Map<String, String> after = table();
    long version = version();

    SilverWriter.Written again =
        new SilverWriter(spark, "test", 1, Fence.NONE).winners(TABLE, location, batch);

    assertThat(again).isEqualTo(once).isEqualTo(new SilverWriter.Written(1, 1));
    assertThat(version()).as("no commit the second time").isEqualTo(version);
    assertThat(table()).isEqualTo(after);
  }

  /**
   * Issue 21: each commit is preceded by the fence's check, so a writer whose lease was taken over
   * while it was paused commits nothing from then on; this fence lets one commit through.
   */
  @Test
  void aFencedWriterCommitsNothingAfterTheFenceRefuses() {
    new SilverWriter(spark, "test", 0, Fence.NONE)
        .winners(TABLE, location, rows(row("a", "a1", 1, 10), row("b", "b1", 1, 11)));
    Map<String, String> before = table();
    long version = version();
    Dataset<Row> batch = rows(row("b", "b0", 0, 3), row("c", "c1", 1, 12));
    Fence refusing =
        () -> {
          throw new Fence.FencedException("fenced: test");
        };

    assertThatThrownBy(
            () -> new SilverWriter(spark, "test", 1, refusing).winners(TABLE, location, batch))
        .isInstanceOf(Fence.FencedException.class);
    assertThat(version()).as("no commit").isEqualTo(version);
    assertThat(table()).isEqualTo(before);

    int[] confirms = {0};
    Fence onceOnly =
        () -> {
          if (++confirms[0] > 1) {
            throw new Fence.FencedException("fenced: test");
          }
        };
    assertThatThrownBy(
            () -> new SilverWriter(spark, "test", 1, onceOnly).winners(TABLE, location, batch))
        .isInstanceOf(Fence.FencedException.class);
    assertThat(version()).as("the new rows' append only, not the MERGE").isEqualTo(version + 1);
    assertThat(table()).containsEntry("b", "b1@1:11").containsEntry("c", "c1@1:12");
  }

  @Test
  void aBatchCutBetweenItsTwoCommitsDoesTheRestOnly() {
    new SilverWriter(spark, "test", 0, Fence.NONE)
        .winners(TABLE, location, rows(row("b", "b1", 1, 11)));
    // What the first attempt of batch 1 committed before the crash: its append of the new key.
    rows(row("c", "c1", 1, 12))
        .write()
        .format("delta")
        .mode("append")
        .option("txnAppId", "test-things-new")
        .option("txnVersion", 1)
        .option("userMetadata", "test-things-new@1")
        .save(location);

    SilverWriter.Written rerun =
        new SilverWriter(spark, "test", 1, Fence.NONE)
            .winners(TABLE, location, rows(row("b", "b0", 0, 3), row("c", "c1", 1, 12)));

    assertThat(rerun).isEqualTo(new SilverWriter.Written(1, 1));
    assertThat(table())
        .containsExactlyEntriesOf(new TreeMap<>(Map.of("b", "b0@0:3", "c", "c1@1:12")));
  }

  @Test
  void aReplayOfRowsAlreadyThereChangesNothing() {
    Dataset<Row> batch = rows(row("a", "a1", 1, 10), row("b", "b1", 1, 11));
    new SilverWriter(spark, "test", 0, Fence.NONE).winners(TABLE, location, batch);
    long version = version();

    SilverWriter.Written replay =
        new SilverWriter(spark, "replay-1", 0, Fence.NONE).winners(TABLE, location, batch);

    assertThat(replay).isEqualTo(new SilverWriter.Written(0, 0));
    assertThat(version()).isEqualTo(version);
  }
}
