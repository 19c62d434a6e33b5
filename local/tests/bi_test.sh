#!/usr/bin/env bash
# The BI path on what a newcomer sees: first kcat, a Kafka client Runnel did not write, sends
# hostile records (local/tests/hostile/third-party.tsv) to the topics ./runnel up left ready; then
# ./runnel demo, streaming and stopped with Ctrl-C (bad records, duplicates and late events
# included) on the main topics, lake and warehouse, must agree and show what each hostile record
# became, read through Trino; then the BI
# integration tests on that data (local/tests/superset_test.sh: TrinoIT and SupersetIT on one fresh
# Superset, and the dashboards' screenshots). ./runnel test runs it beside the cluster test; the
# services must be up.
set -euo pipefail

# shellcheck source=setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" spark trino superset kafka
# shellcheck source=superset_test.sh
source local/tests/superset_test.sh

load_env
find_java

# Before any Runnel producer has run: the topics must exist already (./runnel up), and nothing
# these records hold may stop a layer (issue 20).
events_topic=${RUNNEL_EVENTS_TOPIC:-events}
info "kcat sends the hostile records of local/tests/hostile/third-party.tsv to $events_topic and ${RUNNEL_PRODUCTS_TOPIC:-products}"
kcat_run=$(date +%s)-$RANDOM
sent=$(kcat_send local/tests/hostile/third-party.tsv "$events_topic" "${RUNNEL_PRODUCTS_TOPIC:-products}" "$kcat_run")
ok "kcat: $sent records acknowledged by Kafka"

# The demo as a user runs it, streaming (--continuous: Bronze, Silver and the load as streaming
# queries) and stopped with Ctrl-C (SIGINT to its process group, as a terminal sends it) once
# Bronze has ingested: the producer stops, the jobs drain, and the report must agree.
demo_log=$LOG_DIR/bi-demo.log
info "the demo, streaming (--continuous), stopped with Ctrl-C once Bronze has ingested (log: $demo_log)"
if ! python3 - "$demo_log" <<'PY' 
import os, re, signal, subprocess, sys, time
with open(sys.argv[1], "w") as log:
    # 100 events/s: the dashboards and the BI tests need events of every kind, not volume. At
    # 500/s the demo had sent about 95,000 before its first Bronze batch (a loaded machine), and
    # every layer and dbt read them all.
    demo = subprocess.Popen(
        ["./runnel", "demo", "--continuous", "--events", "2000000", "--rate", "100", "--every", "30"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        # A background process starts with SIGINT ignored; a terminal's Ctrl-C would reach it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Beside the cluster test, the first Bronze batch came about 100 s after the start on a
    # 2-core machine; the slowest machines seen are 2.8 times slower.
    deadline = time.time() + 1200
    while time.time() < deadline and demo.poll() is None:
        if re.search(r"Bronze lag: [0-9]", open(sys.argv[1]).read()):
            break
        time.sleep(1)
    else:
        if demo.poll() is None:
            demo.kill()
            sys.exit("the demo never reported a Bronze batch in 1200 s")
        sys.exit(f"the demo exited ({demo.returncode}) before a Bronze batch")
    time.sleep(15)
    os.killpg(demo.pid, signal.SIGINT)
    sys.exit(demo.wait(timeout=900))
PY
then
  tail -n 25 "$demo_log" | sed 's/^/  | /' >&2
  die "the demo failed (log: $demo_log)"
fi
grep -q 'Ctrl-C: stopping the producer' "$demo_log" || die "the demo did not act on Ctrl-C (log: $demo_log)"
acked=$(sed -nE 's/^ +produced \(acked by Kafka\) +([0-9]+).*/\1/p' "$demo_log")
((acked > 0 && acked < 2000000)) || die "the demo's producer should have stopped early; it had ${acked:-no} records acked (log: $demo_log)"
grep -E '^✔ every layer agrees' "$demo_log" | sed 's/^/  /' || die "the demo's report does not agree (log: $demo_log)"
sed -n '/^Freshness/,/marts/p' "$demo_log" | sed 's/^/  /'

# What the third-party records became, read through Trino as an analyst would.
bi_sql() {
  trino_cli "$RUNNEL_TRINO_BI_USER" "$RUNNEL_TRINO_BI_PASSWORD" --output-format TSV --execute "$1" </dev/null
}
fates=$(bi_sql "SELECT r FROM lake.silver.events_quarantine CROSS JOIN UNNEST(error_reasons) AS t (r)
  WHERE strpos(coalesce(value, ''), 'kcat') > 0 GROUP BY r ORDER BY r") || die "reading the quarantine through Trino failed"
for reason in ts_before_oldest too_precise:ts invalid_text:user_id malformed_json updated_at_in_future; do
  grep -qx "$reason" <<<"$fates" || die "no kcat record was quarantined as $reason; reasons seen: $(xargs <<<"$fates")"
done
ok "kcat's bad records quarantined: $(xargs <<<"$fates")"
extra=$(bi_sql "SELECT json_extract_scalar(e.extra, '$.kcat_coupon') || ' ' || json_format(json_extract(w.extra, '$.kcat_ab'))
  FROM lake.silver.events AS e JOIN warehouse.silver.events AS w ON w.event_id = CAST(e.event_id AS uuid)
  WHERE e.session_id = 'kcat-s5-$kcat_run'") || die "reading extra through Trino failed"
[[ $extra == 'WINTER {"variant":"b","weights":[0.25,0.75]}' ]] ||
  die "the fields outside the contract did not reach the lake and the warehouse as sent: '$extra'"
ok "fields outside the contract kept, in the lake and the warehouse: $extra"
# The two that stopped dbt for good: modelled, warned about, counted on Pipeline health.
inferred=$(bi_sql "SELECT is_inferred FROM warehouse.marts.dim_products WHERE product_id = 'kcat-unknown-product'") ||
  die "reading dim_products through Trino failed"
[[ $inferred == true ]] || die "the purchase of a product the catalog lacks made no inferred member of dim_products: '$inferred'"
checks=$(bi_sql "SELECT check_name || ' ' || coalesce(field_name, '-') || ' ' || CAST(failure_count AS varchar)
  FROM warehouse.marts.data_quality_checks ORDER BY 1") || die "reading data_quality_checks through Trino failed"
grep -qE '^shared_session_ids - [1-9]' <<<"$checks" || die "the session id kcat shared between two users is not counted: $(xargs <<<"$checks")"
grep -qE '^extra_event_field kcat_coupon [1-9]' <<<"$checks" || die "kcat's extra field is not counted by name: $(xargs <<<"$checks")"
ok "dbt modelled the rest: an inferred product, a shared session id counted ($(grep -E '^(shared_session_ids|inferred_products) ' <<<"$checks" | xargs))"

bi_its || die "the BI integration tests failed (above)"
ok "BI test passed"
