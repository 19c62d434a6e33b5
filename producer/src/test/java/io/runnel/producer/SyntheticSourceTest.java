package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticSourceTest {
  private static final long T0 = 1_767_225_600_000L;

  private static SyntheticSource source(long seed, Map<BadKind, Double> ratios) {
    EventGenerator g =
        new EventGenerator(
            seed,
            1_000,
            Catalog.generate(50),
            EventGenerator.CURRENCIES,
            EventGenerator.Funnel.DEFAULT,
            100);
    return new SyntheticSource(g, seed, ratios);
  }

  @Test
  void withoutBadRecordsEveryRecordFollowsTheContractAndIsKeyedByUser() {
    SyntheticSource s = source(1, Map.of());
    for (int i = 0; i < 2_000; i++) {
      OutgoingRecord r = s.next(T0 + i);
      assertThat(Contracts.violations(Contracts.EVENT, r.value())).isEmpty();
      assertThat(Contracts.parse(r.value()).get("user_id").asText()).isEqualTo(r.key());
    }
    assertThat(s.counts()).containsExactly(Map.entry("bad records injected", 0L));
    assertThat(s.headers())
        .anySatisfy(
            h -> {
              assertThat(h.key()).isEqualTo(EventContract.VERSION_HEADER);
              assertThat(new String(h.value(), StandardCharsets.UTF_8)).isEqualTo("1");
            });
  }

  @Test
  void eachBadKindIsInjectedAtItsRatioCountedAndBreaksTheContractAsItSays() {
    Map<BadKind, Double> ratios = new EnumMap<>(BadKind.class);
    for (BadKind k : BadKind.values()) {
      ratios.put(k, 0.02);
    }
    SyntheticSource s = source(9, ratios);
    int n = 50_000;
    Map<String, List<String>> goodValuesById = new HashMap<>();
    int invalid = 0;
    int late = 0;
    int duplicates = 0;
    int oversized = 0;
    for (int i = 0; i < n; i++) {
      long now = T0 + i;
      OutgoingRecord r = s.next(now);
      List<String> violations = Contracts.violations(Contracts.EVENT, r.value());
      if (!violations.isEmpty()) {
        invalid++;
        if (r.value().length > SyntheticSource.OVERSIZED_BYTES) {
          oversized++;
        }
        continue;
      }
      JsonNode e = Contracts.parse(r.value());
      assertThat(r.key()).isEqualTo(e.get("user_id").asText());
      String id = e.get("event_id").asText();
      String text = new String(r.value(), StandardCharsets.UTF_8);
      List<String> seen = goodValuesById.computeIfAbsent(id, k -> new ArrayList<>());
      if (!seen.isEmpty()) {
        // A duplicate is the same record again, byte for byte.
        assertThat(seen).contains(text);
        duplicates++;
      }
      seen.add(text);
      long ts = Instant.parse(e.get("ts").asText()).toEpochMilli();
      if (now - ts >= 3_600_000L) {
        assertThat(now - ts).isLessThanOrEqualTo(73 * 3_600_000L);
        late++;
      }
    }
    Map<BadKind, Long> injected = s.injected();
    for (BadKind k : BadKind.values()) {
      assertThat(injected.get(k) / (double) n).as(k.label()).isCloseTo(0.02, within(0.003));
    }
    // Late events and duplicates are valid JSON of the contract; the rest break it.
    assertThat((long) late).isEqualTo(injected.get(BadKind.LATE));
    assertThat((long) duplicates).isEqualTo(injected.get(BadKind.DUPLICATE));
    assertThat((long) oversized).isEqualTo(injected.get(BadKind.OVERSIZED));
    long breaking =
        injected.values().stream().mapToLong(Long::longValue).sum()
            - injected.get(BadKind.LATE)
            - injected.get(BadKind.DUPLICATE);
    assertThat((long) invalid).isEqualTo(breaking);
    assertThat(s.counts()).containsEntry("bad invalid-utf8", injected.get(BadKind.INVALID_UTF8));
  }

  @Test
  void invalidUtf8RecordsAreNotUtf8AndMalformedJsonIsNotJson() {
    SyntheticSource utf8 = source(3, Map.of(BadKind.INVALID_UTF8, 1.0));
    SyntheticSource cut = source(3, Map.of(BadKind.MALFORMED_JSON, 1.0));
    for (int i = 0; i < 200; i++) {
      byte[] bad = utf8.next(T0 + i).value();
      assertThatThrownBy(() -> StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bad)))
          .isInstanceOf(CharacterCodingException.class);
      assertThat(Contracts.violations(Contracts.EVENT, cut.next(T0 + i).value()))
          .singleElement()
          .asString()
          .startsWith("not JSON");
    }
  }

  @Test
  void theSameSeedInjectsTheSameBadRecords() {
    Map<BadKind, Double> ratios = Map.of(BadKind.WRONG_TYPE, 0.1, BadKind.DUPLICATE, 0.1);
    SyntheticSource a = source(5, ratios);
    SyntheticSource b = source(5, ratios);
    for (int i = 0; i < 5_000; i++) {
      assertThat(a.next(T0 + i).value()).isEqualTo(b.next(T0 + i).value());
    }
  }

  @Test
  void ratiosAboveOneInTotalAreRefused() {
    assertThatThrownBy(() -> source(1, Map.of(BadKind.LATE, 0.6, BadKind.OVERSIZED, 0.6)))
        .hasMessageContaining("above 1");
  }
}
