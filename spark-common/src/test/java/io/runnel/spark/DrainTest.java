package io.runnel.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.spark.testing.LocalSpark;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import sun.misc.Signal;

/** The drain on a real streaming query; the last test sends this JVM a real SIGUSR1. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainTest {
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = LocalSpark.start("drain-test");
    Drain.listen();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static StreamingQuery start(String name, VoidFunction2<Dataset<Row>, Long> batch)
      throws Exception {
    return start(name, batch, 100);
  }

  private static StreamingQuery start(
      String name, VoidFunction2<Dataset<Row>, Long> batch, long triggerMillis) throws Exception {
    return spark
        .readStream()
        .format("rate")
        .option("rowsPerSecond", 50)
        .load()
        .writeStream()
        .queryName(name)
        .foreachBatch(batch)
        .trigger(Trigger.ProcessingTime(triggerMillis))
        .start();
  }

  @Test
  @Order(1)
  void aQueryThatFailsIsThrownNotDrained() throws Exception {
    StreamingQuery query =
        start(
            "drain-fails",
            (rows, id) -> {
              throw new IllegalStateException("batch " + id + " failed");
            });

    assertThatThrownBy(() -> Drain.await(List.of(query)))
        .isInstanceOf(StreamingQueryException.class)
        .hasMessageContaining("failed");
    assertThat(Drain.requested()).isFalse();
  }

  @Test
  @Order(2)
  void aQueryStoppedElsewhereEndsTheWaitWithoutADrain() throws Exception {
    StreamingQuery query = start("drain-stopped", (rows, id) -> {});
    Thread stopper =
        new Thread(
            () -> {
              try {
                Thread.sleep(500);
                query.stop();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    stopper.start();

    assertThat(Drain.await(List.of(query))).isFalse();
    stopper.join();
  }

  @Test
  @Order(3)
  void sigusr1StopsTheQueriesBetweenTwoBatches() throws Exception {
    AtomicLong batches = new AtomicLong();
    AtomicLong cutShort = new AtomicLong();
    VoidFunction2<Dataset<Row>, Long> slow =
        (rows, id) -> {
          try {
            Thread.sleep(300);
          } catch (InterruptedException e) {
            cutShort.incrementAndGet();
            Thread.currentThread().interrupt();
            return;
          }
          batches.incrementAndGet();
        };
    // Batches of 300 ms every second: the stop must fall between two of them.
    StreamingQuery first = start("drain-first", slow, 1000);
    StreamingQuery second = start("drain-second", slow, 1000);
    while (batches.get() < 2) {
      Thread.sleep(50);
    }

    Signal.raise(new Signal("USR1"));

    assertThat(Drain.await(List.of(first, second))).isTrue();
    assertThat(Drain.requested()).isTrue();
    assertThat(first.isActive()).isFalse();
    assertThat(second.isActive()).isFalse();
    assertThat(first.exception().isDefined()).isFalse();
    // Each stop waited for its query's batch to end: none was interrupted mid-way.
    assertThat(cutShort.get()).isZero();
  }
}
