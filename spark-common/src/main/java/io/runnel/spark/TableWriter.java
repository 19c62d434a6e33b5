package io.runnel.spark;

import io.runnel.common.Fence;
import io.runnel.common.S3Settings;
import io.runnel.common.WriterLease;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A job's right to write one Delta table: holds the {@link WriterLease} for as long as the job
 * runs, stops the job's streaming queries if the lease is ever lost, and on SIGTERM (Ctrl-C, {@code
 * ./runnel down}, a cluster manager) stops them cleanly and hands the lease back.
 */
public final class TableWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableWriter.class);

  /**
   * Runs before Spark's own shutdown hook (priority 40 in Hadoop's manager), so Spark is still up.
   */
  private static final int SHUTDOWN_PRIORITY = 50;

  private final S3Client s3Client;
  private final WriterLease lease;
  private final AtomicReference<SparkSession> spark = new AtomicReference<>();
  private final Runnable hook;

  private TableWriter(S3Settings s3, String tablePath, String holder, Duration ttl) {
    this.s3Client = s3.newClient();
    this.lease =
        WriterLease.acquire(s3Client, s3.bucket(), tablePath, holder, ttl, this::stopQueries);
    this.hook =
        () -> {
          LOG.info("shutting down: stopping the streaming queries and releasing the table");
          stopQueries();
          lease.close();
        };
    ShutdownHookManager.get().addShutdownHook(hook, SHUTDOWN_PRIORITY);
  }

  /**
   * Takes the table, waiting for a killed predecessor's lease to expire.
   *
   * @throws WriterLease.LeaseRefusedException when another live job writes it
   */
  public static TableWriter claim(S3Settings s3, String tablePath, String job, Duration ttl) {
    String holder = job + " on " + host() + " pid " + ProcessHandle.current().pid();
    return new TableWriter(s3, tablePath, holder, ttl);
  }

  /**
   * A job's work, given the lake session it runs in and the fence it confirms immediately before
   * each commit ({@link WriterLease#confirm}).
   */
  @FunctionalInterface
  public interface Work {
    void run(SparkSession spark, Fence fence) throws Exception;
  }

  /**
   * How every writing job runs: takes the lease on {@code leasePath} (see {@link #claim}), creates
   * the job's lake session ({@code runnel-<job>}), runs {@code work} in it, stops the session and
   * hands the lease back; fails when the lease was lost meanwhile (the queries were stopped).
   */
  public static void runClaimed(
      S3Settings s3, String leasePath, String job, Duration ttl, Work work) throws Exception {
    // Before the claim, which may wait for a killed predecessor's lease: a drain asked for
    // meanwhile makes the job's first run its available-now one.
    Drain.listen();
    try (TableWriter writer = claim(s3, leasePath, job, ttl)) {
      SparkSession spark = LakeSession.create("runnel-" + job, s3);
      writer.watch(spark);
      try {
        work.run(spark, writer.fence());
      } catch (Exception | Error e) {
        // Once the lease is lost, the queries' failures (stopped, or their sessions ended by the
        // successor) follow from it: the loss is what the operator needs to read.
        if (writer.isLost()) {
          Fence.FencedException fenced = writer.lost(leasePath);
          fenced.addSuppressed(e);
          throw fenced;
        }
        // A writer resumed after a freeze may fail (a successor's checkpoint entries, say) before
        // its heartbeat notices: ask the S3 server now.
        try {
          writer.fence().confirm();
        } catch (Fence.FencedException fenced) {
          fenced.addSuppressed(e);
          throw fenced;
        }
        throw e;
      } finally {
        spark.stop();
      }
      if (writer.isLost()) {
        throw writer.lost(leasePath);
      }
    }
  }

  /** The fencing line: the cause (a successor, S3 unreachable, a full object store). */
  private Fence.FencedException lost(String leasePath) {
    return new Fence.FencedException(
        "fenced: the writer lease on "
            + leasePath
            + " was lost ("
            + lease.lostReason()
            + "); its queries were stopped and nothing more was committed");
  }

  /** The session whose queries to stop if the lease is lost or the process is asked to stop. */
  public void watch(SparkSession session) {
    spark.set(session);
  }

  public boolean isLost() {
    return lease.isLost();
  }

  /** What each commit of this writer confirms first: that the lease is still this writer's. */
  public Fence fence() {
    return lease;
  }

  @Override
  public void close() {
    try {
      ShutdownHookManager.get().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or ran; it releases the lease itself.
    }
    lease.close();
    s3Client.close();
  }

  private void stopQueries() {
    SparkSession session = spark.get();
    if (session == null) {
      return;
    }
    for (StreamingQuery q : session.streams().active()) {
      try {
        q.stop();
      } catch (Exception e) {
        LOG.warn("stopping query {} failed: {}", q.name(), e.toString());
      }
    }
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown-host";
    }
  }
}
