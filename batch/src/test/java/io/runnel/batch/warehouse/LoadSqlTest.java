package io.runnel.batch.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.batch.SilverTables;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadSqlTest {
  private final LoadSql products =
      new LoadSql(
          "silver", "products", List.of("product_id", "name", "price"), List.of("product_id"));

  @Test
  void stagingHasTheTargetsTypesAndNoConstraintsAndDropsAtCommit() {
    assertThat(products.createStaging(products.staging()))
        .isEqualTo(
            "CREATE TEMPORARY TABLE load_products ON COMMIT DROP AS SELECT product_id, name, price,"
                + " 0::bigint AS _commit_version FROM silver.products WITH NO DATA");
    assertThat(products.copy(products.updatesStaging()))
        .isEqualTo(
            "COPY load_products_updates (product_id, name, price, _commit_version) FROM STDIN WITH"
                + " (FORMAT binary)");
    assertThat(products.truncateStaging()).isEqualTo("TRUNCATE load_products");
  }

  @Test
  void upsertKeepsTheNewestVersionPerKeyAndSkipsUnchangedRows() {
    assertThat(products.upsert(products.staging()))
        .isEqualTo(
            "INSERT INTO silver.products AS t (product_id, name, price, source_version) SELECT"
                + " DISTINCT ON (product_id) product_id, name, price, _commit_version FROM"
                + " load_products ORDER BY product_id, _commit_version DESC ON CONFLICT"
                + " (product_id) DO UPDATE SET name = EXCLUDED.name, price = EXCLUDED.price,"
                + " source_version = EXCLUDED.source_version, loaded_at = now() WHERE"
                + " (t.source_version IS NULL OR t.source_version <= EXCLUDED.source_version) AND"
                + " (t.name, t.price) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.price)");
    assertThat(products.upsert(products.updatesStaging()))
        .contains(" FROM load_products_updates ORDER BY ");
  }

  @Test
  void insertIsTheUpsertWithoutItsConflictClause() {
    assertThat(products.insert(products.staging()))
        .isEqualTo(
            "INSERT INTO silver.products AS t (product_id, name, price, source_version) SELECT"
                + " DISTINCT ON (product_id) product_id, name, price, _commit_version FROM"
                + " load_products ORDER BY product_id, _commit_version DESC");
    assertThat(products.upsert(products.staging()))
        .startsWith(products.insert(products.staging()) + " ON CONFLICT (product_id) DO UPDATE");
  }

  @Test
  void theRowsWrittenByThisTransactionAreFoundThroughTheUpdatedKeys() {
    LoadSql history = WarehouseLoadJob.sql(SilverTables.PRODUCTS_HISTORY);
    assertThat(history.writtenByThisTransaction())
        .isEqualTo(
            "SELECT count(*) FROM silver.products_history t WHERE t.xmin ="
                + " pg_current_xact_id()::xid AND (t.product_id, t.valid_from) IN (SELECT"
                + " product_id, valid_from FROM load_products_history_updates)");
  }

  @Test
  void compositeKeysAreListedInOrder() {
    LoadSql quarantine = WarehouseLoadJob.sql(SilverTables.QUARANTINE);
    assertThat(quarantine.upsert(quarantine.staging()))
        .contains("DISTINCT ON (source_topic, source_partition, source_offset)")
        .contains("ON CONFLICT (source_topic, source_partition, source_offset) DO UPDATE")
        .doesNotContain("t.source_offset");
    assertThat(quarantine.target()).isEqualTo("silver.events_quarantine");
  }

  @Test
  void everySilverTableMakesValidStatements() {
    for (SilverTables.Table t : SilverTables.ALL) {
      LoadSql sql = WarehouseLoadJob.sql(t);
      assertThat(sql.columns()).isEqualTo(t.columns());
      assertThat(sql.upsert(sql.staging()))
          .startsWith("INSERT INTO silver." + t.name() + " AS t (");
    }
  }

  @Test
  void theLoadLogIsKeyedByJobQueryAndBatch() {
    assertThat(LoadSql.findBatch())
        .isEqualTo(
            "SELECT rows_loaded FROM runnel.load_log WHERE job = ? AND query_id = ? AND batch_id"
                + " = ?");
    assertThat(LoadSql.logBatch())
        .isEqualTo(
            "INSERT INTO runnel.load_log (job, query_id, batch_id, rows_loaded, source_version,"
                + " rows_rejected, fence_epoch) VALUES (?, ?, ?, ?, ?, ?, ?)");
  }

  /**
   * The guard the version column exists for: the conflict clause updates a row only when the
   * target's version is not newer, in every statement that can update (the merge and isolation).
   */
  @Test
  void noStatementReplacesANewerVersionOfARow() {
    String guard =
        "WHERE (t.source_version IS NULL OR t.source_version <= EXCLUDED.source_version) AND ";
    for (SilverTables.Table t : SilverTables.ALL) {
      LoadSql sql = WarehouseLoadJob.sql(t);
      assertThat(sql.upsert(sql.staging())).contains(guard);
      assertThat(sql.upsert(sql.updatesStaging())).contains(guard);
      assertThat(sql.moveWinners(true)).contains(guard);
      assertThat(sql.moveWinners(false)).contains(", source_version) SELECT ");
    }
    assertThatThrownBy(
            () -> new LoadSql("silver", "x", List.of("id", "source_version"), List.of("id")))
        .hasMessageContaining("the loader's own columns");
  }

  @Test
  void theFenceIsTakenWithTheNextEpochAndCheckedUnderASharedLock() {
    assertThat(LoadSql.takeFence())
        .isEqualTo(
            "INSERT INTO runnel.writer_fence AS f (fence, epoch, holder) VALUES (?, 1, ?) ON"
                + " CONFLICT (fence) DO UPDATE SET epoch = f.epoch + 1, holder = EXCLUDED.holder,"
                + " taken_at = now() RETURNING epoch");
    assertThat(LoadSql.checkFence())
        .isEqualTo("SELECT epoch, holder FROM runnel.writer_fence WHERE fence = ? FOR SHARE");
  }

  @Test
  void looseStagingHasTheTypesWithoutModifiersAndTheRefusedRowsAReason() {
    List<String> types = List.of("text", "text", "numeric", "int8");
    assertThat(products.createLooseStaging(products.staging(), types, false))
        .isEqualTo(
            "CREATE TEMPORARY TABLE load_products (product_id text, name text, price numeric,"
                + " _commit_version int8) ON COMMIT DROP");
    assertThat(products.createLooseStaging(products.refusedStaging(), types, true))
        .endsWith("_commit_version int8, _reason text) ON COMMIT DROP");
    assertThat(products.copy(products.refusedStaging()))
        .isEqualTo(
            "COPY load_products_refused (product_id, name, price, _commit_version, _reason) FROM"
                + " STDIN WITH (FORMAT binary)");
    assertThatThrownBy(() -> products.createLooseStaging("x", List.of("text"), false))
        .hasMessageContaining("for columns");
    assertThatThrownBy(
            () ->
                products.createLooseStaging(
                    "x", List.of("text", "text; drop", "numeric", "int8"), false))
        .hasMessageContaining("not a plain lower-case SQL identifier");
  }

  @Test
  void isolationProbesRangesOfTheWinnersAsTheMergeWouldWriteThem() {
    assertThat(products.createWinners(products.updatesStaging()))
        .isEqualTo(
            "CREATE TEMPORARY TABLE load_products_rows ON COMMIT DROP AS SELECT row_number() OVER"
                + " (ORDER BY product_id) AS _row, w.* FROM (SELECT DISTINCT ON (product_id) ctid"
                + " AS _ctid, product_id, name, price, _commit_version FROM load_products_updates"
                + " ORDER BY product_id, _commit_version DESC) w");
    assertThat(products.moveWinners(false))
        .isEqualTo(
            "INSERT INTO silver.products AS t (product_id, name, price, source_version) SELECT"
                + " product_id, name, price, _commit_version FROM load_products_rows WHERE _row"
                + " BETWEEN ? AND ?");
    String onConflict =
        products.upsert(products.staging()).substring(products.insert(products.staging()).length());
    assertThat(onConflict).startsWith(" ON CONFLICT (product_id) DO UPDATE SET");
    assertThat(products.moveWinners(true)).isEqualTo(products.moveWinners(false) + onConflict);
    assertThat(products.removeWinners(products.staging()))
        .isEqualTo(
            "DELETE FROM load_products WHERE ctid IN (SELECT _ctid FROM load_products_rows WHERE"
                + " _row = ANY (?))");
  }

  @Test
  void aRefusedRowIsRecordedWithItsKeyCoordinatesAndValuesOnce() {
    LoadSql history = WarehouseLoadJob.sql(SilverTables.PRODUCTS_HISTORY);
    assertThat(history.rejectWinner())
        .startsWith(
            "INSERT INTO runnel.load_rejects (target_table, row_key, source_topic,"
                + " source_partition, source_offset, source_version, reason, row_values, job,"
                + " query_id, batch_id) SELECT 'silver.products_history', concat_ws('/',"
                + " r.product_id, r.valid_from), r.source_topic, r.source_partition,"
                + " r.source_offset, r._commit_version, ?, row_to_json(v), ?, ?, ? FROM"
                + " load_products_history_rows r, LATERAL (SELECT r.product_id, r.name,")
        .endsWith(
            ") v WHERE r._row = ? ON CONFLICT ON CONSTRAINT load_rejects_row_version DO NOTHING");
    assertThat(history.rejectRefused())
        .contains(" r._commit_version, r._reason, row_to_json(v), ?, ?, ? FROM")
        .contains(" FROM load_products_history_refused r, LATERAL ")
        .contains(") v ON CONFLICT ");
    assertThat(products.rejectRefused())
        .as("a table without Kafka coordinates")
        .contains("concat_ws('/', r.product_id), NULL, NULL, NULL, r._commit_version");
  }

  @Test
  void identifiersThatCouldCarrySqlAreRefused() {
    assertThatThrownBy(
            () -> new LoadSql("silver", "events; drop table x", List.of("a"), List.of("a")))
        .hasMessageContaining("not a plain lower-case SQL identifier");
    assertThatThrownBy(() -> new LoadSql("silver", "t", List.of("a", "B\""), List.of("a")))
        .hasMessageContaining("'B\"'");
    assertThatThrownBy(() -> new LoadSql("silver", "t", List.of("a"), List.of("b")))
        .hasMessageContaining("must be among the columns");
    assertThatThrownBy(() -> new LoadSql("silver", "t", List.of("a", "loaded_at"), List.of("a")))
        .hasMessageContaining("the loader's own columns");
    assertThatThrownBy(() -> new LoadSql("silver", "t".repeat(51), List.of("a"), List.of("a")))
        .hasMessageContaining("longer than 50 characters");
  }
}
