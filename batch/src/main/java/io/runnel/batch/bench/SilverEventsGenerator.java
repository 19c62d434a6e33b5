package io.runnel.batch.bench;

import io.runnel.batch.SilverTables;
import io.runnel.common.Env;
import io.runnel.common.S3Settings;
import io.runnel.spark.LakeSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Writes synthetic Silver tables for the load benchmark (and the load tests): all four tables, with
 * {@code --rows} events in {@code --files} files in one commit; the other three stay empty. Events
 * look like the producer's: time-ordered ids, a mix of event types, some awkward text.
 *
 * <p>{@code spark-submit --class io.runnel.batch.bench.SilverEventsGenerator runnel-batch.jar
 * --root _bench/load/silver --rows 1000000 --files 8}
 */
public final class SilverEventsGenerator {
  private SilverEventsGenerator() {}

  public static void main(String[] args) {
    String root = arg(args, "--root", null);
    long rows = Long.parseLong(arg(args, "--rows", "1000000"));
    int files = Integer.parseInt(arg(args, "--files", "8"));
    S3Settings s3 = S3Settings.fromEnv(Env.system());
    SparkSession spark = LakeSession.create("runnel-bench-silver-events", s3);
    try {
      for (SilverTables.Table t : SilverTables.ALL) {
        t.createIfMissing(spark, s3.lakeUri(t.path(root)));
      }
      events(spark, 0, rows, 0, "true")
          .repartition(files)
          .write()
          .format("delta")
          .mode("append")
          .save(s3.lakeUri(SilverTables.EVENTS.path(root)));
      System.out.printf("wrote %,d events in %d files to %s%n", rows, files, root);
    } finally {
      spark.stop();
    }
  }

  /**
   * Events {@code from} to {@code from + n - 1} (those matching {@code where}, a condition on
   * {@code id}), in the Silver events schema; {@code offsetShift} moves their Kafka offsets, so the
   * same ids can be written again as other winners.
   */
  public static Dataset<Row> events(
      SparkSession spark, long from, long n, long offsetShift, String where) {
    String ts = "timestamp_micros(1790000000000000 + id * 1001)";
    return spark
        .range(from, from + n)
        .where(where)
        .selectExpr(
            "format_string('%08x-%04x-7000-8000-%012x', cast(id DIV 65536 AS int),"
                + " cast(id % 65536 AS int), id * 2654435761 % 281474976710656) AS event_id",
            "element_at(array('view','view','view','click','click','add_to_cart',"
                + "'remove_from_cart','purchase'), cast(id % 8 + 1 AS int)) AS event_type",
            "concat('user_', id % 9973) AS user_id",
            "concat('product_', id % 200) AS product_id",
            "cast((id % 100000) / 100.0 AS decimal(12,2)) AS price",
            "element_at(array('EUR','USD','SEK'), cast(id % 3 + 1 AS int)) AS currency",
            "cast(id % 3 + 1 AS int) AS quantity",
            "concat('session_', id DIV 20) AS session_id",
            ts + " AS ts",
            "CASE WHEN id % 100 = 0 THEN concat('Mozilla \"quoted\", comma\\nnew line \\\\ ', id)"
                + " ELSE 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/131.0 Safari/537.36' END AS user_agent",
            "to_date(" + ts + ") AS event_date",
            "id % 10 = 0 AS is_late",
            "CASE WHEN id % 2 = 0 THEN '1' END AS schema_version",
            "'events' AS source_topic",
            "cast(id % 2 AS int) AS source_partition",
            "id + " + offsetShift + " AS source_offset",
            ts + " AS kafka_ts",
            "current_timestamp() AS ingested_at",
            "current_timestamp() AS silver_at",
            // Fields outside the contract on a few events, in jsonb's own text form (keys by
            // length, ", " and ": "), with a number's scale and a non-ASCII letter to keep.
            "CASE WHEN id % 97 = 0 THEN concat('{\"seq\": ', id, ', \"note\": \"é\", \"ratio\": 2.50}')"
                + " END AS extra");
  }

  static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    if (fallback == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return fallback;
  }
}
