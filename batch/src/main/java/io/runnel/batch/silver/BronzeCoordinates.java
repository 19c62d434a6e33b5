package io.runnel.batch.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Where a batch of Bronze rows came from in Kafka, for a failed batch's error line. */
final class BronzeCoordinates {
  private BronzeCoordinates() {}

  /**
   * "Bronze rows of events[0] offsets 10-99, events[1] offsets 7-88 (171 rows)"; a text saying why
   * not when the rows cannot be read again.
   */
  static String of(Dataset<Row> bronze) {
    try {
      List<Row> ranges =
          bronze
              .groupBy(col("topic"), col("kafka_partition"))
              .agg(min("kafka_offset"), max("kafka_offset"), count("*"))
              .orderBy(col("topic"), col("kafka_partition"))
              .collectAsList();
      return describe(ranges);
    } catch (RuntimeException e) {
      return "Bronze rows whose Kafka coordinates could not be read ("
          + e.getClass().getSimpleName()
          + ")";
    }
  }

  /** Rows of (topic, partition, first offset, last offset, rows). */
  static String describe(List<Row> ranges) {
    long rows = ranges.stream().mapToLong(r -> r.getLong(4)).sum();
    return ranges.stream()
            .map(
                r ->
                    "%s[%d] offsets %d-%d"
                        .formatted(r.getString(0), r.getInt(1), r.getLong(2), r.getLong(3)))
            .collect(Collectors.joining(", ", "Bronze rows of ", ""))
        + " ("
        + rows
        + " rows)";
  }
}
