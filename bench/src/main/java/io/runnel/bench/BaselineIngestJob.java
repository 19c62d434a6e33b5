package io.runnel.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.to_date;

import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.S3Settings;
import io.runnel.spark.LakeSession;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark's baseline: the smallest Kafka-to-Delta streaming query that still lands each
 * record once (value as text, its coordinates and timestamp, the same partitioning), without
 * Bronze's headers, UTF-8 handling, lease and metrics. Bronze's cost is measured against it.
 */
@Command(name = "baseline-ingest", mixinStandardHelpOptions = true)
public final class BaselineIngestJob implements Callable<Integer> {
  @Option(names = "--topic", required = true)
  String topic;

  @Option(names = "--table", required = true, description = "Table path in the lake bucket.")
  String table;

  @Option(names = "--trigger-ms", defaultValue = "0")
  long triggerMs;

  public static void main(String[] args) {
    System.exit(Exits.execute("baseline-ingest", new BaselineIngestJob(), args));
  }

  @Override
  public Integer call() throws Exception {
    Env env = Env.system();
    S3Settings s3 = S3Settings.fromEnv(env);
    SparkSession spark = LakeSession.create("runnel-bench-baseline", s3);
    try {
      var query =
          spark
              .readStream()
              .format("kafka")
              .option("kafka.bootstrap.servers", env.required("RUNNEL_KAFKA_BOOTSTRAP"))
              .option("subscribe", topic)
              .option("startingOffsets", "earliest")
              .option("failOnDataLoss", "true")
              .load()
              .select(
                  col("value").cast("string").as("value"),
                  col("topic"),
                  col("partition").as("kafka_partition"),
                  col("offset").as("kafka_offset"),
                  col("timestamp").as("kafka_ts"),
                  to_date(current_timestamp()).as("ingest_date"))
              .writeStream()
              .format("delta")
              .partitionBy("ingest_date")
              .option("checkpointLocation", s3.lakeUri(table + "_checkpoint"))
              .trigger(Trigger.ProcessingTime(triggerMs))
              .start(s3.lakeUri(table));
      System.err.println("baseline query started");
      query.awaitTermination();
    } finally {
      spark.stop();
    }
    return Exits.OK;
  }
}
