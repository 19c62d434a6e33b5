# shellcheck shell=bash
# The pipeline's stages run available-now, one after the other, and the reconciliation of their
# figures; shared by ./runnel demo and the tests in local/tests. Sourced after common.sh,
# spark.sh and dbt.sh. Each stage's log goes to $PIPELINE_LOGS; the jars must be built.

# pipeline_query SQL: one query as the admin role on $RUNNEL_PG_DATABASE; rows tab-separated.
pipeline_query() {
  "$DBT_VENV/bin/python" "$RUNNEL_ROOT/local/lib/pg_query.py" "$1"
}

# pipeline_use_topics EVENTS PRODUCTS: the producer, Bronze and Silver use these two topics.
pipeline_use_topics() {
  export RUNNEL_EVENTS_TOPIC=$1 RUNNEL_PRODUCTS_TOPIC=$2
  export RUNNEL_BRONZE_TOPICS=$1,$2
  export RUNNEL_SILVER_EVENT_TOPICS=$1 RUNNEL_SILVER_PRODUCT_TOPICS=$2
}

# pipeline_use_lake BASE: every job's tables, checkpoints and metrics under the lake folder BASE.
pipeline_use_lake() {
  local base=$1
  export RUNNEL_BRONZE_TABLE=$base/bronze/events RUNNEL_BRONZE_CHECKPOINT=$base/_checkpoints/bronze
  export RUNNEL_BRONZE_METRICS_TABLE=$base/metrics/bronze
  export RUNNEL_SILVER_ROOT=$base/silver RUNNEL_SILVER_CHECKPOINT=$base/_checkpoints/silver
  export RUNNEL_SILVER_METRICS_TABLE=$base/metrics/silver
  export RUNNEL_WAREHOUSE_CHECKPOINT=$base/_checkpoints/warehouse
  export RUNNEL_WAREHOUSE_METRICS_TABLE=$base/metrics/warehouse
}

# pipeline_create_db DB: a new database DB with the roles' grants and every migration (what
# `admin pg-init` does for the real one); an old DB of that name is dropped first.
pipeline_create_db() {
  pipeline_drop_db "$1"
  RUNNEL_PG_DATABASE=$1 admin pg-init --timeout-seconds 30 >>"$PIPELINE_LOGS/admin.log" 2>&1 ||
    die "migrating $1 failed: $(tail -n 1 "$PIPELINE_LOGS/admin.log")"
}

pipeline_drop_db() {
  RUNNEL_PG_DATABASE=postgres pipeline_query "drop database if exists \"$1\" with (force)" || true
}

# pipeline_check_test_data: the data a test produced has late events, at least five kinds of
# bad record and no duplicate event_id left in silver.events (in $RUNNEL_PG_DATABASE).
pipeline_check_test_data() {
  local late reasons duplicate_keys
  late=$(pipeline_query "select count(*) from silver.events where is_late")
  reasons=$(pipeline_query "select count(distinct r) from silver.events_quarantine, unnest(error_reasons) as r")
  duplicate_keys=$(pipeline_query "select count(*) - count(distinct event_id) from silver.events")
  ((late > 0 && reasons >= 5)) || die "the test data lacks late events ($late) or kinds of bad record ($reasons reasons)"
  ((duplicate_keys == 0)) || die "silver.events holds $duplicate_keys duplicate event_ids"
}

# spark-submit options put before every stage's own, e.g. (--master spark://host:7077 ...) to run
# the stages on a cluster; empty, the master is the local profile's (spark-defaults.conf). Set it
# after sourcing this file.
PIPELINE_SPARK_OPTS=()

# pipeline_stage NAME CLASS JAR: a job with --available-now; its summary line is shown.
pipeline_stage() {
  local name=$1 class=$2 jar=$3
  spark_submit "${PIPELINE_SPARK_OPTS[@]}" --class "$class" "$jar" --available-now >"$PIPELINE_LOGS/$name.log" 2>&1 ||
    die "$name failed (log: $PIPELINE_LOGS/$name.log)"
  grep -E "^(bronze|silver|load)[:]" "$PIPELINE_LOGS/$name.log" | sed 's/^/  /' || true
}

# pipeline_produce R EVENTS [PRODUCER OPTIONS...]: the catalog, then EVENTS events; the producer's
# summaries go to producer-R.log and products-R.log.
pipeline_produce() {
  local r=$1 count=$2
  shift 2
  local producer_jar=$RUNNEL_ROOT/producer/target/runnel-producer.jar
  # Events differ from run to run (their ids and times come from the clock).
  "$JAVA" -jar "$producer_jar" products --progress-seconds 0 \
    >"$PIPELINE_LOGS/products-$r.log" 2>&1 || die "the producer failed (log: $PIPELINE_LOGS/products-$r.log)"
  "$JAVA" -jar "$producer_jar" --count "$count" --progress-seconds 0 "$@" \
    >"$PIPELINE_LOGS/producer-$r.log" 2>&1 || die "the producer failed (log: $PIPELINE_LOGS/producer-$r.log)"
}

# pipeline_stages R: Bronze, Silver and the warehouse load, available now (logs NAME-R.log).
pipeline_stages() {
  local r=$1
  pipeline_stage "bronze-$r" io.runnel.streaming.BronzeIngestJob "$RUNNEL_ROOT/streaming/target/runnel-streaming.jar"
  pipeline_stage "silver-$r" io.runnel.batch.silver.SilverJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
  pipeline_stage "load-$r" io.runnel.batch.warehouse.WarehouseLoadJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
}

# Sums one number over this run's summary lines: _pipeline_sum 'GLOB' 'SED -E EXPRESSION'
_pipeline_sum() {
  # shellcheck disable=SC2086 # the glob is meant to expand
  cat $1 2>/dev/null | sed -nE "$2" | tr -d , | awk '{s += $1} END {print s + 0}'
}

# pipeline_warehouse_counts: "events quarantine versions" in PostgreSQL now, then the same three
# for the rows PostgreSQL refused whose key it does not hold (runnel.load_rejects_missing): a
# refused row that a later version replaced is no longer one, a refused update of a row it holds
# never is, so these grow by the new keys Silver wrote that PostgreSQL lacks.
pipeline_warehouse_counts() {
  local missing="select count(distinct row_key) from runnel.load_rejects_missing where target_table"
  pipeline_query "select (select count(*) from silver.events), (select count(*) from silver.events_quarantine), (select count(*) from silver.products_history),
      ($missing = 'silver.events'), ($missing = 'silver.events_quarantine'), ($missing = 'silver.products_history')" | tr '\t' ' '
}

# pipeline_reconcile "COUNTS" (pipeline_warehouse_counts before the run): prints what each layer
# holds and returns non-zero, naming the gap, when two layers disagree. Bronze is compared with
# its Kafka topics as a whole; Silver's figures are this run's (its summary lines), which must add
# up to what the producer sent in this run; PostgreSQL's are its growth in this run, plus the rows
# it refused (runnel.load_rejects); the marts are compared with all of silver.* in PostgreSQL.
pipeline_reconcile() {
  local before=($1) l=$PIPELINE_LOGS
  local acked bronze read new versions quarantined duplicates
  acked=$(_pipeline_sum "$l/producer-*.log $l/products-*.log" 's/^ *acked +([0-9,]+).*/\1/p')
  bronze=$(sed -nE 's/^bronze: ([0-9,]+) rows in .*; ([0-9,]+) records in Kafka .*/\1 \2/p' "$(ls -t "$l"/bronze-*.log | head -n 1)" | tr -d ,)
  read=$(_pipeline_sum "$l/silver-*.log" 's/^silver: this run: ([0-9,]+) Bronze rows read.*/\1/p')
  new=$(_pipeline_sum "$l/silver-*.log" 's/^silver: this run: .* = ([0-9,]+) new events .*/\1/p')
  versions=$(_pipeline_sum "$l/silver-*.log" 's/^silver: this run: .* \+ ([0-9,]+) new product versions .*/\1/p')
  quarantined=$(_pipeline_sum "$l/silver-*.log" 's/^silver: this run: .* \+ ([0-9,]+) quarantined .*/\1/p')
  duplicates=$(_pipeline_sum "$l/silver-*.log" 's/^silver: this run: .* \+ ([0-9,]+) duplicates collapsed.*/\1/p')
  local now=($(pipeline_warehouse_counts))
  local pg_events=$((now[0] - before[0])) pg_quarantine=$((now[1] - before[1])) pg_versions=$((now[2] - before[2]))
  local refused_events=$((now[3] - ${before[3]:-0})) refused_quarantine=$((now[4] - ${before[4]:-0}))
  local refused_versions=$((now[5] - ${before[5]:-0}))
  local marts
  marts=$(pipeline_query "select (select coalesce(sum(event_count), 0) from marts.fct_events),
      (select count(*) from silver.events),
      (select coalesce(sum(revenue), 0) from marts.fct_purchases),
      (select coalesce(sum(price * quantity), 0) from silver.events where event_type = 'purchase')" | tr '\t' ' ')
  local m=($marts)
  local reasons
  reasons=$(pipeline_query "select r, count(*) from silver.events_quarantine, unnest(error_reasons) as r group by r order by 2 desc" |
    awk -F'\t' '{printf "%s%s %s", sep, $1, $2; sep=", "}')

  printf '\n%s\n' "${_bold}Reconciliation${_off} (this run)"
  printf '  %-44s %s\n' \
    "produced (acked by Kafka)" "$acked" \
    "Bronze rows / records in its Kafka topics" "${bronze% *} / ${bronze#* }" \
    "Silver: Bronze rows read" "$read" \
    "  = new events" "$new" \
    "  + new product versions" "$versions" \
    "  + quarantined" "$quarantined" \
    "  + duplicates collapsed" "$duplicates" \
    "PostgreSQL silver.events (new)" "$pg_events" \
    "PostgreSQL silver.events_quarantine (new)" "$pg_quarantine" \
    "PostgreSQL silver.products_history (new)" "$pg_versions" \
    "PostgreSQL refused, not loaded (new)" "$refused_events / $refused_quarantine / $refused_versions (events / quarantine / versions; runnel.load_rejects)" \
    "marts.fct_events events / silver.events" "${m[0]} / ${m[1]}" \
    "fct_purchases revenue / Silver purchases" "${m[2]} / ${m[3]}"
  printf '  %-44s %s\n' "quarantined, by reason (all time)" "${reasons:-none}"

  local gaps=()
  [[ ${bronze% *} == "${bronze#* }" ]] || gaps+=("Bronze holds ${bronze% *} rows, Kafka ${bronze#* } records")
  [[ $read == "$acked" ]] || gaps+=("Kafka acked $acked records, Silver read $read new Bronze rows")
  ((new + versions + quarantined + duplicates == read)) || gaps+=("Silver: $new + $versions + $quarantined + $duplicates != $read")
  ((pg_events + refused_events == new)) ||
    gaps+=("PostgreSQL gained $pg_events events and refused $refused_events, Silver wrote $new")
  ((pg_quarantine + refused_quarantine == quarantined)) ||
    gaps+=("PostgreSQL gained $pg_quarantine quarantined rows and refused $refused_quarantine, Silver wrote $quarantined")
  ((pg_versions + refused_versions == versions)) ||
    gaps+=("PostgreSQL gained $pg_versions product versions and refused $refused_versions, Silver wrote $versions")
  [[ ${m[0]} == "${m[1]}" ]] || gaps+=("fct_events counts ${m[0]} events, silver.events holds ${m[1]}")
  [[ ${m[2]} == "${m[3]}" ]] || gaps+=("fct_purchases revenue ${m[2]}, Silver ${m[3]}")
  if ((${#gaps[@]} == 0)); then
    local refused=$((refused_events + refused_quarantine + refused_versions)) kept=""
    ((refused == 0)) || kept=" ($refused refused by PostgreSQL, kept in runnel.load_rejects)"
    ok "every layer agrees: $acked records produced, none lost$kept, none counted twice"
    return 0
  fi
  local g
  for g in "${gaps[@]}"; do
    printf '%s\n' "${_red}✘ $g${_off}" >&2
  done
  return 1
}

# pipeline_checksums: each silver and marts table of $RUNNEL_PG_DATABASE with its row count and
# the md5 of its rows, to compare two runs over the same data. Processing times legitimately differ
# between runs (when Bronze ingested a row, Silver wrote it, the load committed it, the ingest date
# derived from the first, when dbt computed the data-quality checks), and so does the Silver Delta
# version a row was loaded from (source_version: a run in more batches makes more versions); every
# other column counts.
# Rows are ordered by their own text, so no table needs a key here.
pipeline_checksums() {
  local table columns
  pipeline_query "select table_schema || '.' || table_name,
        string_agg(quote_ident(column_name), ', ' order by ordinal_position)
      from information_schema.columns
      where table_schema in ('silver', 'marts')
        and column_name not in ('ingested_at', 'ingest_date', 'silver_at', 'computed_at', 'source_version') and column_name !~ 'loaded_at\$'
      group by 1 order by 1" |
    while IFS=$'\t' read -r table columns; do
      # The md5 of the rows' own md5s, in their order: one row's text holds its whole value, and
      # 32 characters a row stay far below PostgreSQL's 1 GB string limit, which the rows' text
      # itself passed at 1.5M events (the soak).
      pipeline_query "select count(*), md5(coalesce(string_agg(h, '' order by h), ''))
          from (select md5(row($columns)::text) as h from $table) as t" |
        while IFS=$'\t' read -r rows md5; do printf '%-26s %7s rows  %s\n' "$table" "$rows" "$md5"; done
    done
}
