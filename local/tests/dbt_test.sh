#!/usr/bin/env bash
# The dbt project against a real PostgreSQL, without the pipeline: SQL lint, then in a database of
# its own (created, migrated, dropped at the end) a deterministic Silver fixture is loaded in two
# batches. dbt builds after the first (full) and after the second (incremental: late events,
# re-deliveries, a load inside the lookback window, a product change), then builds everything again
# with --full-refresh into other schemas; every mart must be identical both ways (md5 of its rows),
# and dbt's own tests (keys, relationships, contracts, unit tests, reconciliation with Silver) pass.
# Records valid one by one but odd together (shared session ids, products not in the catalog,
# fields beyond the contract) must not stop a build: their tests warn, and data_quality_checks
# counts them. Needs PostgreSQL running (./runnel up). Exit status non-zero on any failure.
set -euo pipefail

# shellcheck source=setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" spark dbt

setup_pipeline_tools
# dbt's artifacts and log of its own: the cluster test and the BI test's demo run dbt at the same
# time (./runnel test runs them side by side), and dbt rewrites target/ on every invocation.
export DBT_TARGET_PATH=$LOG_DIR/dbt-test/target DBT_LOG_PATH=$LOG_DIR/dbt-test

TEST_DB=${RUNNEL_DBT_TEST_DATABASE:-runnel_dbt_test}
FIXTURE=$RUNNEL_ROOT/local/tests/dbt/silver_fixture.sql
port_in_use "$RUNNEL_PG_PORT" || die "PostgreSQL is not running on 127.0.0.1:$RUNNEL_PG_PORT: start it with ./runnel up"

psql_admin() {
  PGPASSWORD=$RUNNEL_PG_ADMIN_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$RUNNEL_PG_HOST" -p "$RUNNEL_PG_PORT" \
    -U "$RUNNEL_PG_ADMIN_USER" "$@"
}

drop_test_db() {
  psql_admin -d postgres -c "drop database if exists \"$TEST_DB\" with (force)" >/dev/null
}

fail() {
  printf '%s\n' "${_red}dbt test: $*${_off}" >&2
  exit 1
}

trap drop_test_db EXIT

info "1/8 SQL lint (sqlfluff)"
(cd "$DBT_PROJECT_DIR" && "$DBT_VENV/bin/sqlfluff" lint --nocolor .) || fail "sqlfluff found problems"

info "2/8 database $TEST_DB: created and migrated (as runnel-admin pg-init does)"
drop_test_db
RUNNEL_PG_DATABASE=$TEST_DB admin pg-init --timeout-seconds 30 >>"$LOG_DIR/admin.log" 2>&1 ||
  fail "migrating $TEST_DB failed: $(tail -n 1 "$LOG_DIR/admin.log")"
export RUNNEL_PG_DATABASE=$TEST_DB

# sql QUERY: one value (or row, fields separated by spaces) from the test database.
sql() {
  psql_admin -d "$TEST_DB" -At -F ' ' -c "$1"
}

# expect WHAT ACTUAL WANTED: fails unless equal, else prints one line.
expect() {
  [[ $2 == "$3" ]] || fail "$1: got '$2', expected '$3'"
  printf '  %-62s %s\n' "$1" "$2"
}

# The data-quality tests of the last dbt run that warned, as "name failures" lines, read from
# run_results.json (a warning is status "warn": the build went on).
warnings() {
  python3 - "$DBT_TARGET_PATH/run_results.json" <<'PY'
import json, sys
for r in sorted(json.load(open(sys.argv[1]))["results"], key=lambda r: r["unique_id"]):
    if r["status"] == "warn":
        print(r["unique_id"].split(".")[2], r["failures"])
PY
}

info "3/8 Silver fixture, first load; dbt build (data-quality findings warn, never stop it)"
psql_admin -d "$TEST_DB" -v batch=1 -f "$FIXTURE"
run_dbt build --target prod || fail "dbt build on the first load failed"
expect "warnings (test, failures)" "$(warnings | paste -sd, -)" \
  "events_with_extra_fields 2,inferred_products 2,shared_session_ids 1"
expect "product_90, bought but not in the catalog: dim_products" \
  "$(sql "select is_inferred, product_name, is_current from marts.dim_products where product_id = 'product_90'")" \
  "t (not in catalog) t"

info "4/8 Silver fixture, second load (late events, re-deliveries, a product change); source freshness; incremental dbt build"
psql_admin -d "$TEST_DB" -v batch=2 -f "$FIXTURE"
run_dbt source freshness --target prod || fail "source freshness failed right after a load"
run_dbt build --target prod || fail "the incremental dbt build failed"
expect "warnings (test, failures)" "$(warnings | paste -sd, -)" \
  "events_with_extra_fields 3,inferred_products 2,products_with_extra_fields 1,shared_session_ids 2"
expect "product_90, now in the catalog: dim_products completed" \
  "$(sql "select is_inferred, product_name, is_current from marts.dim_products where product_id = 'product_90'")" \
  "f Fixture product 90 t"

info "5/8 dbt build --full-refresh into schemas full_* (target dev)"
RUNNEL_DBT_SCHEMA=full run_dbt build --target dev --full-refresh || fail "the full-refresh dbt build failed"

info "6/8 incremental == full refresh, mart by mart"
# compare SCHEMA MODEL [FILTER [COLUMNS]]: the model's rows (those columns, default all) in SCHEMA and
# in full_SCHEMA.
compare() {
  local schema=$1 model=$2 filter=${3:-true} columns=${4:-*} inc full
  inc=$(psql_admin -d "$TEST_DB" -At -c "select count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\n' order by t::text)), '-') from (select $columns from $schema.$model where $filter) as t")
  full=$(psql_admin -d "$TEST_DB" -At -c "select count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\n' order by t::text)), '-') from (select $columns from full_$schema.$model where $filter) as t")
  if [[ $inc != "$full" ]]; then
    fail "$schema.$model differs: incremental ($inc) vs full refresh ($full)"
  fi
  printf '  %-45s %s rows, md5 %s\n' "$schema.$model" "${inc%% *}" "${inc#* }"
}
for model in fct_events user_event_summary fct_purchases funnel_daily revenue_hourly dim_users; do
  compare marts "$model"
done
compare intermediate int_events_aggregated_to_sessions
compare intermediate int_sessions_funnel_steps
compare intermediate int_events_aggregated_to_products
# computed_at is the time of each build.
compare marts data_quality_checks true "check_id, check_name, field_name, failure_count, severity, description"
# The snapshot saw the catalog twice incrementally and once in full: only the current versions
# can match; the history must hold product_3's old price.
compare marts dim_products is_current
versions=$(psql_admin -d "$TEST_DB" -At -c "select count(*) from marts.dim_products where product_id = 'product_3'")
[[ $versions == 2 ]] || fail "dim_products holds $versions versions of product_3, expected 2 (old and new price)"

info "7/8 counts against the fixture"
psql_admin -d "$TEST_DB" -At -F ' ' -c "
  select (select count(*) from silver.events), (select sum(event_count) from marts.fct_events),
         (select count(*) from silver.events where is_late), (select sum(late_event_count) from marts.fct_events)" |
  {
    read -r silver mart late_silver late_mart
    [[ $silver == "$mart" && $late_silver == "$late_mart" && $late_silver -gt 0 ]] ||
      fail "events: Silver $silver (late $late_silver), fct_events $mart (late $late_mart)"
    printf '  %s events (%s late) in Silver and in fct_events\n' "$silver" "$late_silver"
  }
# The fixture's odd records: session-shared (users 1, 2, 3) and session 7 (users 50 and 77) are
# shared; product_91 and product_92 are not in the catalog (product_90 arrived in batch 2); three
# events and product_90 carry fields beyond the contract.
expect "data_quality_checks (check_id failures)" \
  "$(sql "select string_agg(check_id || ' ' || failure_count, ',' order by check_id) from marts.data_quality_checks")" \
  "events_with_extra_fields 3,extra_event_field:ab_variant 2,extra_event_field:coupon_code 2,extra_product_field:brand 1,extra_product_field:ean 1,inferred_products 2,products_with_extra_fields 1,shared_session_ids 2"
expect "sessions of session-shared (user: events)" \
  "$(sql "select string_agg(user_id || ': ' || event_count, ', ' order by user_id) from intermediate.int_events_aggregated_to_sessions where session_id = md5('session-shared')::uuid::text and session_id_user_count = 3")" \
  "user_1: 3, user_2: 3, user_3: 2"
# data_quality_checks finds the few sessions with a finding through this index, in both builds.
expect "partial index of the sessions with a finding (incremental, full)" \
  "$(sql "select count(*) filter (where schemaname = 'intermediate'), count(*) filter (where schemaname = 'full_intermediate')
          from pg_indexes where tablename = 'int_events_aggregated_to_sessions' and indexdef like '% WHERE %'")" \
  "1 1"
expect "inferred products in dim_products" \
  "$(sql "select string_agg(product_id || ' ' || product_name, ', ' order by product_id) from marts.dim_products where is_inferred")" \
  "product_91 (not in catalog), product_92 (not in catalog)"

info "8/8 a mart an older Runnel built (no last_loaded_at column): the error says how to rebuild it, and that works"
psql_admin -d "$TEST_DB" -c "alter table marts.funnel_daily drop column last_loaded_at"
hint="./runnel transform --full-refresh --select funnel_daily"
if out=$(run_dbt build --target prod --select funnel_daily 2>&1); then
  fail "dbt build succeeded on a funnel_daily without last_loaded_at"
fi
grep -qF "$hint" <<<"$out" || fail "the error does not say '$hint':$(printf '\n%s' "$out" | tail -n 8)"
grep -F "has no column last_loaded_at" <<<"$out" | head -n 1 | sed 's/^ */  /'
run_dbt build --target prod --full-refresh --select funnel_daily >/dev/null || fail "'$hint' failed"
compare marts funnel_daily

ok "dbt: lint, build, incremental == full refresh, tests, reconciliation and the rebuild hint passed"
