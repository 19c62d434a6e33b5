package io.runnel.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.runnel.spark.testing.LocalSpark;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsListenerTest {
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = LocalSpark.start("metrics-listener-test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /**
   * A job stopped before its first flush, or whose only batch was already loaded, records no
   * figures; Trino and the pipeline-health dashboard still find its table (a CI run's demo ended
   * that way, and its chart failed with TABLE_NOT_FOUND).
   */
  @Test
  void theMetricsTableExistsEmptyBeforeAnyBatch(@TempDir Path dir) {
    String table = "file:" + dir.resolve("metrics");
    new MetricsListener(spark, "test", table).flush();

    assertThat(DeltaTable.isDeltaTable(spark, table)).isTrue();
    Dataset<Row> rows = spark.read().format("delta").load(table);
    // The columns an append would write (Delta makes every column of a DataFrame write nullable).
    assertThat(rows.schema().simpleString()).isEqualTo(BatchMetrics.SCHEMA.simpleString());
    assertThat(rows.count()).isZero();

    // A second job start finds it and leaves it as it is.
    long version = DeltaTable.forPath(spark, table).history(1).first().getLong(0);
    new MetricsListener(spark, "test", table).flush();
    assertThat(DeltaTable.forPath(spark, table).history(1).first().getLong(0)).isEqualTo(version);
  }
}
