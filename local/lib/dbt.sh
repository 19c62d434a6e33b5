# shellcheck shell=bash
# dbt (dbt-core + dbt-postgres) and SQLFluff in their own virtualenv, from the fully pinned
# dbt/requirements.txt; the dbt project in dbt/ runs as runnel_transformer.

DBT_VENV=$RUNNEL_CACHE_DIR/venvs/dbt
DBT_PROJECT_DIR=$RUNNEL_ROOT/dbt
RUNNEL_DOCS_PORT=${RUNNEL_DOCS_PORT:-18080}

# (Re)installs the virtualenv when dbt/requirements.txt changed since the last install. No pip
# check: the file leaves out one declared dependency on purpose (see its header).
dbt_install() {
  venv_install "dbt and SQLFluff" "$DBT_VENV" "$DBT_PROJECT_DIR/requirements.txt" dbt 3.10 3.13 600 --no-check
}

# The environment profiles.yml reads: connection settings, and the transformer's password as a
# DBT_ENV_SECRET_ variable (dbt keeps those out of its logs and artifacts).
dbt_env() {
  export DBT_ENV_SECRET_PG_PASSWORD=${DBT_ENV_SECRET_PG_PASSWORD:-${RUNNEL_PG_TRANSFORMER_PASSWORD:?}}
  export DBT_PROFILES_DIR=$DBT_PROJECT_DIR DBT_PROJECT_DIR
  export DBT_LOG_PATH=${DBT_LOG_PATH:-$LOG_DIR/dbt}
  export DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_VERSION_CHECK=false
}

# run_dbt ARGS...: the pinned dbt with the project's profile.
run_dbt() {
  (cd "$DBT_PROJECT_DIR" && "$DBT_VENV/bin/dbt" "$@")
}

dbt_require_postgres() {
  port_in_use "$RUNNEL_PG_PORT" ||
    [[ $RUNNEL_PG_HOST != 127.0.0.1 && $RUNNEL_PG_HOST != localhost ]] ||
    die "PostgreSQL is not running on 127.0.0.1:$RUNNEL_PG_PORT: start it with ./runnel up"
}

# ./runnel transform [dbt build options]: source freshness, then dbt build (models, snapshot,
# tests, unit tests). Both run; the exit status is non-zero when either failed.
cmd_transform() {
  load_env
  dbt_require_postgres
  dbt_install
  dbt_env
  local rc=0
  info "dbt source freshness ($RUNNEL_PG_DATABASE on $RUNNEL_PG_HOST:$RUNNEL_PG_PORT, as runnel_transformer)"
  run_dbt source freshness || {
    rc=$?
    printf '%s\n' "${_red}runnel: a Silver source is stale (see above); building anyway${_off}" >&2
  }
  info "dbt build $*"
  run_dbt build "$@" || die "dbt build failed (log: $DBT_LOG_PATH/dbt.log)"
  ((rc == 0)) || die "dbt build passed, but source freshness failed"
  ok "dbt build passed: schemas staging, intermediate, marts, snapshots in $RUNNEL_PG_DATABASE"
}

# ./runnel dbt ARGS...: any dbt command, with the project's profile, as runnel_transformer (the
# Airflow DAG runs `./runnel dbt test` apart from the build).
cmd_dbt() {
  load_env
  dbt_require_postgres
  dbt_install
  dbt_env
  run_dbt "$@" || die "dbt $* failed (log: $DBT_LOG_PATH/dbt.log)"
}

# ./runnel docs: generates the docs site (lineage graph, columns, tests) and serves it on loopback.
cmd_docs() {
  load_env
  dbt_require_postgres
  require_free_port "$RUNNEL_DOCS_PORT" RUNNEL_DOCS_PORT
  dbt_install
  dbt_env
  info "dbt docs generate"
  run_dbt docs generate || die "dbt docs generate failed (log: $DBT_LOG_PATH/dbt.log)"
  ok "docs on http://127.0.0.1:$RUNNEL_DOCS_PORT (Ctrl-C stops)"
  (cd "$DBT_PROJECT_DIR" && exec "$DBT_VENV/bin/dbt" docs serve --host 127.0.0.1 --port "$RUNNEL_DOCS_PORT" --no-browser)
}

# ./runnel lint: SQLFluff over the dbt project (no database needed: Jinja templater).
cmd_lint() {
  load_env
  dbt_install
  info "sqlfluff lint dbt/"
  (cd "$DBT_PROJECT_DIR" && "$DBT_VENV/bin/sqlfluff" lint "$@") || die "SQL lint failed (fix with: ./runnel lint, or $DBT_VENV/bin/sqlfluff fix dbt/)"
  ok "SQL lint passed"
}
