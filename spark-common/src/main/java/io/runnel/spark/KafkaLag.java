package io.runnel.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;

/**
 * Kafka lag from a streaming progress report: the latest offsets in Kafka minus the offsets the
 * batch processed up to, summed over every partition. Spark reports both as JSON of the form {@code
 * {"topic":{"0":123,"1":456}}}.
 */
public final class KafkaLag {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KafkaLag() {}

  /** The lag, or -1 when either side is missing or not Kafka offsets. */
  public static long between(String endOffsetJson, String latestOffsetJson) {
    if (endOffsetJson == null || latestOffsetJson == null) {
      return -1;
    }
    try {
      JsonNode end = JSON.readTree(endOffsetJson);
      JsonNode latest = JSON.readTree(latestOffsetJson);
      if (!latest.isObject()) {
        return -1;
      }
      long lag = 0;
      for (Iterator<Map.Entry<String, JsonNode>> topics = latest.fields(); topics.hasNext(); ) {
        Map.Entry<String, JsonNode> topic = topics.next();
        for (Iterator<Map.Entry<String, JsonNode>> parts = topic.getValue().fields();
            parts.hasNext(); ) {
          Map.Entry<String, JsonNode> part = parts.next();
          JsonNode done = end.path(topic.getKey()).path(part.getKey());
          long processed = done.isNumber() ? done.asLong() : 0;
          lag += Math.max(0, part.getValue().asLong() - processed);
        }
      }
      return lag;
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
