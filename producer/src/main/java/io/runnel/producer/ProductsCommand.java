package io.runnel.producer;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "products",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    abbreviateSynopsis = true,
    description = {
      "Replays the product catalog (data/products.csv, shipped in the jar) to the products topic:"
          + " key product_id, updated_at re-stamped to now, price as a number"
          + " (contract/product.schema.json). Replay it again after a price change (or with"
          + " --reprice) and the products dimension keeps the history.",
      ""
    })
final class ProductsCommand implements Callable<Integer> {
  static final String RESOURCE = "/data/products.csv";

  @Mixin SendOptions send = new SendOptions();

  @Mixin ReplayPace pace = new ReplayPace();

  @Option(
      names = {"-f", "--file"},
      paramLabel = "CSV",
      description = "Another catalog with the same columns (default: the shipped one).")
  Path file;

  @Option(
      names = "--keep-time",
      description = "Keep the file's updated_at instead of re-stamping it to now.")
  boolean keepTime;

  @Option(
      names = "--reprice",
      paramLabel = "SHARE",
      defaultValue = "0",
      description =
          "Change the price of this share of products by -20%% to +20%% on each pass (default: 0).")
  double reprice;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of --reprice: which products change, and by how much.")
  long seed;

  private final SendOptions.Context ctx;

  ProductsCommand(SendOptions.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    if (reprice < 0 || reprice > 1) {
      throw new IllegalArgumentException("--reprice must be between 0 and 1");
    }
    pace.applyTo(send);
    CsvReplaySource.Input input = file == null ? shipped() : ReplayCommand.fileInput(file);
    ProducerSettings settings = ProducerSettings.fromEnv(ctx.env());
    return send.run(
        ctx,
        source(input, !keepTime, pace.loop, reprice, seed),
        settings.productsTopic(),
        settings.productsPartitions(),
        null);
  }

  static CsvReplaySource source(
      CsvReplaySource.Input input, boolean restamp, boolean loop, double reprice, long seed)
      throws Exception {
    CsvReplaySource.Options options =
        new CsvReplaySource.Options(
            "product_id",
            "updated_at",
            restamp,
            Map.of(),
            Map.of("price", CsvReplaySource.ColumnType.NUMBER),
            loop,
            false);
    return new CsvReplaySource(
        input,
        options,
        EventContract.headers("product", EventContract.PRODUCT_SCHEMA_VERSION),
        reprice > 0 ? repricer(reprice, seed) : null);
  }

  /** Moves the price of a share of products by -20% to +20%, differently on each pass. */
  static CsvReplaySource.RowTransform repricer(double share, long seed) {
    SplitMix64 random = new SplitMix64(seed);
    return (row, pass) -> {
      if (random.nextDouble() < share && row.get("price") instanceof BigDecimal price) {
        double factor = 0.8 + 0.4 * random.nextDouble();
        BigDecimal changed =
            price
                .multiply(BigDecimal.valueOf(factor))
                .setScale(2, RoundingMode.HALF_UP)
                .max(new BigDecimal("0.01"));
        row.put("price", changed);
      }
    };
  }

  static CsvReplaySource.Input shipped() {
    return new CsvReplaySource.Input() {
      @Override
      public String name() {
        return "data/products.csv";
      }

      @Override
      public InputStream open() throws IOException {
        InputStream in = ProductsCommand.class.getResourceAsStream(RESOURCE);
        if (in == null) {
          throw new IOException(RESOURCE + " is missing from the jar: rebuild it");
        }
        return in;
      }
    };
  }
}
