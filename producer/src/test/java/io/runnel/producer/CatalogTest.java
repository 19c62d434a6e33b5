package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CatalogTest {
  private static final long NOW = 1_767_225_600_000L;

  @Test
  void theShippedCatalogIsTheGeneratedOne() throws Exception {
    // If this fails after a change to Catalog: ./runnel produce catalog --out data/products.csv
    try (InputStream in = getClass().getResourceAsStream(ProductsCommand.RESOURCE)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(Catalog.toCsv(Catalog.generate(Catalog.SHIPPED_SIZE)));
    }
  }

  @Test
  void aLargerCatalogStartsWithTheSameProducts() {
    assertThat(Catalog.generate(500).subList(0, 200)).isEqualTo(Catalog.generate(200));
  }

  @Test
  void theReplayedCatalogFollowsTheProductContractWithItsQuirksIntact() throws Exception {
    List<JsonNode> products = new ArrayList<>();
    try (CsvReplaySource source =
        ProductsCommand.source(ProductsCommand.shipped(), true, false, 0, 1)) {
      OutgoingRecord r;
      while ((r = source.next(NOW)) != null) {
        assertThat(Contracts.violations(Contracts.PRODUCT, r.value())).isEmpty();
        JsonNode p = Contracts.parse(r.value());
        assertThat(p.get("product_id").asText()).isEqualTo(r.key());
        assertThat(p.get("updated_at").asText()).isEqualTo("2026-01-01T00:00:00.000Z");
        products.add(p);
      }
      assertThat(source.headers())
          .extracting(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8))
          .containsExactly("runnel-schema=product", "runnel-schema-version=1");
    }
    assertThat(products).hasSize(Catalog.SHIPPED_SIZE);
    List<Catalog.Product> generated = Catalog.generate(Catalog.SHIPPED_SIZE);
    for (int i = 0; i < products.size(); i++) {
      JsonNode p = products.get(i);
      Catalog.Product g = generated.get(i);
      assertThat(p.get("name").asText()).isEqualTo(g.name());
      assertThat(p.get("price").decimalValue().movePointRight(2).longValueExact())
          .isEqualTo(g.priceCents());
      assertThat(p.get("description").isNull()).isEqualTo(g.description() == null);
    }
    // The shipped file exercises quoting, line breaks, UTF-8 and empty values.
    assertThat(products).anySatisfy(p -> assertThat(p.get("name").asText()).contains(","));
    assertThat(products)
        .anySatisfy(p -> assertThat(p.get("description").asText()).contains("\"").contains("\n"));
    assertThat(products).anySatisfy(p -> assertThat(p.get("name").asText()).contains("ö"));
    assertThat(products).anySatisfy(p -> assertThat(p.get("description").isNull()).isTrue());
  }

  @Test
  void repricingChangesTheShareOfPricesAskedForWithinTwentyPercent() throws Exception {
    List<Catalog.Product> generated = Catalog.generate(Catalog.SHIPPED_SIZE);
    Set<String> changed = new HashSet<>();
    try (CsvReplaySource source =
        ProductsCommand.source(ProductsCommand.shipped(), true, false, 0.25, 1)) {
      OutgoingRecord r;
      int i = 0;
      while ((r = source.next(NOW)) != null) {
        JsonNode p = Contracts.parse(r.value());
        long cents = p.get("price").decimalValue().movePointRight(2).longValueExact();
        long before = generated.get(i++).priceCents();
        if (cents != before) {
          changed.add(r.key());
          assertThat((double) cents / before).isBetween(0.79, 1.21);
        }
        assertThat(Contracts.violations(Contracts.PRODUCT, r.value())).isEmpty();
      }
    }
    assertThat(changed.size()).isBetween(30, 70);
  }
}
