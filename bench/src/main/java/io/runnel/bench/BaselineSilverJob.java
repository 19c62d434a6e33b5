package io.runnel.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.to_date;

import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.S3Settings;
import io.runnel.spark.LakeSession;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Silver benchmark's baseline: what the reference pipelines do between Bronze and Silver. The
 * Bronze rows are parsed with {@code from_json} (bad records become nulls and vanish), and appended
 * to a Delta table, with no validation rules, no quarantine and no deduplication. SilverJob's cost
 * is measured against it on the same Bronze table.
 */
@Command(name = "baseline-silver", mixinStandardHelpOptions = true)
public final class BaselineSilverJob implements Callable<Integer> {
  @Option(names = "--bronze", required = true, description = "Bronze table path in the bucket.")
  String bronze;

  @Option(names = "--table", required = true, description = "Target table path in the bucket.")
  String table;

  public static void main(String[] args) {
    System.exit(Exits.execute("baseline-silver", new BaselineSilverJob(), args));
  }

  private static final StructType EVENT =
      new StructType()
          .add("event_id", DataTypes.StringType)
          .add("event_type", DataTypes.StringType)
          .add("user_id", DataTypes.StringType)
          .add("product_id", DataTypes.StringType)
          .add("price", (DataType) DataTypes.createDecimalType(12, 2))
          .add("currency", DataTypes.StringType)
          .add("quantity", DataTypes.IntegerType)
          .add("session_id", DataTypes.StringType)
          .add("ts", DataTypes.TimestampType)
          .add("user_agent", DataTypes.StringType);

  @Override
  public Integer call() {
    S3Settings s3 = S3Settings.fromEnv(Env.system());
    SparkSession spark = LakeSession.create("runnel-bench-baseline-silver", s3);
    try {
      long started = System.nanoTime();
      Dataset<Row> rows = spark.read().format("delta").load(s3.lakeUri(bronze));
      long read = rows.count();
      rows.select(from_json(col("value"), EVENT).as("e"), col("topic"), col("kafka_offset"))
          .select("e.*", "topic", "kafka_offset")
          .where(col("event_id").isNotNull())
          .withColumn("event_date", to_date(col("ts")))
          .write()
          .format("delta")
          .mode("append")
          .partitionBy("event_date")
          .save(s3.lakeUri(table));
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.println(
          String.format(
              Locale.ROOT,
              "baseline-silver: %,d Bronze rows in %.1f s, %,.0f rows/s",
              read,
              seconds,
              read / seconds));
    } finally {
      spark.stop();
    }
    return Exits.OK;
  }
}
