#!/usr/bin/env bash
# The pipeline end to end on the real services, beside the user's own data: topics, a lake folder
# and a database of its own. Two rounds, the second incremental: the producer sends the catalog
# (repriced in round 2) and events with duplicates, late events and every kind of bad record; then
# Bronze, Silver and the warehouse load run through spark-submit (available now), and dbt checks
# freshness, builds and tests the marts as runnel_transformer. Every layer is reconciled with the
# one before it (local/lib/pipeline.sh). Needs the services (./runnel up) and the jars (./runnel
# build). Exit status non-zero on any failure.
set -euo pipefail

# shellcheck source=setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" spark dbt pipeline

setup_pipeline_tools

EVENTS=${RUNNEL_E2E_EVENTS:-20000}
id=$(date +%s)-$RANDOM
base=_runnel/it/e2e-$id
db=${RUNNEL_E2E_DATABASE:-runnel_e2e_${id//-/_}}
PIPELINE_LOGS=$LOG_DIR/e2e-$id
mkdir -p "$PIPELINE_LOGS"

drop_db() { pipeline_drop_db "$db"; }
trap drop_db EXIT

# Everything below reads these: the producer's topics, each job's tables and checkpoints.
pipeline_use_topics "e2e-events-$id" "e2e-products-$id"
pipeline_use_lake "$base"
export RUNNEL_WRITER_LEASE_SECONDS=10

started=$(date +%s)
info "database $db: created and migrated"
pipeline_create_db "$db"
export RUNNEL_PG_DATABASE=$db
before=$(pipeline_warehouse_counts)

info "round 1: the catalog and $EVENTS events (0.3% of each kind of bad record: duplicates, late events, ...), Bronze, Silver, load"
pipeline_round 1 "$EVENTS" --bad all=0.003
info "round 2: the catalog repriced and $((EVENTS / 4)) more events, Bronze, Silver, load"
pipeline_round 2 $((EVENTS / 4)) --bad all=0.003

info "dbt: source freshness and build (as runnel_transformer)"
run_dbt source freshness --target prod >"$PIPELINE_LOGS/dbt-freshness.log" 2>&1 ||
  die "dbt source freshness failed right after a load (log: $PIPELINE_LOGS/dbt-freshness.log)"
run_dbt build --target prod >"$PIPELINE_LOGS/dbt-build.log" 2>&1 ||
  die "dbt build failed (log: $PIPELINE_LOGS/dbt-build.log)"
grep -E "Done\. PASS" "$PIPELINE_LOGS/dbt-build.log" | sed 's/^/  /' || true

pipeline_check_test_data
pipeline_reconcile "$before" || die "the layers disagree (logs in $PIPELINE_LOGS)"

# A replay of both rounds' window (./runnel replay's Silver step, then the load and dbt) must
# change nothing: Silver's MERGEs keep their winners, the quarantine one row per Kafka record.
checksums() {
  pipeline_query "select (select count(*) || ':' || md5(string_agg(event_id::text || event_type || user_id || coalesce(price::text, '') || source_offset, ',' order by event_id)) from silver.events),
    (select count(*) || ':' || md5(string_agg(source_topic || source_partition || ':' || source_offset || array_to_string(error_reasons, '|'), ',' order by source_topic, source_partition, source_offset)) from silver.events_quarantine),
    (select count(*) from silver.products_history), (select sum(event_count) from marts.fct_events)"
}
sums_before=$(checksums)
info "replay of both rounds' Kafka time window: Silver, load, dbt; nothing may change"
spark_submit --class io.runnel.batch.silver.SilverJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar" \
  --replay-from "$(date -u -d "@$((started - 60))" +%Y-%m-%dT%H:%M:%SZ)" --replay-to "$(date -u -d '+1 minute' +%Y-%m-%dT%H:%M:%SZ)" \
  >"$PIPELINE_LOGS/silver-replay.log" 2>&1 || die "the Silver replay failed (log: $PIPELINE_LOGS/silver-replay.log)"
replayed=$(sed -nE 's/^silver: replay .*: ([0-9,]+) Bronze rows re-read.*/\1/p' "$PIPELINE_LOGS/silver-replay.log" | tr -d ,)
grep -E '^silver: replay' "$PIPELINE_LOGS/silver-replay.log" | sed 's/^/  /'
grep -q 'Silver unchanged' "$PIPELINE_LOGS/silver-replay.log" || die "the replay changed Silver (log: $PIPELINE_LOGS/silver-replay.log)"
((replayed > EVENTS)) || die "the replay re-read only ${replayed:-0} Bronze rows; its window missed the rounds"
pipeline_stage load-replay io.runnel.batch.warehouse.WarehouseLoadJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
run_dbt build --target prod >"$PIPELINE_LOGS/dbt-build-replay.log" 2>&1 ||
  die "dbt build after the replay failed (log: $PIPELINE_LOGS/dbt-build-replay.log)"
sums_after=$(checksums)
[[ $sums_before == "$sums_after" ]] || die "the replay changed the warehouse: before $sums_before, after $sums_after"
ok "replay: $replayed Bronze rows re-read, Silver, PostgreSQL and the marts unchanged"
ok "pipeline test passed (logs in $PIPELINE_LOGS)"
