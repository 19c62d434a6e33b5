package io.runnel.batch.bench;

import io.runnel.batch.SilverTables;
import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.S3Settings;
import io.runnel.spark.LakeSession;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The load benchmark's baseline: the consumer of the reference documents, which runs {@code INSERT
 * ... ON CONFLICT ... DO UPDATE} and a commit for every event. It loads the first {@code --rows}
 * events of a Silver events table into {@code silver.events} as the loader role and prints one JSON
 * line with its rate. Only the insert loop is timed (reading Silver is not counted against it).
 */
public final class NaiveEventLoader {
  private NaiveEventLoader() {}

  public static void main(String[] args) throws SQLException {
    String root = SilverEventsGenerator.arg(args, "--root", null);
    int rows = Integer.parseInt(SilverEventsGenerator.arg(args, "--rows", "20000"));
    Env env = Env.system();
    S3Settings s3 = S3Settings.fromEnv(env);
    PostgresSettings pg =
        PostgresSettings.fromEnv(
            env, "RUNNEL_PG_LOADER_USER", "runnel_loader", "RUNNEL_PG_LOADER_PASSWORD");
    SparkSession spark = LakeSession.create("runnel-bench-naive-loader", s3);
    List<Row> events;
    try {
      events =
          spark
              .read()
              .format("delta")
              .load(s3.lakeUri(SilverTables.EVENTS.path(root)))
              .select(
                  SilverTables.EVENTS.columns().stream()
                      .map(org.apache.spark.sql.functions::col)
                      .toArray(org.apache.spark.sql.Column[]::new))
              .limit(rows)
              .collectAsList();
    } finally {
      spark.stop();
    }
    List<String> columns = SilverTables.EVENTS.columns();
    String sql =
        "INSERT INTO silver.events ("
            + String.join(", ", columns)
            + ") VALUES ("
            + columns.stream().map(c -> "?").collect(Collectors.joining(", "))
            + ") ON CONFLICT (event_id) DO UPDATE SET "
            + columns.stream()
                .filter(c -> !c.equals("event_id"))
                .map(c -> c + " = EXCLUDED." + c)
                .collect(Collectors.joining(", "))
            + ", loaded_at = now()";
    Properties props = new Properties();
    props.setProperty("user", pg.user());
    props.setProperty("password", pg.password());
    // Strings go untyped, so the server casts them to uuid, char(3) and so on.
    props.setProperty("stringtype", "unspecified");
    long started;
    long nanos;
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props);
        PreparedStatement insert = c.prepareStatement(sql)) {
      c.setAutoCommit(false);
      started = System.nanoTime();
      for (Row row : events) {
        for (int i = 0; i < columns.size(); i++) {
          insert.setObject(i + 1, row.get(i));
        }
        insert.executeUpdate();
        c.commit(); // one transaction per event, as the reference consumer does
      }
      nanos = System.nanoTime() - started;
    }
    System.out.printf(
        "{\"kind\":\"naive\",\"rows\":%d,\"seconds\":%.3f,\"rows_per_s\":%.1f}%n",
        events.size(), nanos / 1e9, events.size() * 1e9 / nanos);
  }
}
