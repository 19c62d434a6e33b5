package io.runnel.producer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    abbreviateSynopsis = true,
    description = {
      "Replays a CSV file (UTF-8, header row) into a Kafka topic as JSON, one record per row."
          + " Quoted fields, embedded newlines and commas are CSV; an empty unquoted field is"
          + " null. A malformed row is reported with its line number, then stops the run or is"
          + " skipped (--on-malformed).",
      ""
    })
final class ReplayCommand implements Callable<Integer> {
  /** What to do with a malformed row. */
  enum OnMalformed {
    fail,
    skip
  }

  @Mixin SendOptions send = new SendOptions();

  @Mixin ReplayPace pace = new ReplayPace();

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "CSV",
      description = "The CSV file.")
  Path file;

  @Option(
      names = "--key-column",
      paramLabel = "COLUMN",
      description = "Column whose value is the Kafka key (default: no key).")
  String keyColumn;

  @Option(
      names = "--time-column",
      paramLabel = "COLUMN",
      description =
          "Event-time column: ISO-8601 (without offset: UTC), written as ISO-8601 UTC; an"
              + " unreadable time is a malformed row.")
  String timeColumn;

  @Option(
      names = "--restamp",
      description = "Replace the event time with the send time (needs --time-column).")
  boolean restamp;

  @Option(
      names = "--rename",
      paramLabel = "COLUMN=FIELD",
      description = "Write COLUMN as JSON field FIELD (repeatable; others keep their names).")
  Map<String, String> rename = new LinkedHashMap<>();

  @Option(
      names = "--type",
      paramLabel = "COLUMN=TYPE",
      description =
          "JSON type of a column: string (default), integer, number or boolean (repeatable).")
  Map<String, String> types = new LinkedHashMap<>();

  @Option(
      names = "--on-malformed",
      paramLabel = "fail|skip",
      defaultValue = "fail",
      description = "A malformed row stops the run (fail, default) or is reported and skipped.")
  OnMalformed onMalformed;

  private final SendOptions.Context ctx;

  ReplayCommand(SendOptions.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    if (send.topic == null) {
      throw new IllegalArgumentException("replay needs --topic: the topic to write the rows to");
    }
    pace.applyTo(send);
    Map<String, CsvReplaySource.ColumnType> typed = new LinkedHashMap<>();
    types.forEach((column, type) -> typed.put(column, CsvReplaySource.ColumnType.parse(type)));
    CsvReplaySource.Options options =
        new CsvReplaySource.Options(
            keyColumn,
            timeColumn,
            restamp,
            rename,
            typed,
            pace.loop,
            onMalformed == OnMalformed.skip);
    CsvReplaySource source = new CsvReplaySource(fileInput(file), options, List.of(), null);
    int partitions = ProducerSettings.fromEnv(ctx.env()).eventsPartitions();
    return send.run(ctx, source, send.topic, partitions, null);
  }

  static CsvReplaySource.Input fileInput(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--file " + file + ": no such file");
    }
    return new CsvReplaySource.Input() {
      @Override
      public String name() {
        return file.toString();
      }

      @Override
      public InputStream open() throws IOException {
        try {
          return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
          throw new IOException(file + " disappeared during the replay", e);
        }
      }
    };
  }
}
