package io.runnel.streaming;

import io.runnel.common.Env;
import org.apache.spark.sql.SparkSession;

/**
 * The Bronze job, --available-now, in a test's JVM: what a spark-submit run does once it holds the
 * table, without a Spark start-up. For tests of later stages that need Bronze's rows landed the way
 * users land them; Bronze's own guarantees are tested under spark-submit (BronzeIngestIT).
 */
public final class BronzeHere {
  private BronzeHere() {}

  /**
   * Ingests what the topics hold now. Runs in a session of its own on {@code spark}'s context:
   * Bronze sets session options (compaction off the write path, statistics columns of new tables)
   * that must not reach the tables a later stage creates in {@code spark}.
   */
  public static void availableNow(SparkSession spark, Env env) throws Exception {
    new BronzeIngestJob(
            spark.newSession(), BronzeSettings.fromEnv(env, true), io.runnel.common.Fence.NONE)
        .run();
  }
}
