package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  private static EventGenerator generator(long seed, EventGenerator.Funnel funnel) {
    return new EventGenerator(
        seed, 5_000, Catalog.generate(200), EventGenerator.CURRENCIES, funnel, 500);
  }

  private static byte[][] bytes(long seed, int n) {
    EventGenerator g = generator(seed, EventGenerator.Funnel.DEFAULT);
    EventJson json = new EventJson();
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      out[i] = json.write(g.next(T0 + i));
    }
    return out;
  }

  @Test
  void theSameSeedGivesTheSameEventsByteForByte() {
    assertThat(bytes(42, 5_000)).isEqualTo(bytes(42, 5_000));
    assertThat(Arrays.equals(bytes(42, 50)[0], bytes(43, 50)[0])).isFalse();
  }

  @Test
  void generatedEventsFollowTheContract() {
    for (byte[] value : bytes(42, 5_000)) {
      assertThat(Contracts.violations(Contracts.EVENT, value)).isEmpty();
    }
  }

  @Test
  void eventsLookLikeTheExampleEvent() {
    JsonNode e = Contracts.parse(bytes(42, 1)[0]);
    assertThat(e.fieldNames())
        .toIterable()
        .containsExactlyElementsOf(EventContract.REQUIRED_FIELDS);
    assertThat(e.get("user_id").asText()).matches("user_\\d+");
    assertThat(e.get("product_id").asText()).matches("product_\\d+");
    assertThat(e.get("ts").asText()).isEqualTo("2026-01-01T00:00:00.000Z");
    assertThat(e.get("price").isNumber()).isTrue();
  }

  @Test
  void theFunnelNarrowsFromViewsToPurchasesInTheConfiguredProportions() {
    EventGenerator.Funnel funnel = new EventGenerator.Funnel(6, 0.5, 0.2, 0.25, 0.4);
    EventGenerator g = generator(7, funnel);
    int n = 400_000;
    Map<String, Integer> byType = new HashMap<>();
    // Per session started in the first 3/4 of the run (so it has ended): net cart and purchase.
    Map<String, Integer> netCart = new HashMap<>();
    Set<String> buyers = new HashSet<>();
    Set<String> sessions = new HashSet<>();
    long[] trackedViews = {0};
    for (int i = 0; i < n; i++) {
      Event e = g.next(T0 + i);
      byType.merge(e.eventType(), 1, Integer::sum);
      String session = e.sessionId().toString();
      if (i < n * 3 / 4) {
        sessions.add(session);
      } else if (!sessions.contains(session)) {
        continue;
      }
      switch (e.eventType()) {
        case "add_to_cart" -> netCart.merge(session, 1, Integer::sum);
        case "remove_from_cart" -> netCart.merge(session, -1, Integer::sum);
        case "purchase" -> buyers.add(session);
        case "view" -> trackedViews[0]++;
        default -> {}
      }
    }
    double views = byType.get("view");
    assertThat(byType.get("click") / views).isCloseTo(0.5, within(0.02));
    assertThat(byType.get("add_to_cart") / views).isCloseTo(0.2, within(0.01));
    assertThat((double) byType.get("remove_from_cart") / byType.get("add_to_cart"))
        .isCloseTo(0.25, within(0.02));
    assertThat(trackedViews[0] / (double) sessions.size()).isCloseTo(6, within(0.3));
    // Conversion: sessions that purchase among those that left with a non-empty cart.
    long carts = netCart.values().stream().filter(v -> v > 0).count();
    assertThat(buyers.size() / (double) carts).isCloseTo(0.4, within(0.02));
    // The funnel narrows.
    assertThat(byType.get("view")).isGreaterThan(byType.get("add_to_cart"));
    assertThat(byType.get("add_to_cart")).isGreaterThan(byType.get("purchase"));
  }

  @Test
  void pricesComeFromTheCatalogConvertedAtTheUsersFixedCurrency() {
    List<Catalog.Product> catalog = Catalog.generate(200);
    EventGenerator g =
        new EventGenerator(
            1, 1_000, catalog, EventGenerator.CURRENCIES, EventGenerator.Funnel.DEFAULT, 100);
    Map<String, String> currencyByUser = new HashMap<>();
    Map<String, String> agentByUser = new HashMap<>();
    for (int i = 0; i < 50_000; i++) {
      Event e = g.next(T0 + i);
      int index = Integer.parseInt(e.productId().substring("product_".length()));
      Catalog.Product p = catalog.get(index - 1);
      double rate =
          EventGenerator.CURRENCIES.stream()
              .filter(c -> c.code().equals(e.currency()))
              .findFirst()
              .orElseThrow()
              .perEuro();
      assertThat(e.priceCents()).isEqualTo(Math.round(p.priceCents() * rate));
      assertThat(currencyByUser.computeIfAbsent(e.userId(), u -> e.currency()))
          .isEqualTo(e.currency());
      assertThat(agentByUser.computeIfAbsent(e.userId(), u -> e.userAgent()))
          .isEqualTo(e.userAgent());
      assertThat(e.quantity()).isBetween(1, 5);
    }
    assertThat(Set.copyOf(currencyByUser.values())).hasSize(5);
  }

  @Test
  void usersAndProductsStayInTheirRanges() {
    EventGenerator g =
        new EventGenerator(
            5,
            50,
            Catalog.generate(10),
            List.of(EventGenerator.CURRENCIES.get(0)),
            EventGenerator.Funnel.DEFAULT,
            1_000);
    Set<String> users = new HashSet<>();
    Set<String> products = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      Event e = g.next(T0 + i);
      users.add(e.userId());
      products.add(e.productId());
      assertThat(e.currency()).isEqualTo("EUR");
    }
    assertThat(users).hasSizeLessThanOrEqualTo(50).hasSizeGreaterThan(40);
    assertThat(products).hasSize(10);
  }
}
