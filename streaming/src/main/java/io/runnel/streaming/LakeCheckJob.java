package io.runnel.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.delta.tables.DeltaTable;
import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.S3Settings;
import io.runnel.spark.LakeSession;
import java.io.IOException;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * Proves that a Spark deployment can write and read Delta tables on the lake: writes a small Delta
 * table under {@code s3a://<bucket>/<path>/<run id>}, reads it back, checks the rows and the Delta
 * protocol (what Trino's connector can read), then removes it. Run it with {@code spark-submit}
 * before the pipeline jobs on a new cluster; {@code ./runnel demo} runs it locally.
 */
public final class LakeCheckJob {
  private static final Logger LOG = LoggerFactory.getLogger(LakeCheckJob.class);

  /** The highest Delta protocol Runnel's tables may need: Trino 476 reads these. */
  static final int MAX_READER_VERSION = 1;

  static final int MAX_WRITER_VERSION = 2;

  /** Settings, read once from the environment. */
  record Settings(S3Settings s3, String path, int rows, boolean keep) {
    static final String PATH = "RUNNEL_LAKECHECK_PATH";
    static final String ROWS = "RUNNEL_LAKECHECK_ROWS";
    static final String KEEP = "RUNNEL_LAKECHECK_KEEP";

    static Settings fromEnv(Env env) {
      String path = env.lakePath(PATH, "_runnel/lake-check");
      return new Settings(
          S3Settings.fromEnv(env),
          path,
          env.integer(ROWS, 1_000, 1, 100_000_000),
          env.bool(KEEP, false));
    }
  }

  /** What the check found. */
  record Result(
      String table,
      long rowsWritten,
      long rowsRead,
      boolean sumMatches,
      int minReader,
      int minWriter) {
    boolean ok() {
      return rowsRead == rowsWritten
          && sumMatches
          && minReader <= MAX_READER_VERSION
          && minWriter <= MAX_WRITER_VERSION;
    }
  }

  private final SparkSession spark;
  private final Settings settings;

  LakeCheckJob(SparkSession spark, Settings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  public static void main(String[] args) {
    System.exit(Exits.execute("lake-check", new Cli(), args));
  }

  @Command(
      name = "lake-check",
      mixinStandardHelpOptions = true,
      description = "Writes, reads back and removes a small Delta table on the lake.")
  static final class Cli implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
      Settings settings = Settings.fromEnv(Env.system());
      SparkSession spark = LakeSession.create("runnel-lake-check", settings.s3());
      try {
        Result result = new LakeCheckJob(spark, settings).run();
        System.out.println(
            (result.ok() ? "lake-check OK: " : "lake-check FAILED: ")
                + "wrote "
                + result.rowsWritten()
                + " rows to "
                + result.table()
                + ", read "
                + result.rowsRead()
                + " back (checksum "
                + (result.sumMatches() ? "matches" : "differs")
                + "), Delta protocol reader "
                + result.minReader()
                + " / writer "
                + result.minWriter());
        return result.ok() ? Exits.OK : Exits.FAILED;
      } finally {
        spark.stop();
      }
    }
  }

  Result run() throws IOException {
    String table = settings.s3().lakeUri(settings.path() + "/" + UUID.randomUUID());
    long n = settings.rows();
    Dataset<Row> rows =
        spark.range(n).withColumn("payload", concat(lit("row-"), col("id").cast("string")));
    long started = System.nanoTime();
    rows.write().format("delta").mode("errorifexists").save(table);
    LOG.info("wrote {} rows to {} in {} ms", n, table, (System.nanoTime() - started) / 1_000_000);

    Dataset<Row> back = spark.read().format("delta").load(table);
    long count = back.count();
    Row totals = back.agg(sum("id")).first();
    boolean sumMatches = !totals.isNullAt(0) && totals.getLong(0) == n * (n - 1) / 2;
    Row detail = DeltaTable.forPath(spark, table).detail().first();
    int minReader = detail.getInt(detail.fieldIndex("minReaderVersion"));
    int minWriter = detail.getInt(detail.fieldIndex("minWriterVersion"));

    if (!settings.keep()) {
      Path path = new Path(table);
      FileSystem fs = FileSystem.get(URI.create(table), spark.sparkContext().hadoopConfiguration());
      fs.delete(path, true);
    }
    return new Result(table, n, count, sumMatches, minReader, minWriter);
  }
}
