package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import io.runnel.common.Env;
import io.runnel.common.fuzz.FuzzCorpus;
import io.runnel.common.fuzz.HostileRecord;
import io.runnel.common.fuzz.HostileRecord.Contract;
import io.runnel.common.fuzz.HostileRecord.Topic;
import io.runnel.common.fuzz.HostileRecords;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FuzzCommandTest {
  private static final long NOW = 1_767_225_600_000L;

  private final CommandRun cli = new CommandRun();

  private int run(String... args) {
    return cli.run(Map.of(), args);
  }

  @Test
  void aDryRunPrintsTheCorpusThenTheSameRecordsForTheSameSeed() throws IOException {
    String[] args = {
      "fuzz", "--count", "3000", "--seed", "7", "--dry-run", "--start-time", "2026-01-01T00:00:00Z"
    };
    assertThat(run(args)).isZero();
    String first = cli.out();
    cli.reset();
    assertThat(run(args)).isZero();
    assertThat(cli.out()).isEqualTo(first);

    List<String> lines = first.lines().toList();
    assertThat(lines).hasSize(3000);
    List<HostileRecord> corpus = shippedCorpus();
    for (int i = 0; i < lines.size(); i++) {
      HostileRecord r = FuzzCorpus.parse(lines.get(i));
      if (i < corpus.size()) {
        assertThat(r).isEqualTo(corpus.get(i));
      } else {
        assertThat(HostileRecords.labels()).contains(r.label());
      }
    }
    assertThat(cli.err())
        .containsPattern("(?m)^ *acked +3,000$")
        .containsPattern("(?m)^ *failed +0$")
        .containsPattern("(?m)^ *from the corpus +" + corpus.size() + "$")
        .containsPattern("(?m)^ *to products +[\\d,]+$")
        .containsPattern("(?m)^ *contract valid +[\\d,]+$")
        .containsPattern("(?m)^ *case valid.event +[\\d,]+$");
  }

  @Test
  void noCorpusStartsWithGeneratedRecordsAndAnotherSeedGivesOthers() throws IOException {
    assertThat(run("fuzz", "--count", "50", "--no-corpus", "--dry-run", "--seed", "1")).isZero();
    String one = cli.out();
    assertThat(one).doesNotContain("issue-20.");
    assertThat(cli.err()).containsPattern("(?m)^ *from the corpus +0$");
    cli.reset();
    assertThat(run("fuzz", "--count", "50", "--no-corpus", "--dry-run", "--seed", "2")).isZero();
    assertThat(cli.out()).isNotEqualTo(one);
  }

  @Test
  void productRecordsGoToTheProductsTopicOrBesideTheChosenTopic() {
    ProducerSettings settings = ProducerSettings.fromEnv(Env.of(Map.of()));
    FuzzCommand fuzz = new FuzzCommand(null);
    assertThat(fuzz.productsTopic(settings)).isEqualTo("products");
    fuzz.send.topic = "fuzz-try";
    assertThat(fuzz.productsTopic(settings)).isEqualTo("fuzz-try-products");
    fuzz.productsTopic = "p";
    assertThat(fuzz.productsTopic(settings)).isEqualTo("p");

    FuzzSource source = new FuzzSource(List.of(), 3, "p", false);
    boolean sawProduct = false;
    boolean sawEvent = false;
    for (int i = 0; i < 200; i++) {
      OutgoingRecord r = source.next(NOW);
      assertThat(r.raw().line()).isNull();
      sawProduct |= "p".equals(r.raw().topic());
      sawEvent |= r.raw().topic() == null;
    }
    assertThat(sawProduct).isTrue();
    assertThat(sawEvent).isTrue();
    assertThat(source.counts()).containsEntry("to p", source.counts().get("to p"));
  }

  @Test
  void theGeneratorsConstantsAreTheProducers() {
    assertThat(HostileRecord.SCHEMA_HEADER).isEqualTo(EventContract.SCHEMA_HEADER);
    assertThat(HostileRecord.VERSION_HEADER).isEqualTo(EventContract.VERSION_HEADER);
    assertThat(Topic.EVENTS.headers())
        .isEqualTo(
            FuzzSource.kafkaHeaders(Topic.EVENTS.headers()).stream()
                .map(h -> new HostileRecord.Header(h.key(), h.value()))
                .toList());
    assertThat(FuzzSource.kafkaHeaders(Topic.EVENTS.headers()))
        .isEqualTo(EventContract.headers("event", EventContract.EVENT_SCHEMA_VERSION));
    assertThat(FuzzSource.kafkaHeaders(Topic.PRODUCTS.headers()))
        .isEqualTo(EventContract.headers("product", EventContract.PRODUCT_SCHEMA_VERSION));
    assertThat(HostileRecords.SHIPPED_PRODUCTS).isEqualTo(Catalog.SHIPPED_SIZE);
    assertThat(run("--help")).isZero();
    assertThat(cli.out()).contains("fuzz");
  }

  /**
   * The generator's verdicts against the contract files: every record it calls valid passes the
   * JSON schema, and every one it calls invalid fails it or another written rule (UTF-8, one JSON
   * value, unique names, schema version 1, at most two decimals in a price).
   */
  @Test
  void theContractVerdictsAgreeWithTheSchemaFiles() throws IOException {
    HostileRecords fuzz = new HostileRecords(13, NOW);
    List<String> wrong = new ArrayList<>();
    List<HostileRecord> records = new ArrayList<>(shippedCorpus());
    for (int i = 0; i < 30_000; i++) {
      records.add(fuzz.next());
    }
    for (HostileRecord r : records) {
      List<String> broken = broken(r);
      if (r.contract() == Contract.VALID && !broken.isEmpty()) {
        wrong.add("valid but " + broken + ": " + r);
      } else if (r.contract() == Contract.INVALID && broken.isEmpty()) {
        wrong.add("invalid but follows the contract: " + r);
      }
    }
    assertThat(wrong).isEmpty();
  }

  private static final Set<String> ISO_4217 =
      java.util.Currency.getAvailableCurrencies().stream()
          .map(java.util.Currency::getCurrencyCode)
          .collect(Collectors.toSet());

  private static final JsonMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  /** What of the contract the record breaks; empty when it follows it. */
  private static List<String> broken(HostileRecord r) {
    List<String> why = new ArrayList<>();
    String version = r.schemaVersion();
    if (version != null && !version.equals("1")) {
      why.add("schema version " + version);
    }
    if (r.value() == null) {
      why.add("tombstone");
      return why;
    }
    JsonNode node;
    try {
      node = STRICT.readTree(r.value());
    } catch (IOException e) {
      why.add("not one JSON value");
      return why;
    }
    if (!r.valueIsUtf8() || node == null || node.isMissingNode()) {
      why.add("not UTF-8 JSON");
      return why;
    }
    JsonSchema schema = r.topic() == Topic.EVENTS ? Contracts.EVENT : Contracts.PRODUCT;
    why.addAll(Contracts.violations(schema, r.value()));
    JsonNode currency = node.get("currency");
    if (currency != null && currency.isTextual() && !ISO_4217.contains(currency.asText())) {
      why.add("not an ISO 4217 currency");
    }
    JsonNode price = node.get("price");
    if (price != null
        && price.isNumber()
        && price.decimalValue().stripTrailingZeros().scale() > 2) {
      why.add("price with more than two decimals");
    }
    return why;
  }

  private static List<HostileRecord> shippedCorpus() throws IOException {
    try (InputStream in = FuzzCommand.class.getResourceAsStream(FuzzCommand.CORPUS_RESOURCE)) {
      return FuzzCorpus.read(in, "corpus");
    }
  }
}
