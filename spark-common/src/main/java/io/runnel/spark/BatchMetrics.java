package io.runnel.spark;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** One micro-batch of one job, as logged and as stored in the metrics table. */
public record BatchMetrics(
    String job,
    String queryId,
    String runId,
    long batchId,
    Instant batchTime,
    long rowsIn,
    long rowsOut,
    double inputRowsPerSecond,
    double processedRowsPerSecond,
    long durationMs,
    long kafkaLag) {

  public static final StructType SCHEMA =
      new StructType()
          .add("job", DataTypes.StringType, false)
          .add("query_id", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, false)
          .add("batch_id", DataTypes.LongType, false)
          .add("batch_ts", DataTypes.TimestampType, false)
          .add("rows_in", DataTypes.LongType, false)
          .add("rows_out", DataTypes.LongType, false)
          .add("input_rows_per_second", DataTypes.DoubleType, false)
          .add("processed_rows_per_second", DataTypes.DoubleType, false)
          .add("duration_ms", DataTypes.LongType, false)
          .add("kafka_lag", DataTypes.LongType, false)
          .add("recorded_at", DataTypes.TimestampType, false);

  public Row toRow(Instant recordedAt) {
    return RowFactory.create(
        job,
        queryId,
        runId,
        batchId,
        Timestamp.from(batchTime),
        rowsIn,
        rowsOut,
        inputRowsPerSecond,
        processedRowsPerSecond,
        durationMs,
        kafkaLag,
        Timestamp.from(recordedAt));
  }

  public static List<Row> rows(List<BatchMetrics> metrics, Instant recordedAt) {
    return metrics.stream().map(m -> m.toRow(recordedAt)).toList();
  }

  /** The progress line a job prints for each batch. */
  public String logLine() {
    return String.format(
        "%s batch %d: %,d rows in %,d ms (%,.0f rows/s)%s",
        job,
        batchId,
        rowsIn,
        durationMs,
        processedRowsPerSecond,
        kafkaLag >= 0 ? String.format(", Kafka lag %,d", kafkaLag) : "");
  }
}
