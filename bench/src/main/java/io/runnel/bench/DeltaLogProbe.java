package io.runnel.bench;

import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.S3Settings;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Watches a Delta table's log the way a reader would and records, for every commit, the moment it
 * became visible (first listed). Freshness is then this moment minus each event's Kafka timestamp.
 * Runs in its own JVM beside the job under test.
 */
@Command(name = "delta-log-probe", mixinStandardHelpOptions = true)
public final class DeltaLogProbe implements Callable<Integer> {
  private static final Pattern COMMIT = Pattern.compile(".*/_delta_log/(\\d{20})\\.json$");

  @Option(names = "--table", required = true, description = "Table path in the lake bucket.")
  String table;

  @Option(names = "--out", required = true, description = "CSV of version,visible_at_ms.")
  Path out;

  @Option(names = "--seconds", defaultValue = "600", description = "Stop after this long.")
  int seconds;

  @Option(names = "--interval-ms", defaultValue = "100")
  int intervalMs;

  public static void main(String[] args) {
    System.exit(Exits.execute("delta-log-probe", new DeltaLogProbe(), args));
  }

  @Override
  public Integer call() throws Exception {
    S3Settings s3 = S3Settings.fromEnv(Env.system());
    String prefix = table.replaceAll("^/+|/+$", "") + "/_delta_log/";
    Set<Long> seen = new HashSet<>();
    long deadline = System.currentTimeMillis() + seconds * 1_000L;
    try (S3Client client = s3.newClient();
        BufferedWriter csv = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      csv.write("version,visible_at_ms\n");
      while (System.currentTimeMillis() < deadline) {
        long listedAt = System.currentTimeMillis();
        // Only names after the newest seen commit: the listing stays small however long the run.
        String after = seen.isEmpty() ? null : prefix + String.format("%020d.json", max(seen));
        for (S3Object o :
            client
                .listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(prefix).startAfter(after))
                .contents()) {
          Matcher m = COMMIT.matcher("/" + o.key());
          if (m.matches() && seen.add(Long.parseLong(m.group(1)))) {
            csv.write(Long.parseLong(m.group(1)) + "," + listedAt + "\n");
          }
        }
        csv.flush();
        Thread.sleep(intervalMs);
      }
    }
    return 0;
  }

  private static long max(Set<Long> s) {
    return s.stream().mapToLong(Long::longValue).max().orElse(-1);
  }
}
