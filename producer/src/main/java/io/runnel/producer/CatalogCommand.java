package io.runnel.producer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description =
        "Writes the generated product catalog as CSV: the one synthetic events draw from."
            + " data/products.csv is its first 200 products.")
final class CatalogCommand implements Callable<Integer> {
  @Option(
      names = "--products",
      defaultValue = "" + Catalog.SHIPPED_SIZE,
      description = "Number of products (default: ${DEFAULT-VALUE}).")
  int products;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "FILE",
      description = "Write here (default: standard output).")
  Path out;

  private final SendOptions.Context ctx;

  CatalogCommand(SendOptions.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws IOException {
    if (products < 1) {
      throw new IllegalArgumentException("--products must be at least 1");
    }
    String csv = Catalog.toCsv(Catalog.generate(products));
    if (out == null) {
      ctx.out().print(csv);
      ctx.out().flush();
    } else {
      Files.writeString(out, csv, StandardCharsets.UTF_8);
    }
    return 0;
  }
}
