#!/usr/bin/env bash
# The BI path on what a newcomer sees: ./runnel demo with a small event set (bad records,
# duplicates and late events included) on the main topics, lake and warehouse, then Trino's
# integration tests (TrinoIT: lake counts equal Spark's, the federated queries, the read-only BI
# user) on that data. Run by ./runnel test after the pipeline test; the services must be up.
set -euo pipefail

RUNNEL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export RUNNEL_ROOT
cd "$RUNNEL_ROOT"
# shellcheck source=../lib/common.sh
source local/lib/common.sh
# shellcheck source=../lib/spark.sh
source local/lib/spark.sh
# shellcheck source=../lib/trino.sh
source local/lib/trino.sh
# shellcheck source=../lib/superset.sh
source local/lib/superset.sh
# shellcheck source=superset_test.sh
source local/tests/superset_test.sh

load_env
find_java

info "the demo with ${RUNNEL_BI_EVENTS:-10000} events (it reconciles every layer and registers the lake in Trino)"
RUNNEL_DEMO_EVENTS=${RUNNEL_BI_EVENTS:-10000} ./runnel demo || die "the demo failed"

info "Trino: TrinoIT on the demo's data"
# Every setting the tests read, exported as ./runnel sees it.
eval "$(./runnel env)"
./mvnw -o verify -pl bi -am -Drunnel.bi.skip=false -Dit.test=TrinoIT -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dspotless.check.skip=true >"$LOG_DIR/bi-trino-it.log" 2>&1 || {
  grep -E '^\[ERROR\]' "$LOG_DIR/bi-trino-it.log" | head -n 15 >&2
  die "TrinoIT failed (log: $LOG_DIR/bi-trino-it.log)"
}
grep -E 'Tests run:.*in io.runnel.bi.TrinoIT' "$LOG_DIR/bi-trino-it.log" | sed 's/^/  /' || true
superset_test
ok "BI test passed"
