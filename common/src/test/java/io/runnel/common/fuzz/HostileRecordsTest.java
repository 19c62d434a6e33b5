package io.runnel.common.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.runnel.common.ContractFields;
import io.runnel.common.fuzz.HostileRecord.Contract;
import io.runnel.common.fuzz.HostileRecord.Topic;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HostileRecordsTest {
  private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  private static final JsonFactory STRICT =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  @Test
  void theSameSeedGivesTheSameRecordsAndAnotherSeedOthers() {
    HostileRecords a = new HostileRecords(7, NOW);
    HostileRecords b = new HostileRecords(7, NOW);
    HostileRecords c = new HostileRecords(8, NOW);
    int differ = 0;
    for (int i = 0; i < 20_000; i++) {
      HostileRecord r = a.next();
      assertThat(b.next()).isEqualTo(r);
      if (!c.next().equals(r)) {
        differ++;
      }
    }
    assertThat(differ).isGreaterThan(19_000);
  }

  @Test
  void everyCaseComesUpIn100kDrawsAndEveryRecordFitsKafka() {
    HostileRecords fuzz = new HostileRecords(42, NOW);
    Map<String, Integer> seen = new HashMap<>();
    Map<Topic, Integer> topics = new EnumMap<>(Topic.class);
    Map<Contract, Integer> events = new EnumMap<>(Contract.class);
    int largest = 0;
    for (int i = 0; i < 100_000; i++) {
      HostileRecord r = fuzz.next();
      seen.merge(r.label(), 1, Integer::sum);
      topics.merge(r.topic(), 1, Integer::sum);
      if (r.topic() == Topic.EVENTS) {
        events.merge(r.contract(), 1, Integer::sum);
      }
      largest = Math.max(largest, r.sizeInBytes());
      if (r.value() != null) {
        assertThat(r.value().length).isLessThanOrEqualTo(HostileRecords.MAX_VALUE_BYTES);
      }
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(HostileRecords.labels());
    assertThat(HostileRecords.shares().keySet()).containsExactlyElementsOf(HostileRecords.labels());
    assertThat(HostileRecords.shares().values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    // Kafka's default limit is 1 MiB for the whole batch of one record, overhead included.
    assertThat(largest).isLessThan(1_000_000).isGreaterThan(800 * 1024);
    int eventCount = topics.get(Topic.EVENTS);
    double valid = events.get(Contract.VALID) / (double) eventCount;
    assertThat(valid).isBetween(0.25, 0.40);
    assertThat(topics.get(Topic.PRODUCTS) / 100_000.0).isBetween(0.08, 0.15);
    System.out.printf(
        "events %d (valid %.1f%%, invalid %d, unclear %d), products %d, labels %d, rarest %s%n",
        eventCount,
        100 * valid,
        events.get(Contract.INVALID),
        events.get(Contract.UNCLEAR),
        topics.get(Topic.PRODUCTS),
        seen.size(),
        new TreeMap<>(seen).entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow());
  }

  @Test
  void validRecordsAreJsonObjectsWithEveryRequiredFieldOnce() throws IOException {
    HostileRecords fuzz = new HostileRecords(3, NOW);
    int checked = 0;
    for (int i = 0; i < 50_000; i++) {
      HostileRecord r = fuzz.next();
      if (r.contract() != Contract.VALID) {
        continue;
      }
      checked++;
      assertThat(r.valueIsUtf8()).as(r.label()).isTrue();
      assertThat(r.value().length).as(r.label()).isLessThan(16_384);
      Set<String> names = topLevelNames(r.value());
      List<String> required = r.topic() == Topic.EVENTS ? Cases.REQUIRED : Cases.PRODUCT_REQUIRED;
      assertThat(names).as(r.toString()).containsAll(required);
      assertThat(r.schemaVersion()).as(r.label()).isIn("1", null);
    }
    assertThat(checked).isGreaterThan(10_000);
  }

  @Test
  void invalidUtf8AndTombstonesAreWhatTheirLabelsSay() {
    HostileRecords fuzz = new HostileRecords(5, NOW);
    for (int i = 0; i < 50_000; i++) {
      HostileRecord r = fuzz.next();
      if (r.label().startsWith("utf8.")) {
        assertThat(r.valueIsUtf8()).as(r.label()).isFalse();
      }
      if (r.label().endsWith("tombstone")) {
        assertThat(r.value()).isNull();
      }
      if (r.label().equals("key.null")) {
        assertThat(r.key()).isNull();
      }
    }
  }

  @Test
  void theRecordsOfTheIssueAreAmongTheCases() {
    assertThat(HostileRecords.labels())
        .contains(
            "time.year-minus-300000",
            "session.other-user",
            "catalog.unknown-product",
            "extra.nested",
            "product.updated-at-9999",
            "dup.exact",
            "dup.same-id-other-content");
  }

  @Test
  void theRequiredFieldsAreTheContractFilesOnes() throws IOException {
    assertThat(Cases.REQUIRED).isEqualTo(required("event.schema.json"));
    assertThat(Cases.PRODUCT_REQUIRED).isEqualTo(required("product.schema.json"));
    // What Silver keeps outside extra: every property of each contract.
    assertThat(ContractFields.EVENT).isEqualTo(properties("event.schema.json"));
    assertThat(ContractFields.PRODUCT).isEqualTo(properties("product.schema.json"));
    assertThat(List.of(HostileRecords.EVENT_TYPES)).hasSize(5);
  }

  /** The top-level "required" list of a contract file at the repository root. */
  private static List<String> required(String file) throws IOException {
    return names(file, "required");
  }

  /** The names of the top-level "properties" of a contract file, in order. */
  private static List<String> properties(String file) throws IOException {
    return names(file, "properties");
  }

  /** The strings of a top-level array, or the field names of a top-level object. */
  private static List<String> names(String file, String key) throws IOException {
    List<String> names = new ArrayList<>();
    try (JsonParser p = STRICT.createParser(Path.of("../contract", file).toFile())) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean wanted = p.currentName().equals(key);
        JsonToken value = p.nextToken();
        if (!wanted) {
          p.skipChildren();
          continue;
        }
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != JsonToken.END_OBJECT; ) {
          names.add(value == JsonToken.START_ARRAY ? p.getText() : p.currentName());
          if (value == JsonToken.START_OBJECT) {
            p.nextToken();
            p.skipChildren();
          }
          t = p.nextToken();
        }
      }
    }
    return names;
  }

  /** The top-level names of a JSON object; fails on a repeated name at any depth. */
  static Set<String> topLevelNames(byte[] json) throws IOException {
    Set<String> names = new HashSet<>();
    try (JsonParser p = STRICT.createParser(json)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        names.add(p.currentName());
        p.nextToken();
        p.skipChildren();
      }
      assertThat(p.nextToken()).isNull();
    }
    return names;
  }
}
