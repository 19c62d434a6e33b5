package io.runnel.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Delta table whose creation a stop (Ctrl-C, SIGTERM, {@code kill -9}) interrupted before its
 * first commit: its {@code _delta_log} holds folders (Delta 4 makes {@code _staged_commits/} first)
 * but no commit. Delta then takes the table for an existing one, so {@code CREATE TABLE IF NOT
 * EXISTS} skips it and every later read fails with {@code DELTA_TABLE_NOT_FOUND}.
 */
public final class TableCreation {
  private static final Logger LOG = LoggerFactory.getLogger(TableCreation.class);

  /** A commit, a checkpoint or the pointer to one: any of them means the table exists. */
  private static final Pattern COMMITTED =
      Pattern.compile("\\d{20}\\.(json|checkpoint.*)|_last_checkpoint");

  private TableCreation() {}

  /** Removes the {@code _delta_log} of {@code location} when it holds no commit; logs it. */
  public static void clearInterrupted(SparkSession spark, String location) {
    Path log = new Path(location, "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      // The pointer to a checkpoint settles it for any table past its first few commits, without
      // listing a log that may hold thousands; commits sit at the top level, so no recursion.
      if (!fs.exists(log) || fs.exists(new Path(log, "_last_checkpoint"))) {
        return;
      }
      List<String> names = new ArrayList<>();
      for (FileStatus entry : fs.listStatus(log)) {
        names.add(entry.getPath().getName());
      }
      if (isCommitted(names)) {
        return;
      }
      fs.delete(log, true);
      DeltaLog.invalidateCache(spark, new Path(location));
      LOG.warn(
          "removed {} ({} entries, no commit): creating the table was interrupted before its first"
              + " commit; creating it again",
          log,
          names.size());
    } catch (IOException e) {
      throw new UncheckedIOException("could not check " + log + " for an interrupted creation", e);
    }
  }

  static boolean isCommitted(Collection<String> logFileNames) {
    return logFileNames.stream().anyMatch(n -> COMMITTED.matcher(n).matches());
  }
}
