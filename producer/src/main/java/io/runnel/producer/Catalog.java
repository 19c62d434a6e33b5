package io.runnel.producer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The generated product catalog. Product {@code i} depends only on {@code i}, so a catalog of 500
 * starts with the same 200 products as the shipped {@code data/products.csv} (200 products), and
 * the prices in synthetic events match the products topic.
 */
final class Catalog {
  /** The shipped catalog's size: {@code data/products.csv}. */
  static final int SHIPPED_SIZE = 200;

  static final String CURRENCY = "EUR";

  /** The effective time written into the shipped file; replays re-stamp it to now by default. */
  static final String SHIPPED_UPDATED_AT = "2026-01-01T00:00:00.000Z";

  static final List<String> COLUMNS =
      List.of("product_id", "name", "category", "description", "price", "currency", "updated_at");

  private static final long CATALOG_SEED = 0x52554E4E454CL;

  /** A category, its products' nouns and its price range in euro cents. */
  private record Category(String name, long minCents, long maxCents, String... nouns) {}

  private static final List<Category> CATEGORIES =
      List.of(
          new Category(
              "kitchen",
              400,
              6_000,
              "Mug",
              "Teapot",
              "Chef's Knife",
              "Cutting Board",
              "Espresso Cups",
              "Salad Bowl"),
          new Category(
              "books", 800, 4_000, "Cookbook", "Novel", "Travel Guide", "Notebook", "Atlas"),
          new Category(
              "electronics",
              1_500,
              40_000,
              "Headphones",
              "Phone Charger",
              "Bluetooth Speaker",
              "Smartwatch",
              "E-Reader",
              "Webcam"),
          new Category(
              "apparel",
              1_000,
              15_000,
              "T-Shirt",
              "Hoodie",
              "Rain Jacket",
              "Sneakers",
              "Wool Scarf"),
          new Category(
              "home",
              800,
              12_000,
              "Throw Blanket",
              "Desk Lamp",
              "Scented Candle",
              "Plant Pot",
              "Wall Clock"),
          new Category(
              "sports",
              600,
              20_000,
              "Yoga Mat",
              "Water Bottle",
              "Running Socks",
              "Dumbbell Set",
              "Bike Light"),
          new Category("beauty", 300, 6_000, "Face Cream", "Shampoo", "Lip Balm", "Hand Soap"),
          new Category("toys", 500, 8_000, "Puzzle", "Building Blocks", "Plush Bear", "Kite"));

  private static final String[] ADJECTIVES = {
    "Classic",
    "Eco",
    "Deluxe",
    "Compact",
    "Vintage",
    "Nordic",
    "Café",
    "Crème",
    "Everyday",
    "Premium",
    "Señorita",
    "Köln",
    "Bold",
    "Organic",
    "Mini"
  };
  private static final String[] COLORS = {
    "Sage", "Charcoal", "Ivory", "Ocean Blue", "Terracotta", "Mustard", "Rosé"
  };
  private static final String[] ORIGINS = {"Portugal", "Poland", "Vietnam", "Germany", "Mexico"};

  private Catalog() {}

  /** The unit price, name and so on of one product. */
  record Product(
      String productId,
      String name,
      String category,
      String description,
      long priceCents,
      String currency,
      String updatedAt) {}

  static List<Product> generate(int size) {
    List<Product> products = new ArrayList<>(size);
    for (int i = 1; i <= size; i++) {
      products.add(product(i));
    }
    return products;
  }

  static Product product(int index) {
    SplitMix64 r = new SplitMix64(SplitMix64.hash(CATALOG_SEED, index));
    Category c = CATEGORIES.get(r.nextInt(CATEGORIES.size()));
    String noun = c.nouns()[r.nextInt(c.nouns().length)];
    String name = ADJECTIVES[r.nextInt(ADJECTIVES.length)] + " " + noun;
    if (r.nextDouble() < 0.4) {
      // A comma inside a field: the CSV writer must quote it.
      name += ", " + COLORS[r.nextInt(COLORS.length)];
    }
    // Log-uniform in the category's range, ending in .99, .49 or .00 as shops price.
    double logPrice =
        Math.log(c.minCents()) + r.nextDouble() * (Math.log(c.maxCents()) - Math.log(c.minCents()));
    long euros = Math.max(1, Math.round(Math.exp(logPrice) / 100));
    long[] endings = {-1, 49 - 100, 0};
    long cents = Math.max(99, euros * 100 + endings[r.nextInt(endings.length)]);
    String description = description(r, noun);
    return new Product(
        "product_" + index, name, c.name(), description, cents, CURRENCY, SHIPPED_UPDATED_AT);
  }

  private static String description(SplitMix64 r, String noun) {
    double d = r.nextDouble();
    String origin = ORIGINS[r.nextInt(ORIGINS.length)];
    if (d < 0.15) {
      return null;
    } else if (d < 0.3) {
      // Quotes and a line break inside a field.
      return "Our \"" + noun.toLowerCase() + "\" bestseller.\nMade in " + origin + ".";
    }
    return "A " + noun.toLowerCase() + " made in " + origin + ", built to last.";
  }

  /** The catalog as CSV with a header row; quoting and escaping are the CSV library's. */
  static String toCsv(List<Product> products) {
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
    for (String column : COLUMNS) {
      schema.addColumn(column);
    }
    CsvMapper mapper = new CsvMapper();
    mapper.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    // Quote only what needs it (commas, quotes, line breaks).
    mapper.enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING);
    StringWriter out = new StringWriter();
    List<List<String>> rows = new ArrayList<>(products.size());
    for (Product p : products) {
      StringBuilder price = new StringBuilder();
      Json.cents(price, p.priceCents());
      rows.add(
          java.util.Arrays.asList(
              p.productId(),
              p.name(),
              p.category(),
              p.description(),
              price.toString(),
              p.currency(),
              p.updatedAt()));
    }
    try {
      mapper.writer(schema.build()).writeValue(out, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
