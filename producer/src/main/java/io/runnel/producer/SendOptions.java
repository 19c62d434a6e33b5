package io.runnel.producer;

import io.runnel.common.Env;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The options every mode shares (how much, how fast, where), and the run they lead to. */
final class SendOptions {
  private static final Logger LOG = LoggerFactory.getLogger(SendOptions.class);

  /** What the commands share: the environment, the Ctrl-C flag and where summaries go. */
  record Context(Env env, AtomicBoolean stop, PrintStream out, PrintStream err) {}

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Stop after N records (default: no limit, or the end of a file).")
  long count;

  @Option(
      names = {"-d", "--duration"},
      paramLabel = "TIME",
      converter = DurationConverter.class,
      description = "Stop after this long: 90s, 5m, 1h, 500ms (default: no limit).")
  Duration duration;

  @Option(
      names = {"-r", "--rate"},
      paramLabel = "PER_SECOND",
      description =
          "Records per second, open loop: record i is due at start + i/rate even when earlier ones"
              + " were late (default: as fast as possible).")
  double rate;

  @Option(
      names = "--topic",
      paramLabel = "NAME",
      description =
          "Kafka topic (default: RUNNEL_EVENTS_TOPIC, or events; products for the products command).")
  String topic;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Partitions of the topic if it has to be created (an existing one is kept).")
  Integer partitions;

  @Option(
      names = "--dry-run",
      description = "Print records to standard output (key, tab, value) instead of sending them.")
  boolean dryRun;

  @Option(
      names = "--progress-seconds",
      paramLabel = "N",
      defaultValue = "5",
      description = "Progress line on standard error every N seconds; 0: none (default: 5).")
  int progressSeconds;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description =
          "Extra Kafka client setting, e.g. security.protocol=SSL or linger.ms=5 (repeatable;"
              + " overrides Runnel's choice).")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Option(
      names = "--max-outage",
      paramLabel = "TIME",
      converter = DurationConverter.class,
      description =
          "Ride out a broker outage this long: records are kept and retried, and sending pauses"
              + " when the buffer is full, before any record counts as failed; at least 31s"
              + " (default: RUNNEL_PRODUCER_MAX_OUTAGE_SECONDS, or 10m).")
  Duration maxOutage;

  @Option(
      names = "--timeout-seconds",
      paramLabel = "N",
      defaultValue = "30",
      description = "Give up when Kafka does not answer within N seconds (default: 30).")
  int timeoutSeconds;

  /**
   * Sends everything the source gives within the limits, prints the summary and returns the exit
   * status: 0 when every record was acknowledged.
   */
  int run(
      Context ctx,
      RecordSource source,
      String defaultTopic,
      int defaultPartitions,
      Long startMillis)
      throws Exception {
    ProducerSettings settings = ProducerSettings.fromEnv(ctx.env());
    String name = topic == null ? defaultTopic : ProducerSettings.topic("--topic", topic);
    if (count < 0 || rate < 0 || progressSeconds < 0 || timeoutSeconds < 1) {
      throw new io.runnel.common.SettingsException(
          "--count, --rate and --progress-seconds must not be negative, --timeout-seconds at"
              + " least 1");
    }
    Duration outage = maxOutage == null ? settings.maxOutage() : maxOutage;
    if (outage.compareTo(ProducerSettings.MIN_MAX_OUTAGE) < 0) {
      throw new io.runnel.common.SettingsException(
          "--max-outage must be at least 31s (Kafka: delivery.timeout.ms >= linger.ms +"
              + " request.timeout.ms), got "
              + outage.toSeconds()
              + "s");
    }
    Sink sink;
    if (dryRun) {
      sink = new PrintSink(ctx.out());
    } else {
      int actual = ensureTopic(settings, name, partitions == null ? defaultPartitions : partitions);
      LOG.info(
          "sending to topic {} ({} partition(s)) at {}{}",
          name,
          actual,
          settings.bootstrap(),
          rate > 0
              ? String.format(Locale.ROOT, ", %,.0f records/s", rate)
              : ", as fast as possible");
      sink = new EventPublisher(settings.bootstrap(), name, outage, kafkaProperties);
    }
    Runner.Result result;
    try (source;
        sink) {
      result =
          new Runner(
                  source, sink, new Runner.Limits(count, duration, rate, startMillis), ctx.stop())
              .run(name, Duration.ofSeconds(progressSeconds), ctx.err(), dryRun ? null : outage);
    }
    (dryRun ? ctx.err() : ctx.out()).print(result.render());
    (dryRun ? ctx.err() : ctx.out()).flush();
    if (result.fatal() != null) {
      ctx.err().println("runnel-producer: " + ProducerApp.oneLine(result.fatal()));
      return 1;
    }
    if (!result.ok()) {
      ctx.err()
          .println(
              "runnel-producer: "
                  + (result.sent() - result.acked())
                  + " record(s) were not acknowledged by Kafka (refused, or Kafka was away longer"
                  + " than --max-outage "
                  + outage.toSeconds()
                  + "s)");
      return 1;
    }
    return 0;
  }

  /**
   * Creates the topic with this many partitions if it is missing (with the connection settings and
   * timeout of these options) and returns its partition count.
   */
  int ensureTopic(ProducerSettings settings, String name, int wanted) throws InterruptedException {
    return Topics.ensure(
        settings.bootstrap(),
        kafkaProperties,
        name,
        wanted,
        settings.replicationFactor(),
        timeoutSeconds);
  }

  /** Durations as people write them: 90s, 5m, 1h, 250ms, or ISO-8601 (PT1M30S). */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
      Matcher m = SIMPLE.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      }
      try {
        return Duration.parse(value.trim());
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + value + "' is not a duration such as 90s, 5m, 1h or 250ms");
      }
    }
  }
}
