package io.runnel.batch.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.batch.SilverTables;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WarehouseLoadJobTest {
  @Test
  void theSummaryLineReportsRejectedRowsAndKeepsTheRateTheBenchmarkReads() {
    Locale locale = Locale.getDefault();
    Locale.setDefault(Locale.ROOT);
    try {
      WarehouseLoadJob.Totals totals = new WarehouseLoadJob.Totals();
      totals.add(new PostgresWriter.Outcome(1_000, 996, 4, false, 10, 20), 500_000_000L);
      totals.add(new PostgresWriter.Outcome(1_000, 0, 0, true, 0, 0), 1);
      String line = totals.toString();
      assertThat(line)
          .isEqualTo(
              "1,000 rows in 1 batches (996 inserted or changed, 2,000 rows/s while loading), 1"
                  + " batches already loaded and skipped, 4 rows rejected (runnel.load_rejects)");
      // local/bench/load.sh: sed -E 's/.*, ([0-9,]+) rows\/s while loading.*/\1/'
      assertThat(line.replaceAll(".*, ([0-9,]+) rows/s while loading.*", "$1")).isEqualTo("2,000");
    } finally {
      Locale.setDefault(locale);
    }
  }

  @Test
  void onlyTheQuarantinesRawTextKeepsNulAsAReplacement() {
    assertThat(WarehouseLoadJob.nulReplaced(SilverTables.QUARANTINE))
        .isEqualTo(Set.of("key", "value"));
    for (SilverTables.Table t :
        new SilverTables.Table[] {
          SilverTables.EVENTS, SilverTables.PRODUCTS, SilverTables.PRODUCTS_HISTORY
        }) {
      assertThat(WarehouseLoadJob.nulReplaced(t)).as(t.name()).isEmpty();
    }
  }
}
