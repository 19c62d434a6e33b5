package io.runnel.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.regexp_extract;

import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.S3Settings;
import io.runnel.spark.LakeSession;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Freshness of a streaming run: for every event, the moment the commit that carried it became
 * visible (from {@link DeltaLogProbe}) minus its Kafka timestamp. Reads the files each streaming
 * commit added (compaction commits are skipped, their files re-add old rows), so every event is
 * counted once, at its first visible commit. Prints one line of JSON.
 */
@Command(name = "freshness-report", mixinStandardHelpOptions = true)
public final class FreshnessReport implements Callable<Integer> {
  @Option(names = "--table", required = true, description = "Table path in the lake bucket.")
  String table;

  @Option(names = "--probe", required = true, description = "The probe's CSV.")
  Path probe;

  @Option(names = "--label", defaultValue = "run")
  String label;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "0",
      description = "Leave out events of the run's first N seconds (JIT, first commits).")
  int warmupSeconds;

  public static void main(String[] args) {
    System.exit(Exits.execute("freshness-report", new FreshnessReport(), args));
  }

  @Override
  public Integer call() {
    S3Settings s3 = S3Settings.fromEnv(Env.system());
    SparkSession spark = LakeSession.create("runnel-bench-freshness", s3);
    try {
      System.out.println(report(spark, s3.lakeUri(table)));
    } finally {
      spark.stop();
    }
    return Exits.OK;
  }

  String report(SparkSession spark, String tableUri) {
    Dataset<Row> visible =
        spark
            .read()
            .option("header", "true")
            .schema(
                new StructType()
                    .add("version", DataTypes.LongType)
                    .add("visible_at_ms", DataTypes.LongType))
            .csv("file://" + probe.toAbsolutePath());
    Dataset<Row> commits =
        spark
            .read()
            .json(tableUri + "/_delta_log/*.json")
            .withColumn(
                "version", regexp_extract(input_file_name(), "(\\d{20})\\.json$", 1).cast("long"));
    List<Row> added =
        commits
            .where(col("add").isNotNull())
            .join(
                commits
                    // Ingest commits (Bronze's micro-batches; before issue 21, Delta's streaming
                    // sink), not compactions (OPTIMIZE).
                    .where(col("commitInfo.operation").isin("WRITE", "STREAMING UPDATE"))
                    .select("version"),
                "version")
            .select(col("version"), col("add.path").as("path"))
            .collectAsList();
    if (added.isEmpty()) {
      return "{\"label\":\"" + label + "\",\"events\":0}";
    }
    List<String> files =
        added.stream()
            .map(r -> tableUri + "/" + URLDecoder.decode(r.getString(1), StandardCharsets.UTF_8))
            .toList();
    Dataset<Row> fileVersions =
        spark.createDataFrame(
            added.stream()
                .map(
                    r ->
                        org.apache.spark.sql.RowFactory.create(
                            r.getLong(0),
                            fileName(URLDecoder.decode(r.getString(1), StandardCharsets.UTF_8))))
                .toList(),
            new StructType().add("version", DataTypes.LongType).add("file", DataTypes.StringType));
    Dataset<Row> events =
        spark
            .read()
            .parquet(files.toArray(String[]::new))
            .select(
                col("kafka_ts"),
                regexp_extract(col("_metadata.file_path"), "([^/]+)$", 1).as("file"));
    Dataset<Row> timed = events.join(fileVersions, "file").join(visible, "version");
    long firstMs = timed.selectExpr("unix_millis(min(kafka_ts))").first().getLong(0);
    Row r =
        timed
            .where(expr("unix_millis(kafka_ts) >= " + (firstMs + warmupSeconds * 1_000L)))
            .select(
                expr("visible_at_ms - unix_millis(kafka_ts)").as("freshness_ms"), col("kafka_ts"))
            .agg(
                expr("count(*)"),
                expr("percentile(freshness_ms, 0.5)"),
                expr("percentile(freshness_ms, 0.95)"),
                expr("percentile(freshness_ms, 0.99)"),
                expr("max(freshness_ms)"),
                expr("unix_millis(min(kafka_ts))"),
                expr("unix_millis(max(kafka_ts))"))
            .first();
    return String.format(
        Locale.ROOT,
        "{\"label\":\"%s\",\"events_measured\":%d,\"p50_ms\":%.0f,\"p95_ms\":%.0f,\"p99_ms\":%.0f,"
            + "\"max_ms\":%d,\"first_event_ms\":%d,\"last_event_ms\":%d,\"events\":%d}",
        label,
        r.getLong(0),
        r.getDouble(1),
        r.getDouble(2),
        r.getDouble(3),
        r.getLong(4),
        r.getLong(5),
        r.getLong(6),
        timed.count());
  }

  private static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
