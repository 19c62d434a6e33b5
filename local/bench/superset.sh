# shellcheck shell=bash
# ./runnel bench superset: how fast the dashboards are on the data a pipeline run left. A fresh
# Superset (own metadata database and port) imports the bundle; then
#  1. Trino: every chart's SQL (as Superset generates it) run RUNNEL_BENCH_SUPERSET_RUNS times
#     (default 20, after one discarded warm-up) through Trino as runnel_bi: p50, p95, max;
#  2. dashboard warm load: headless Chromium opens each dashboard once (warm-up), then
#     RUNNEL_BENCH_SUPERSET_LOADS times (default 5), timing navigation start to every chart drawn.
# Goals: p95 of each query under 1 s, median warm load under 2 s. Results: stdout and
# $LOG_DIR/bench-superset/.

cmd_bench_superset() {
  load_env
  port_in_use "$RUNNEL_TRINO_PORT" || die "Trino is not running on port $RUNNEL_TRINO_PORT: start it with ./runnel up and run the pipeline first"
  superset_install
  superset_chromium
  superset_playwright
  local runs=${RUNNEL_BENCH_SUPERSET_RUNS:-20} loads=${RUNNEL_BENCH_SUPERSET_LOADS:-5}
  local out=$LOG_DIR/bench-superset home port
  mkdir -p "$out"
  home=$(mktemp -d "$RUNNEL_RUN_DIR/superset-bench-XXXXXX")
  port=$(free_port)
  "$RUNNEL_ROOT/local/tests/superset_instance.sh" up "$home" "$port"
  local rc=0
  info "Trino: each chart's SQL $runs times as $RUNNEL_TRINO_BI_USER"
  "${SUPERSET_CLEAN_ENV[@]}" "$SUPERSET_VENV/bin/python" "$RUNNEL_ROOT/local/bench/superset_queries.py" \
    "http://127.0.0.1:$port" "$runs" | tee "$out/queries.jsonl" || rc=1
  info "dashboards: warm load, median of $loads"
  superset_dashboards_node bench "http://127.0.0.1:$port" "$loads" | tee "$out/loads.json" || rc=1
  "$RUNNEL_ROOT/local/tests/superset_instance.sh" down "$home" "$port"
  rm -rf "$home"
  ((rc == 0)) || die "the Superset benchmark failed (see above)"
  ok "results in $out (queries.jsonl, loads.json)"
}
