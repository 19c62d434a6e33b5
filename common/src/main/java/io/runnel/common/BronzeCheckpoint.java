package io.runnel.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads a Spark Structured Streaming checkpoint as it lies on S3, without Spark: {@code
 * offsets/<N>} holds what batch N reads (a version line {@code v1}, the batch metadata as JSON,
 * then one line per source: for Kafka {@code {"topic":{"0":123}}}, the offsets the batch reads up
 * to), and {@code commits/<N>} appears once batch N is written to the sink. Free of I/O, but for
 * {@link #read}. Bronze (the offsets it resumes from) and bronze-health (its lag) read it alike.
 */
public final class BronzeCheckpoint {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BronzeCheckpoint() {}

  /**
   * The newest batch with both an offsets and a commits file among the object keys below the
   * checkpoint (directory markers, temporary and checksum files are ignored).
   */
  public static OptionalLong newestCommittedBatch(
      String checkpointPrefix, Collection<String> keys) {
    String prefix = S3Settings.stripSlashes(checkpointPrefix) + "/";
    Set<Long> planned = new HashSet<>();
    Set<Long> committed = new HashSet<>();
    for (String key : keys) {
      if (!key.startsWith(prefix)) {
        continue;
      }
      String[] parts = key.substring(prefix.length()).split("/", -1);
      // Only offsets/<N> and commits/<N>: N all digits, so offsets/.1.tmp or 1.crc never count.
      if (parts.length != 2 || !parts[1].matches("[0-9]{1,18}")) {
        continue;
      }
      long batch = Long.parseLong(parts[1]);
      switch (parts[0]) {
        case "offsets" -> planned.add(batch);
        case "commits" -> committed.add(batch);
        default -> {}
      }
    }
    return committed.stream().filter(planned::contains).mapToLong(Long::longValue).max();
  }

  /**
   * The Kafka offsets an {@code offsets/<N>} file says its batch reads up to (exclusive), per
   * partition; empty when the source had no offsets yet ({@code -}).
   *
   * @throws IllegalArgumentException when the text is not a v1 offset log entry of one Kafka source
   */
  public static Map<TopicPartition, Long> kafkaOffsets(String offsetsFile) {
    String[] lines = offsetsFile.strip().split("\r?\n");
    if (lines.length < 3 || !lines[0].strip().equals("v1")) {
      throw new IllegalArgumentException(
          "not a Spark offset log entry (version line v1, metadata, source offsets): "
              + abbreviate(offsetsFile));
    }
    if (lines.length > 3) {
      // Bronze has one source (the Kafka subscription); more lines mean another query's log.
      throw new IllegalArgumentException(
          "the offset log entry has " + (lines.length - 2) + " sources; Bronze has one");
    }
    String source = lines[2].strip();
    Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
    if (source.equals("-")) {
      return offsets;
    }
    JsonNode topics;
    try {
      topics = JSON.readTree(source);
    } catch (JsonProcessingException e) {
      topics = null;
    }
    if (topics == null || !topics.isObject()) {
      throw notKafka(source);
    }
    for (Iterator<Map.Entry<String, JsonNode>> t = topics.fields(); t.hasNext(); ) {
      Map.Entry<String, JsonNode> topic = t.next();
      if (!topic.getValue().isObject()) {
        throw notKafka(source);
      }
      for (Iterator<Map.Entry<String, JsonNode>> p = topic.getValue().fields(); p.hasNext(); ) {
        Map.Entry<String, JsonNode> partition = p.next();
        if (!partition.getKey().matches("[0-9]{1,9}")
            || !partition.getValue().canConvertToLong()
            || !partition.getValue().isIntegralNumber()) {
          throw notKafka(source);
        }
        offsets.put(
            new TopicPartition(topic.getKey(), Integer.parseInt(partition.getKey())),
            partition.getValue().asLong());
      }
    }
    return offsets;
  }

  /** The {@code holder} a writer lease names (who holds it), or the raw text when not JSON. */
  public static String leaseHolder(String leaseBody) {
    try {
      JsonNode holder = JSON.readTree(leaseBody).path("holder");
      if (holder.isTextual()) {
        return holder.asText();
      }
    } catch (JsonProcessingException e) {
      // Fall through: say what is there.
    }
    return abbreviate(leaseBody);
  }

  /**
   * The checkpoint as it lies on S3: its object keys, and its newest committed batch with the Kafka
   * offsets that batch read up to, which are where the query resumes.
   */
  public record Listing(List<String> keys, OptionalLong batch, Map<TopicPartition, Long> offsets) {}

  /**
   * Lists the checkpoint under {@code checkpoint} (a key prefix in {@code bucket}) and reads its
   * newest committed batch's offsets.
   *
   * @throws IllegalStateException when that entry is not a Bronze checkpoint entry
   */
  public static Listing read(S3Client client, String bucket, String checkpoint) {
    String prefix = S3Settings.stripSlashes(checkpoint);
    List<String> keys =
        client
            .listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + "/"))
            .contents()
            .stream()
            .map(S3Object::key)
            .toList();
    OptionalLong batch = newestCommittedBatch(prefix, keys);
    if (batch.isEmpty()) {
      return new Listing(keys, batch, Map.of());
    }
    String offsets = prefix + "/offsets/" + batch.getAsLong();
    try {
      return new Listing(
          keys,
          batch,
          kafkaOffsets(
              client
                  .getObjectAsBytes(b -> b.bucket(bucket).key(offsets))
                  .asString(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "s3://" + bucket + "/" + offsets + " is not a Bronze checkpoint entry: " + e.getMessage(),
          e);
    }
  }

  private static IllegalArgumentException notKafka(String source) {
    return new IllegalArgumentException(
        "the source offsets are not Kafka offsets {\"topic\":{\"partition\":offset}}: "
            + abbreviate(source));
  }

  private static String abbreviate(String text) {
    String oneLine = text.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
  }
}
