package io.runnel.producer;

import io.runnel.common.fuzz.FuzzCorpus;
import io.runnel.common.fuzz.HostileRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "fuzz",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    abbreviateSynopsis = true,
    description = {
      "Sends hostile and odd records: first the corpus (contract/fuzz-corpus/corpus.jsonl), then"
          + " an endless, seeded mix of valid events with one thing changed (times in year"
          + " -300000, prices of 1e400, lone surrogates, missing fields, duplicate names), valid"
          + " events (about a third), products and garbage; keys, values and headers as bytes,"
          + " tombstones too. The same --seed and --start-time give the same bytes.",
      "Product records go to --products-topic. A record Kafka refuses counts as failed and the"
          + " run goes on. --dry-run prints each record as a corpus line.",
      ""
    })
final class FuzzCommand implements Callable<Integer> {
  static final String CORPUS_RESOURCE = "/" + FuzzCorpus.PATH;

  @Mixin SendOptions send = new SendOptions();

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the generator: same seed, same records (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--products-topic",
      paramLabel = "NAME",
      description =
          "Where product records go (default: RUNNEL_PRODUCTS_TOPIC, or products; with --topic T:"
              + " T-products, so that a trial run leaves the real topics alone).")
  String productsTopic;

  @Option(
      names = "--corpus",
      paramLabel = "JSONL",
      description = "Another corpus file to send first (default: the shipped one).")
  Path corpus;

  @Option(names = "--no-corpus", description = "Skip the corpus: generated records only.")
  boolean noCorpus;

  @Option(
      names = "--start-time",
      paramLabel = "ISO-8601",
      description =
          "Send time of the first record, which valid events are stamped a few seconds before"
              + " (default: now); records then follow 1 ms apart (or the --rate schedule):"
              + " byte-for-byte reproducible.")
  String startTime;

  private final SendOptions.Context ctx;

  FuzzCommand(SendOptions.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    ProducerSettings settings = ProducerSettings.fromEnv(ctx.env());
    String products = productsTopic(settings);
    List<HostileRecord> cases = noCorpus ? List.of() : corpus();
    Long start = ProducerApp.startMillis(startTime);
    if (!send.dryRun) {
      send.ensureTopic(settings, products, settings.productsPartitions());
    }
    return send.run(
        ctx,
        new FuzzSource(cases, seed, products, send.dryRun),
        settings.eventsTopic(),
        settings.eventsPartitions(),
        start);
  }

  String productsTopic(ProducerSettings settings) {
    if (productsTopic != null) {
      return ProducerSettings.topic("--products-topic", productsTopic);
    }
    return send.topic == null
        ? settings.productsTopic()
        : ProducerSettings.topic("--topic", send.topic + "-products");
  }

  private List<HostileRecord> corpus() throws IOException {
    if (corpus != null) {
      if (!Files.isRegularFile(corpus)) {
        throw new IllegalArgumentException("--corpus " + corpus + ": no such file");
      }
      return FuzzCorpus.read(corpus);
    }
    try (InputStream in = FuzzCommand.class.getResourceAsStream(CORPUS_RESOURCE)) {
      if (in == null) {
        throw new IOException(CORPUS_RESOURCE + " is missing from the jar: rebuild it");
      }
      return FuzzCorpus.read(in, FuzzCorpus.PATH);
    }
  }
}
