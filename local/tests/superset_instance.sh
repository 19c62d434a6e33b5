#!/usr/bin/env bash
# A throw-away Superset for the tests, through the same functions ./runnel uses: its own metadata
# database in HOME (a fresh folder inside the run folder), its own port, the bundle imported.
#   superset_instance.sh up HOME PORT     install if needed, start, wait, import the bundle
#   superset_instance.sh restart HOME PORT  stop it and start it again: no import, nothing else
#   superset_instance.sh down HOME PORT   stop it (HOME is left for the caller to delete)
# Uses the running Trino and the generated secrets of RUNNEL_RUN_DIR (default ./.runnel).
set -euo pipefail

# shellcheck source=setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" superset

[[ $# -eq 3 ]] || die "usage: $0 up|restart|down HOME PORT"
action=$1 home=$2 port=$3
[[ $home == "$RUNNEL_RUN_DIR"/* ]] || die "HOME must be inside $RUNNEL_RUN_DIR (so the process is recognised as Runnel's): $home"
name=superset-$port
load_env
case $action in
  up)
    port_in_use "$RUNNEL_TRINO_PORT" || die "Trino is not running on $RUNNEL_TRINO_HOST:$RUNNEL_TRINO_PORT: start it with ./runnel up"
    superset_install
    superset_start "$name" "$home" "$port"
    superset_ready "$name" "$port"
    superset_import "$home"
    ;;
  restart)
    stop_service "$name"
    superset_start "$name" "$home" "$port"
    superset_ready "$name" "$port"
    ;;
  down) stop_service "$name" ;;
  *) die "usage: $0 up|restart|down HOME PORT" ;;
esac
