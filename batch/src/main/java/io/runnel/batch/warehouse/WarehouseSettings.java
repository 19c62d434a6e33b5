package io.runnel.batch.warehouse;

import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.S3Settings;
import java.time.Duration;

/**
 * Everything WarehouseLoadJob reads from the environment, read and validated once at start.
 *
 * @param postgres the warehouse, as the loader role (never a superuser: checked at start)
 * @param silverRoot the folder of the Silver tables it reads
 * @param checkpointPath the folder of the per-table checkpoints ({@code <path>/<table>})
 * @param maxFilesPerTrigger at most this many Silver files per micro-batch (0: Delta's default)
 * @param chunkBytes the size of the COPY chunks an executor hands the driver
 */
public record WarehouseSettings(
    S3Settings s3,
    PostgresSettings postgres,
    String silverRoot,
    String checkpointPath,
    String metricsPath,
    int maxFilesPerTrigger,
    Duration triggerInterval,
    boolean availableNow,
    int chunkBytes,
    Duration leaseTtl,
    Duration preflightTimeout) {

  static final String LOADER_USER = "RUNNEL_PG_LOADER_USER";
  static final String LOADER_PASSWORD = "RUNNEL_PG_LOADER_PASSWORD";
  static final String ROOT = "RUNNEL_SILVER_ROOT";
  static final String CHECKPOINT = "RUNNEL_WAREHOUSE_CHECKPOINT";
  static final String METRICS = "RUNNEL_WAREHOUSE_METRICS_TABLE";
  static final String MAX_FILES = "RUNNEL_LOAD_MAX_FILES_PER_TRIGGER";
  static final String TRIGGER_SECONDS = "RUNNEL_LOAD_TRIGGER_SECONDS";
  static final String CHUNK_KB = "RUNNEL_LOAD_COPY_CHUNK_KB";
  static final String LEASE_SECONDS = "RUNNEL_WRITER_LEASE_SECONDS";
  static final String PREFLIGHT_SECONDS = "RUNNEL_PREFLIGHT_SECONDS";

  public static WarehouseSettings fromEnv(Env env, boolean availableNow) {
    return new WarehouseSettings(
        S3Settings.fromEnv(env),
        PostgresSettings.fromEnv(env, LOADER_USER, "runnel_loader", LOADER_PASSWORD),
        env.lakePath(ROOT, "silver"),
        env.lakePath(CHECKPOINT, "_checkpoints/warehouse"),
        env.lakePath(METRICS, "_runnel/metrics/warehouse"),
        env.integer(MAX_FILES, 0, 0, 1_000_000),
        Duration.ofMillis(Math.round(env.decimal(TRIGGER_SECONDS, 10.0, 0, 86_400) * 1_000)),
        availableNow,
        env.integer(CHUNK_KB, 1_024, 16, 65_536) * 1_024,
        Duration.ofSeconds(env.integer(LEASE_SECONDS, 30, 3, 3_600)),
        Duration.ofSeconds(env.integer(PREFLIGHT_SECONDS, 20, 1, 600)));
  }

  /** Where the checkpoint of one table's query lives. */
  public String checkpoint(String table) {
    return checkpointPath + "/" + table;
  }
}
