# shellcheck shell=bash
# The opening the test scripts share, sourced right after `set -euo pipefail`:
#   source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" [LIB...]
# makes the repository root the working folder and sources common.sh and the named libraries of
# local/lib (e.g. spark dbt pipeline).

RUNNEL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export RUNNEL_ROOT
cd "$RUNNEL_ROOT"
# shellcheck source=../lib/common.sh
source local/lib/common.sh
for _lib in "$@"; do
  # shellcheck source=/dev/null
  source "local/lib/$_lib.sh"
done
unset _lib

# What the tests that run the jobs and dbt need: settings, Java, the admin tool, dbt.
setup_pipeline_tools() {
  load_env
  find_java
  ensure_platform_jar
  dbt_install
  dbt_env
}
