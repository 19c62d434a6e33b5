package io.runnel.common.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.fuzz.HostileRecord.Contract;
import io.runnel.common.fuzz.HostileRecord.Header;
import io.runnel.common.fuzz.HostileRecord.Topic;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FuzzCorpusTest {
  /** The repository's corpus (the module's folder is the working directory of its tests). */
  static final Path CORPUS = Path.of("..").resolve(FuzzCorpus.PATH);

  @Test
  void theCommittedCorpusReadsAndHasTheFailuresOfIssue20() throws IOException {
    Map<String, HostileRecord> cases =
        FuzzCorpus.read(CORPUS).stream()
            .collect(Collectors.toMap(HostileRecord::label, Function.identity()));
    assertThat(cases)
        .containsKeys(
            "issue-20.ts-year-minus-300000",
            "issue-20.session-two-users-a",
            "issue-20.session-two-users-b",
            "issue-20.purchase-unknown-product",
            "issue-20.extra-fields",
            "issue-20.product-updated-at-9999");
    assertThat(text(cases.get("issue-20.ts-year-minus-300000").value()))
        .contains("\"ts\":\"-300000-01-01T00:00:00Z\"");
    assertThat(cases.get("issue-20.product-updated-at-9999").topic()).isEqualTo(Topic.PRODUCTS);
    assertThat(cases.get("record.tombstone").value()).isNull();
    assertThat(cases.get("record.no-headers").headers()).isEmpty();
    assertThat(cases.get("record.no-headers").schemaVersion()).isNull();
    assertThat(cases.get("record.schema-version-2-then-1").schemaVersion()).isEqualTo("1");
    assertThat(cases.get("value.invalid-utf8-user-agent").valueIsUtf8()).isFalse();
    assertThat(cases.get("record.exact-duplicate-a").value())
        .isEqualTo(cases.get("record.exact-duplicate-b").value());
    for (HostileRecord r : cases.values()) {
      if (r.contract() == Contract.VALID) {
        List<String> required = r.topic() == Topic.EVENTS ? Cases.REQUIRED : Cases.PRODUCT_REQUIRED;
        assertThat(HostileRecordsTest.topLevelNames(r.value())).as(r.label()).containsAll(required);
      }
    }
  }

  @Test
  void aGeneratedRecordReadsBackFromItsLine() throws IOException {
    HostileRecords fuzz = new HostileRecords(11, 1_767_225_600_000L);
    for (int i = 0; i < 20_000; i++) {
      HostileRecord r = fuzz.next();
      String line = FuzzCorpus.line(r);
      assertThat(line).doesNotContain("\n");
      assertThat(FuzzCorpus.parse(line)).isEqualTo(r);
    }
  }

  @Test
  void bytesThatAreNotUtf8AreBase64AndHeadersOnlyWhenUnusual() throws IOException {
    HostileRecord r =
        new HostileRecord(
            "x",
            Topic.EVENTS,
            Contract.INVALID,
            null,
            new byte[] {'{', (byte) 0xC3, 0x28, '}'},
            List.of(new Header("runnel-schema-version", null)));
    assertThat(FuzzCorpus.line(r))
        .isEqualTo(
            "{\"case\":\"x\",\"topic\":\"events\",\"contract\":\"invalid\",\"value_base64\":\"e8MofQ==\","
                + "\"headers\":[{\"name\":\"runnel-schema-version\",\"value\":null}]}");
    HostileRecord usual =
        new HostileRecord(
            "y", Topic.PRODUCTS, Contract.VALID, new byte[0], null, Topic.PRODUCTS.headers());
    assertThat(FuzzCorpus.line(usual))
        .isEqualTo(
            "{\"case\":\"y\",\"topic\":\"products\",\"contract\":\"valid\",\"key\":\"\",\"value\":null}");
  }

  @Test
  void aMalformedLineIsNamedByItsNumber() {
    String corpus =
        "{\"case\":\"a\",\"topic\":\"events\",\"contract\":\"valid\",\"value\":\"{}\"}\n\n"
            + "{\"case\":\"b\",\"topic\":\"events\",\"contract\":\"valid\",\"vaule\":\"{}\"}\n";
    assertThatThrownBy(() -> read(corpus))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("test line 3: unknown field 'vaule'");
    assertThatThrownBy(
            () ->
                read(
                    "{\"case\":\"a\",\"topic\":\"events\",\"contract\":\"valid\",\"value\":\"1\"}\n"
                        + "{\"case\":\"a\",\"topic\":\"events\",\"contract\":\"valid\",\"value\":\"2\"}"))
        .hasMessage("test line 2: a second case named 'a'");
    assertThatThrownBy(() -> read("{\"case\":\"a\",\"topic\":\"orders\"}"))
        .hasMessage("test line 1: unknown topic 'orders' (known: events, products)");
    assertThatThrownBy(() -> read("{\"case\":\"a\",\"topic\":\"events\",\"contract\":\"valid\"}"))
        .hasMessage("test line 1: a case needs case, topic, contract and value");
  }

  private static List<HostileRecord> read(String corpus) throws IOException {
    return FuzzCorpus.read(
        new ByteArrayInputStream(corpus.getBytes(StandardCharsets.UTF_8)), "test");
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
