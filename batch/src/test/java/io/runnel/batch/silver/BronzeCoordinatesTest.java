package io.runnel.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class BronzeCoordinatesTest {
  @Test
  void namesEachPartitionsOffsetRange() {
    assertThat(
            BronzeCoordinates.describe(
                List.of(
                    RowFactory.create("events", 0, 10L, 99L, 90L),
                    RowFactory.create("events", 1, 7L, 7L, 1L))))
        .isEqualTo("Bronze rows of events[0] offsets 10-99, events[1] offsets 7-7 (91 rows)");
  }
}
