package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvReplaySourceTest {
  private static final long NOW = 1_767_225_600_000L;

  private static CsvReplaySource.Input input(byte[] bytes) {
    return new CsvReplaySource.Input() {
      @Override
      public String name() {
        return "test.csv";
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }
    };
  }

  private static CsvReplaySource.Input input(String csv) {
    return input(csv.getBytes(StandardCharsets.UTF_8));
  }

  private static CsvReplaySource.Options options(boolean skip) {
    return new CsvReplaySource.Options(
        "user",
        "ts",
        false,
        Map.of(),
        Map.of("amount", CsvReplaySource.ColumnType.NUMBER),
        false,
        skip);
  }

  private static List<OutgoingRecord> all(CsvReplaySource source) throws Exception {
    List<OutgoingRecord> out = new ArrayList<>();
    OutgoingRecord r;
    while ((r = source.next(NOW + out.size())) != null) {
      out.add(r);
    }
    return out;
  }

  private static JsonNode json(OutgoingRecord r) {
    return Contracts.parse(r.value());
  }

  @Test
  void quotesEmbeddedNewlinesUtf8AndEmptyValuesAreTheCsvLibrarys() throws Exception {
    String csv =
        "user,note,amount,ts\n"
            + "u1,\"hello, \"\"world\"\"\",1.50,2026-01-01T10:00:00Z\n"
            + "u2,\"two\nlines\",,2026-01-01T10:00:01.5+02:00\n"
            + "u3,\"\",7,2026-01-01 10:00:02\n"
            + "\n"
            + "u4,Crème brûlée 🍮 日本,3,2026-01-01T10:00:03Z\n";
    List<OutgoingRecord> records =
        all(new CsvReplaySource(input(csv), options(false), List.of(), null));
    assertThat(records).extracting(OutgoingRecord::key).containsExactly("u1", "u2", "u3", "u4");
    assertThat(json(records.get(0)).get("note").asText()).isEqualTo("hello, \"world\"");
    assertThat(json(records.get(0)).get("amount").decimalValue()).isEqualByComparingTo("1.50");
    assertThat(json(records.get(0)).get("ts").asText()).isEqualTo("2026-01-01T10:00:00.000Z");
    assertThat(json(records.get(1)).get("note").asText()).isEqualTo("two\nlines");
    // Unquoted empty: null. The offset is normalised to UTC.
    assertThat(json(records.get(1)).get("amount").isNull()).isTrue();
    assertThat(json(records.get(1)).get("ts").asText()).isEqualTo("2026-01-01T08:00:01.500Z");
    // Quoted empty: the empty string. A time without offset is UTC.
    assertThat(json(records.get(2)).get("note").asText()).isEmpty();
    assertThat(json(records.get(2)).get("ts").asText()).isEqualTo("2026-01-01T10:00:02.000Z");
    assertThat(json(records.get(3)).get("note").asText()).isEqualTo("Crème brûlée 🍮 日本");
  }

  @Test
  void malformedRowsAreReportedWithTheLineTheyStartOnAndSkippedWhenAsked() throws Exception {
    String csv =
        "user,note,amount,ts\n" // line 1
            + "u1,\"multi\nline\",1,2026-01-01T00:00:00Z\n" // lines 2-3
            + "u2,short\n" // line 4: too few fields
            + "u3,x,not-a-number,2026-01-01T00:00:00Z\n" // line 5
            + ",x,1,2026-01-01T00:00:00Z\n" // line 6: empty key
            + "u5,x,1,yesterday\n" // line 7
            + "u6,x,1,2026-01-01T00:00:00Z,extra\n" // line 8: too many
            + "u7,x,2,2026-01-01T00:00:00Z\n"; // line 9
    CsvReplaySource skipping = new CsvReplaySource(input(csv), options(true), List.of(), null);
    assertThat(all(skipping)).extracting(OutgoingRecord::key).containsExactly("u1", "u7");
    assertThat(skipping.counts()).containsEntry("malformed rows skipped", 5L);

    CsvReplaySource failing = new CsvReplaySource(input(csv), options(false), List.of(), null);
    assertThat(failing.next(NOW).key()).isEqualTo("u1");
    assertThatThrownBy(() -> failing.next(NOW))
        .isInstanceOf(CsvReplaySource.MalformedInputException.class)
        .hasMessageStartingWith("test.csv:4: has 2 fields, the header has 4");
    for (String[] expected :
        new String[][] {
          {"5", "'not-a-number' is not a number"},
          {"6", "the key column 'user' is empty"},
          {"7", "'yesterday', not an ISO-8601 time"},
          {"8", "has 5 fields"}
        }) {
      assertThatThrownBy(() -> failing.next(NOW))
          .hasMessageStartingWith("test.csv:" + expected[0] + ": ")
          .hasMessageContaining(expected[1]);
    }
    assertThat(failing.next(NOW).key()).isEqualTo("u7");
  }

  @Test
  void anUnterminatedQuoteOrBytesThatAreNotUtf8EndTheFileWithTheirLine() throws Exception {
    String csv = "user,note,amount,ts\nu1,x,1,2026-01-01T00:00:00Z\nu2,\"open,1,2026\nu3,x,1,z\n";
    CsvReplaySource quote = new CsvReplaySource(input(csv), options(true), List.of(), null);
    assertThat(all(quote)).hasSize(1);
    assertThat(quote.counts()).containsEntry("malformed rows skipped", 1L);
    CsvReplaySource failing = new CsvReplaySource(input(csv), options(false), List.of(), null);
    failing.next(NOW);
    assertThatThrownBy(() -> failing.next(NOW))
        .hasMessageStartingWith("test.csv:3: ")
        .hasMessageContaining("quote");

    byte[] latin1 =
        "user,note,amount,ts\nu1,caf\u00e9,1,2026-01-01T00:00:00Z\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    CsvReplaySource notUtf8 = new CsvReplaySource(input(latin1), options(false), List.of(), null);
    assertThatThrownBy(() -> notUtf8.next(NOW)).hasMessageContaining("not UTF-8");
  }

  @Test
  void columnsAreRenamedTypedAndTheEventTimeReStampedToTheSendTime() throws Exception {
    String csv = "id,qty,ok,when\na,3,yes,2020-05-05T00:00:00Z\nb,4,false,2020-05-05T00:00:00Z\n";
    CsvReplaySource.Options o =
        new CsvReplaySource.Options(
            "id",
            "when",
            true,
            Map.of("id", "order_id", "when", "ts"),
            Map.of(
                "qty", CsvReplaySource.ColumnType.INTEGER,
                "ok", CsvReplaySource.ColumnType.BOOLEAN),
            false,
            false);
    List<OutgoingRecord> records = all(new CsvReplaySource(input(csv), o, List.of(), null));
    assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"order_id\":\"a\",\"qty\":3,\"ok\":true,\"ts\":\"2026-01-01T00:00:00.000Z\"}");
    assertThat(json(records.get(1)).get("ts").asText()).isEqualTo("2026-01-01T00:00:00.001Z");
  }

  @Test
  void loopingStartsAgainUntilALimitAndAFileWithoutGoodRowsEndsTheLoop() throws Exception {
    String csv = "user,note,amount,ts\nu1,x,1,2026-01-01T00:00:00Z\nu2,y,2,2026-01-01T00:00:00Z\n";
    CsvReplaySource.Options loop =
        new CsvReplaySource.Options("user", "ts", false, Map.of(), Map.of(), true, true);
    CsvReplaySource source = new CsvReplaySource(input(csv), loop, List.of(), null);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      keys.add(source.next(NOW).key());
    }
    assertThat(keys).containsExactly("u1", "u2", "u1", "u2", "u1");
    assertThat(source.counts()).containsEntry("passes over the file", 3L);

    String bad = "user,note,amount,ts\nu1,x\n";
    assertThat(all(new CsvReplaySource(input(bad), loop, List.of(), null))).isEmpty();
  }

  @Test
  void optionsNamingAMissingColumnAndFilesWithoutAHeaderAreRefused() {
    assertThatThrownBy(
            () ->
                new CsvReplaySource(
                    input("a,b\n1,2\n"),
                    new CsvReplaySource.Options(
                        "user", null, false, Map.of(), Map.of(), false, false),
                    List.of(),
                    null))
        .hasMessageContaining("--key-column names column 'user'")
        .hasMessageContaining("columns: a, b");
    assertThatThrownBy(() -> new CsvReplaySource(input(""), options(false), List.of(), null))
        .hasMessageContaining("test.csv:1: the file is empty");
    assertThatThrownBy(() -> new CsvReplaySource(input("a,,b\n"), options(false), List.of(), null))
        .hasMessageContaining("header column 2 is empty");
  }
}
