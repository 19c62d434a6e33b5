package io.runnel.producer;

import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.ServiceUnavailableException;
import io.runnel.common.SettingsException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Feeds Runnel: synthetic shoppers' clickstream events (this command), a CSV file ({@code replay}),
 * the product catalog ({@code products}) or hostile records ({@code fuzz}) into Kafka.
 *
 * <p>Exit codes: 0 every record acknowledged, 1 records failed or a fatal error, 2 bad option or
 * setting, 3 Kafka did not answer.
 */
@Command(
    name = "runnel-producer",
    mixinStandardHelpOptions = true,
    versionProvider = ProducerApp.Version.class,
    sortOptions = false,
    abbreviateSynopsis = true,
    description = {
      "Sends a realistic e-commerce clickstream to Kafka: users in sessions that click, view,"
          + " add to cart, remove and purchase products of the catalog (data/products.csv).",
      "Events follow contract/event.schema.json; the key is user_id. The same --seed gives the"
          + " same events (and the same bytes with --start-time).",
      ""
    },
    footerHeading = "%nEnvironment (where to send):%n",
    footer = {
      "  RUNNEL_KAFKA_BOOTSTRAP           Kafka servers (default 127.0.0.1:19092)",
      "  RUNNEL_EVENTS_TOPIC              events topic (default events)",
      "  RUNNEL_EVENTS_PARTITIONS         its partitions when created (default 2)",
      "  RUNNEL_PRODUCTS_TOPIC            catalog topic (default products)",
      "  RUNNEL_PRODUCTS_PARTITIONS       its partitions when created (default 1)",
      "  RUNNEL_KAFKA_REPLICATION_FACTOR  of created topics (default 1)",
      "",
      "Examples:",
      "  runnel-producer --rate 2000 --duration 5m     2,000 events/s for 5 minutes",
      "  runnel-producer --count 1000000               1M events, as fast as possible",
      "  runnel-producer --count 10000 --bad all=0.01  1%% of each bad-record kind",
      "  runnel-producer --count 5 --dry-run           print 5 events, send nothing",
      "  runnel-producer products                      the catalog to topic products",
      "  runnel-producer replay --file orders.csv --topic orders --key-column id",
      "  runnel-producer fuzz --count 20000 --seed 7  the corpus, then hostile records",
      "",
      "Exit status: 0 all records acknowledged, 1 records failed or a fatal error,",
      "2 bad option or setting, 3 Kafka did not answer. Ctrl-C stops, flushes and",
      "prints the summary."
    })
public final class ProducerApp implements Callable<Integer> {

  @Mixin SendOptions send = new SendOptions();

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the generator: same seed, same events (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--users",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Number of distinct users, user_1 to user_N (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--products",
      defaultValue = "" + Catalog.SHIPPED_SIZE,
      description =
          "Products in the catalog, product_1 to product_N; the first 200 are data/products.csv"
              + " (default: ${DEFAULT-VALUE}).")
  int products;

  @Option(
      names = "--open-sessions",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "Sessions in progress at once, their events interleaved (default: ${DEFAULT-VALUE}).")
  int openSessions;

  @Option(
      names = "--views-per-session",
      paramLabel = "N",
      defaultValue = "6",
      description = "Mean product views per session (default: ${DEFAULT-VALUE}).")
  double viewsPerSession;

  @Option(
      names = "--click-rate",
      paramLabel = "SHARE",
      defaultValue = "0.6",
      description = "Share of views reached by a click (default: ${DEFAULT-VALUE}).")
  double clickRate;

  @Option(
      names = "--cart-rate",
      paramLabel = "SHARE",
      defaultValue = "0.1",
      description = "Share of views followed by add_to_cart (default: ${DEFAULT-VALUE}).")
  double cartRate;

  @Option(
      names = "--remove-rate",
      paramLabel = "SHARE",
      defaultValue = "0.15",
      description = "Share of add_to_cart later removed (default: ${DEFAULT-VALUE}).")
  double removeRate;

  @Option(
      names = "--purchase-rate",
      paramLabel = "SHARE",
      defaultValue = "0.35",
      description =
          "Conversion: share of sessions with a non-empty cart that purchase it (default:"
              + " ${DEFAULT-VALUE}).")
  double purchaseRate;

  @Option(
      names = "--currencies",
      split = ",",
      paramLabel = "CODE",
      defaultValue = "EUR,USD,GBP,PLN,SEK",
      description =
          "Currencies users pay in, at fixed rates to the catalog's euro prices (default:"
              + " ${DEFAULT-VALUE}).")
  List<String> currencies;

  @Option(
      names = "--bad",
      paramLabel = "KIND=RATIO",
      description = {
        "Inject bad records: this share of records is of this kind (repeatable). Kinds:"
            + " malformed-json, missing-field, wrong-type, unknown-event-type, negative-price,"
            + " duplicate, late, oversized, invalid-utf8; all=RATIO sets every kind."
      })
  Map<String, Double> bad = new LinkedHashMap<>();

  @Option(
      names = "--start-time",
      paramLabel = "ISO-8601",
      description =
          "Event time of the first event, e.g. 2026-01-01T00:00:00Z (default: now). Events then"
              + " follow the --rate schedule (1 ms apart without --rate): byte-for-byte"
              + " reproducible.")
  String startTime;

  private final SendOptions.Context ctx;

  ProducerApp(SendOptions.Context ctx) {
    this.ctx = ctx;
  }

  public static void main(String[] args) {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    // Ctrl-C: stop sending, flush what was sent, print the summary, then let the JVM exit.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.set(true);
                  try {
                    done.await(60, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "shutdown"));
    int status = run(Env.system(), stop, System.out, System.err, args);
    done.countDown();
    System.exit(status);
  }

  static int run(Env env, AtomicBoolean stop, PrintStream out, PrintStream err, String... args) {
    SendOptions.Context ctx = new SendOptions.Context(env, stop, out, err);
    CommandLine cl = new CommandLine(new ProducerApp(ctx));
    cl.addSubcommand("replay", new ReplayCommand(ctx));
    cl.addSubcommand("products", new ProductsCommand(ctx));
    cl.addSubcommand("catalog", new CatalogCommand(ctx));
    cl.addSubcommand("fuzz", new FuzzCommand(ctx));
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    return cl.setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              // One line naming the cause, not a stack trace wall.
              cmd.getErr().println("runnel-producer: " + oneLine(e));
              if (e instanceof SettingsException || e instanceof IllegalArgumentException) {
                return Exits.SETTINGS;
              }
              return e instanceof ServiceUnavailableException ? Exits.UNAVAILABLE : Exits.FAILED;
            })
        .execute(args);
  }

  @Override
  public Integer call() throws Exception {
    Map<BadKind, Double> ratios = new EnumMap<>(BadKind.class);
    bad.forEach(
        (kind, ratio) -> {
          if ("all".equalsIgnoreCase(kind.trim())) {
            for (BadKind k : BadKind.values()) {
              ratios.put(k, ratio);
            }
          } else {
            ratios.put(BadKind.parse(kind), ratio);
          }
        });
    if (users < 1 || products < 1 || openSessions < 1) {
      throw new SettingsException("--users, --products and --open-sessions must be at least 1");
    }
    EventGenerator generator =
        new EventGenerator(
            seed,
            users,
            Catalog.generate(products),
            currencies(currencies),
            new EventGenerator.Funnel(
                viewsPerSession, clickRate, cartRate, removeRate, purchaseRate),
            openSessions);
    ProducerSettings settings = ProducerSettings.fromEnv(ctx.env());
    return send.run(
        ctx,
        new SyntheticSource(generator, seed, ratios),
        settings.eventsTopic(),
        settings.eventsPartitions(),
        startMillis(startTime));
  }

  static List<EventGenerator.Currency> currencies(List<String> codes) {
    List<EventGenerator.Currency> chosen = new ArrayList<>();
    for (String code : codes) {
      EventGenerator.CURRENCIES.stream()
          .filter(c -> c.code().equalsIgnoreCase(code.trim()))
          .findFirst()
          .ifPresentOrElse(
              chosen::add,
              () -> {
                throw new IllegalArgumentException(
                    "--currencies: unknown currency '"
                        + code
                        + "' (known: "
                        + EventGenerator.CURRENCIES.stream()
                            .map(EventGenerator.Currency::code)
                            .toList()
                        + ")");
              });
    }
    return chosen;
  }

  static Long startMillis(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return Instant.parse(iso).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--start-time must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got '"
              + iso
              + "'");
    }
  }

  /** The most useful single line about an error: the deepest cause that has a message. */
  static String oneLine(Throwable e) {
    Throwable best = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        best = t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    String message = best.getMessage() == null ? best.toString() : best.getMessage();
    String name = best.getClass().getSimpleName();
    boolean ours = best.getClass().getName().startsWith("io.runnel.");
    boolean plain = best instanceof IllegalArgumentException || best instanceof SettingsException;
    return (ours || plain ? "" : name + ": ") + message.replace('\n', ' ');
  }

  /** The version from the jar's manifest, when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ProducerApp.class.getPackage().getImplementationVersion();
      return new String[] {"runnel-producer " + (v == null ? "(development build)" : v)};
    }
  }
}
