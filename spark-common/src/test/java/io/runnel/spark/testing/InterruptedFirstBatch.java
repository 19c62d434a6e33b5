package io.runnel.spark.testing;

import io.runnel.common.S3Settings;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * What {@code kill -9} leaves in a streaming query's checkpoint when it lands between Spark's write
 * of the first offset-log entry and its rename: a temporary file and no batch. Without {@link
 * io.runnel.spark.Checkpoint#at} a job refuses to start over it
 * (STATE_STORE_CHECKPOINT_LOCATION_NOT_EMPTY).
 */
public final class InterruptedFirstBatch {
  /** The line a job logs when it removes the leftover. */
  public static final String REMOVED = "the query's first batch was interrupted";

  private InterruptedFirstBatch() {}

  /** Leaves the temporary file in the checkpoint at {@code checkpointKey}; returns its key. */
  public static String plant(S3Settings s3, String checkpointKey) {
    String key = checkpointKey + "/offsets/.0." + UUID.randomUUID() + ".tmp";
    try (S3Client client = s3.newClient()) {
      client.putObject(b -> b.bucket(s3.bucket()).key(key), RequestBody.fromString("v1\n{}\n{}\n"));
    }
    return key;
  }

  public static boolean remains(S3Settings s3, String key) {
    try (S3Client client = s3.newClient()) {
      client.headObject(b -> b.bucket(s3.bucket()).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    }
  }
}
