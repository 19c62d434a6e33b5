package io.runnel.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming query's checkpoint, made safe to restart after {@code kill -9} in its very first
 * batch.
 *
 * <p>Spark writes each offset-log entry to a hidden temporary file ({@code .0.<uuid>.tmp}) and then
 * renames it. A process killed between the two leaves the temporary file and no batch entry, so the
 * restart takes the query for a new one and refuses to start: Spark requires a new query's {@code
 * offsets} folder to be empty ({@code STATE_STORE_CHECKPOINT_LOCATION_NOT_EMPTY}). From the second
 * batch on, the same leftover is harmless: Spark only reads entries named by batch number.
 */
public final class Checkpoint {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

  /** Where Spark puts the running query's id for its batch (StreamExecution.QUERY_ID_KEY). */
  private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

  /**
   * The id of the streaming query running {@code batch} (inside foreachBatch): kept in the
   * checkpoint, so stable across restarts on it and new with a new one, whose batch ids start at 0
   * again. A batch's Delta transaction id or load-log key is built from it.
   */
  public static String queryId(Dataset<?> batch) {
    String queryId = batch.sparkSession().sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
    if (queryId == null) {
      throw new IllegalStateException("no streaming query id in " + QUERY_ID_PROPERTY);
    }
    return queryId;
  }

  private static final Pattern BATCH_ENTRY = Pattern.compile("\\d+");

  /** Spark's temporary name for an entry, and the checksum a local file system writes beside it. */
  private static final Pattern TEMPORARY_ENTRY =
      Pattern.compile("\\.{1,2}\\d+\\.[0-9a-fA-F-]+\\.tmp(\\.crc)?");

  private Checkpoint() {}

  /**
   * Sets {@code uri} as the checkpoint of {@code writer}'s query, first removing what an
   * interrupted first batch left there ({@link #leftoversOfAnUnfinishedFirstBatch}).
   */
  public static DataStreamWriter<Row> at(
      SparkSession spark, DataStreamWriter<Row> writer, String uri) {
    clearAnUnfinishedFirstBatch(spark, new Path(uri, "offsets"));
    return writer.option("checkpointLocation", uri);
  }

  private static void clearAnUnfinishedFirstBatch(SparkSession spark, Path offsets) {
    try {
      FileSystem fs = offsets.getFileSystem(spark.sparkContext().hadoopConfiguration());
      List<String> names = new ArrayList<>();
      try {
        for (FileStatus file : fs.listStatus(offsets)) {
          names.add(file.getPath().getName());
        }
      } catch (FileNotFoundException e) {
        return; // a new query
      }
      List<String> leftovers = leftoversOfAnUnfinishedFirstBatch(names);
      for (String name : leftovers) {
        fs.delete(new Path(offsets, name), false);
      }
      if (!leftovers.isEmpty()) {
        LOG.warn(
            "removed {} from {}: the query's first batch was interrupted (kill -9 or a crash)"
                + " before it was recorded, so it starts again from the beginning",
            leftovers,
            offsets);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not check " + offsets + " for what an interrupted first batch left", e);
    }
  }

  /**
   * The entries to remove from an {@code offsets} folder holding {@code names}: its temporary
   * files, when no batch was ever recorded there. Anything else is left for Spark to judge.
   */
  static List<String> leftoversOfAnUnfinishedFirstBatch(Collection<String> names) {
    if (names.stream().anyMatch(n -> BATCH_ENTRY.matcher(n).matches())) {
      return List.of();
    }
    return names.stream().filter(n -> TEMPORARY_ENTRY.matcher(n).matches()).sorted().toList();
  }
}
