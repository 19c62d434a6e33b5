package io.runnel.common;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;

/**
 * Records Kafka deleted before Bronze read them (retention, or {@code deleteRecords}, which moves a
 * partition's log start offset as retention does): where Bronze would resume is below the first
 * offset Kafka still holds. Pure: Bronze stops on it, bronze-health reports it, with the same line.
 */
public final class KafkaDataLoss {
  private KafkaDataLoss() {}

  /**
   * The offsets {@code [from, until)} of one partition that are gone.
   *
   * @param until the first offset Kafka still holds
   */
  public record Gap(TopicPartition partition, long from, long until) {
    long records() {
      return until - from;
    }

    @Override
    public String toString() {
      return String.format(
          "%s[%d] offsets %d-%d (%d records)",
          partition.topic(), partition.partition(), from, until - 1, records());
    }
  }

  /**
   * The gaps between where Bronze resumes ({@code resume}: the offsets its newest committed batch
   * read up to) and Kafka's earliest offsets, by topic and partition. A partition the checkpoint
   * does not name starts at Kafka's earliest offset (Spark's rule for new partitions): no gap.
   */
  public static List<Gap> gaps(
      Map<TopicPartition, Long> resume, Map<TopicPartition, Long> earliest) {
    return resume.entrySet().stream()
        .filter(e -> earliest.containsKey(e.getKey()) && earliest.get(e.getKey()) > e.getValue())
        .map(e -> new Gap(e.getKey(), e.getValue(), earliest.get(e.getKey())))
        .sorted(
            Comparator.comparing((Gap g) -> g.partition().topic())
                .thenComparingInt(g -> g.partition().partition()))
        .toList();
  }

  /**
   * Spark's {@code startingOffsets} JSON that resumes every partition Kafka holds where Bronze left
   * it, or at the first offset Kafka still holds where that is gone: the loss accepted, nothing
   * read twice.
   */
  public static String resumeOffsets(
      Map<TopicPartition, Long> resume, Map<TopicPartition, Long> earliest) {
    Map<String, Map<Integer, Long>> byTopic = new TreeMap<>();
    earliest.forEach(
        (tp, first) ->
            byTopic
                .computeIfAbsent(tp.topic(), t -> new TreeMap<>())
                .put(tp.partition(), Math.max(first, resume.getOrDefault(tp, first))));
    return byTopic.entrySet().stream()
        .map(
            t ->
                "\""
                    + t.getKey()
                    + "\":{"
                    + t.getValue().entrySet().stream()
                        .map(p -> "\"" + p.getKey() + "\":" + p.getValue())
                        .collect(Collectors.joining(","))
                    + "}")
        .collect(Collectors.joining(",", "{", "}"));
  }

  /**
   * The one line that says what was lost and the operator's two ways on.
   *
   * @param checkpointPath Bronze's checkpoint ({@link BronzeLocation#CHECKPOINT})
   * @param now names the new checkpoint
   */
  public static String line(
      List<Gap> gaps,
      Map<TopicPartition, Long> resume,
      Map<TopicPartition, Long> earliest,
      String checkpointPath,
      Instant now) {
    long records = gaps.stream().mapToLong(Gap::records).sum();
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm").withZone(ZoneOffset.UTC).format(now);
    return "Kafka deleted "
        + records
        + " records Bronze had not read (retention, or deleteRecords): "
        + gaps.stream().map(Gap::toString).collect(Collectors.joining(", "))
        + ". Bronze stops before them, writes nothing and will not skip them by itself. To accept"
        + " the loss, start Bronze on a new checkpoint at the first offsets Kafka still holds: "
        + BronzeLocation.CHECKPOINT
        + "="
        + S3Settings.stripSlashes(checkpointPath)
        + "-resumed-"
        + stamp
        + " RUNNEL_BRONZE_STARTING_OFFSETS='"
        + resumeOffsets(resume, earliest)
        + "' ./runnel bronze (and keep that "
        + BronzeLocation.CHECKPOINT
        + " from then on). To keep the data, produce the lost records again from their source"
        + " first.";
  }
}
