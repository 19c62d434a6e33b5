package io.runnel.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.ServiceUnavailableException;
import io.runnel.spark.testing.LocalSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wait for an upstream job's table, on local files. The upstream job is another process, so its
 * commits are copied in as files, behind this JVM's Delta caches, as they would appear.
 */
class SourceTablesTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark = LocalSpark.start("source-tables-test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void seesTheFirstCommitAfterALookThatFoundOnlyTheLogFolder() {
    // The upstream job has created _delta_log but not yet committed version 0: a look now must
    // not leave this JVM believing there is no table once the commit lands.
    Path table = dir.resolve("silver-events");
    mkdirs(table.resolve("_delta_log"));
    String location = table.toUri().toString();
    assertThat(SourceTables.exists(spark, location)).isFalse();

    commitElsewhereAndCopyTo(table);

    assertThat(SourceTables.exists(spark, location)).isTrue();
  }

  @Test
  @Timeout(60)
  void aContinuousRunWaitsUntilTheUpstreamJobCommits() throws Exception {
    Path table = dir.resolve("bronze-events");
    mkdirs(table.resolve("_delta_log"));
    CompletableFuture<Void> upstream =
        CompletableFuture.runAsync(
            () -> {
              sleep(3_000);
              commitElsewhereAndCopyTo(table);
            });

    SourceTables.await(
        spark, table.toUri().toString(), true, "the Bronze table", "./runnel bronze");

    assertThat(upstream).isDone();
    assertThat(Files.exists(table.resolve("_delta_log/00000000000000000000.json"))).isTrue();
    upstream.get(1, TimeUnit.SECONDS);
  }

  @Test
  void aRunThatDrainsAndStopsFailsAtOnceNamingTheJobToRunFirst() {
    String location = dir.resolve("silver-missing").toUri().toString();
    assertThatThrownBy(
            () -> SourceTables.await(spark, location, false, "the Silver table", "./runnel silver"))
        .isInstanceOf(ServiceUnavailableException.class)
        .hasMessage(
            "the Silver table " + location + " does not exist yet: run ./runnel silver first");
  }

  /** A table committed by "another writer": written elsewhere, then its files copied in. */
  private void commitElsewhereAndCopyTo(Path table) {
    Path elsewhere = dir.resolve("elsewhere-" + table.getFileName());
    spark.range(3).write().format("delta").save(elsewhere.toString());
    try (Stream<Path> files = Files.walk(elsewhere)) {
      // Data files first and the log last, in commit order, as a writer makes them visible.
      files
          .filter(Files::isRegularFile)
          .sorted((a, b) -> Boolean.compare(isLog(a), isLog(b)))
          .forEach(f -> copy(f, table.resolve(elsewhere.relativize(f))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isLog(Path file) {
    return file.toString().contains("_delta_log");
  }

  private static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void mkdirs(Path p) {
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
