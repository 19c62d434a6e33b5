# shellcheck shell=bash
# Trino: the server tarball and the CLI's executable jar from Maven Central, cached; one node on
# loopback, HTTPS with a self-signed certificate and password files made from the generated
# secrets; the catalogs and rules in trino/. Trino needs Java 24 or newer, while Runnel needs only
# 17, so Trino gets its own JDK (RUNNEL_TRINO_JAVA_HOME, or one found on this machine).

TRINO_HOME=$RUNNEL_CACHE_DIR/trino-server-$TRINO_VERSION
TRINO_CLI_JAR=$RUNNEL_CACHE_DIR/trino-cli-$TRINO_VERSION-executable.jar
TRINO_RUN=$RUNNEL_RUN_DIR/trino
TRINO_ETC=$RUNNEL_ROOT/trino/etc
# The tarball carries every connector (about 800 MB); Runnel uses these.
# (The PostgreSQL connector needs the geospatial plugin's Geometry type.)
TRINO_PLUGINS=(delta-lake postgresql geospatial kafka password-authenticators)

# Sets TRINO_JAVA to a java of version 24 or newer.
trino_find_java() {
  local candidates=() home major
  if [[ -n ${RUNNEL_TRINO_JAVA_HOME:-} ]]; then
    candidates=("$RUNNEL_TRINO_JAVA_HOME")
  else
    [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
    candidates+=(/usr/lib/jvm/* /opt/java/* /usr/local/java/*)
  fi
  for home in "${candidates[@]}"; do
    [[ -x $home/bin/java ]] || continue
    major=$(java_major "$home/bin/java")
    if [[ ${major%%.*} -ge 24 ]] 2>/dev/null; then
      TRINO_JAVA_HOME=$home
      TRINO_JAVA=$home/bin/java
      return 0
    fi
  done
  [[ -z ${RUNNEL_TRINO_JAVA_HOME:-} ]] ||
    die "RUNNEL_TRINO_JAVA_HOME=$RUNNEL_TRINO_JAVA_HOME is not a JDK 24 or newer: Trino $TRINO_VERSION needs one"
  die "Trino $TRINO_VERSION needs Java 24 or newer and none was found in /usr/lib/jvm: install one (e.g. Temurin 25) and set RUNNEL_TRINO_JAVA_HOME to it"
}

# maven_fetch ARTIFACT DIR: one artifact into DIR, through a throw-away local repository so the
# large server tarball is not kept twice.
maven_fetch() {
  local artifact=$1 dir=$2
  mvn_quiet -q dependency:copy -Dmdep.useBaseVersion=true -Dmaven.repo.local="$dir/m2" \
    -DoutputDirectory="$dir" -Dartifact="$artifact"
  rm -rf "$dir/m2"
}

trino_installed() {
  local name
  [[ -x $TRINO_HOME/bin/launcher ]] || return 1
  for name in "${TRINO_PLUGINS[@]}"; do [[ -d $TRINO_HOME/plugin/$name ]] || return 1; done
}

trino_install() {
  if ! trino_installed; then
    require_disk "$RUNNEL_CACHE_DIR" 2500
    info "installing Trino $TRINO_VERSION (the server tarball from Maven Central, about 820 MB, once)"
    local work=$RUNNEL_CACHE_DIR/trino-download plugin kept name
    rm -rf "$work" && mkdir -p "$work"
    maven_fetch "io.trino:trino-server:$TRINO_VERSION:tar.gz" "$work"
    # The tarball uses hard links: extract it whole, then delete the plugins not used.
    tar -xzf "$work/trino-server-$TRINO_VERSION.tar.gz" -C "$work" ||
      die "cannot unpack the Trino server tarball (log: $LOG_DIR/maven.log)"
    for plugin in "$work/trino-server-$TRINO_VERSION"/plugin/*; do
      kept=false
      for name in "${TRINO_PLUGINS[@]}"; do [[ ${plugin##*/} == "$name" ]] && kept=true; done
      $kept || rm -rf "$plugin"
    done
    rm -rf "$TRINO_HOME"
    mv "$work/trino-server-$TRINO_VERSION" "$TRINO_HOME"
    rm -rf "$work"
  fi
  if [[ ! -f $TRINO_CLI_JAR ]]; then
    local work=$RUNNEL_CACHE_DIR/trino-cli-download
    rm -rf "$work" && mkdir -p "$work"
    maven_fetch "io.trino:trino-cli:$TRINO_VERSION:jar:executable" "$work"
    mv "$work/trino-cli-$TRINO_VERSION-executable.jar" "$TRINO_CLI_JAR"
    rm -rf "$work"
  fi
}

# The TLS key pair (once per run folder) and the password file (from the current secrets, at
# every start, so a changed secret takes effect on restart).
trino_prepare() {
  local tls=$TRINO_RUN/tls
  mkdir -p "$tls" "$TRINO_RUN/data"
  export RUNNEL_TRINO_KEYSTORE=$tls/keystore.p12 RUNNEL_TRINO_PASSWORD_FILE=$TRINO_RUN/password.db
  if [[ ! -f $RUNNEL_TRINO_KEYSTORE || ! -f $RUNNEL_TRINO_CA_FILE ]]; then
    rm -f "$RUNNEL_TRINO_KEYSTORE" "$RUNNEL_TRINO_CA_FILE"
    (umask 077 && "$TRINO_JAVA_HOME/bin/keytool" -genkeypair -alias trino -keyalg RSA -keysize 2048 \
      -validity 3650 -dname "CN=localhost, O=Runnel local" -ext "SAN=dns:localhost,ip:127.0.0.1" \
      -storetype PKCS12 -keystore "$RUNNEL_TRINO_KEYSTORE" -storepass:env RUNNEL_TRINO_KEYSTORE_PASSWORD \
      >>"$LOG_DIR/trino-tls.log" 2>&1) || die "keytool could not create Trino's certificate (log: $LOG_DIR/trino-tls.log)"
    "$TRINO_JAVA_HOME/bin/keytool" -exportcert -rfc -alias trino -keystore "$RUNNEL_TRINO_KEYSTORE" \
      -storepass:env RUNNEL_TRINO_KEYSTORE_PASSWORD -file "$RUNNEL_TRINO_CA_FILE" >>"$LOG_DIR/trino-tls.log" 2>&1 ||
      die "keytool could not export Trino's certificate (log: $LOG_DIR/trino-tls.log)"
  fi
  # PBKDF2 (HMAC-SHA1, which is what Trino's file authenticator computes), as iterations:salt:hash.
  (umask 077 && python3 - "$RUNNEL_TRINO_PASSWORD_FILE" <<'EOF') || die "cannot write Trino's password file"
import hashlib, os, sys
users = {os.environ["RUNNEL_TRINO_ADMIN_USER"]: os.environ["RUNNEL_TRINO_ADMIN_PASSWORD"],
         os.environ["RUNNEL_TRINO_BI_USER"]: os.environ["RUNNEL_TRINO_BI_PASSWORD"]}
with open(sys.argv[1], "w") as out:
    for user, password in users.items():
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, 100000, 64)
        out.write(f"{user}:100000:{salt.hex()}:{digest.hex()}\n")
EOF
}

trino_start() {
  already_running trino "Trino on $RUNNEL_TRINO_URL" && return 0
  require_free_port "$RUNNEL_TRINO_PORT" RUNNEL_TRINO_PORT
  require_free_port "$RUNNEL_TRINO_HTTP_PORT" RUNNEL_TRINO_HTTP_PORT
  trino_find_java
  trino_prepare
  # Trino's launcher refuses to start while the pid in its pid file answers a signal, and a
  # stopped JVM that nobody has reaped yet (a zombie) does: "ERROR: already running as 12006"
  # when the BI test restarted Trino. A pid file whose process is gone or a zombie is stale.
  local launcher_pid=$TRINO_RUN/data/var/run/launcher.pid
  if [[ -f $launcher_pid ]] && ! process_alive "$(cat "$launcher_pid" 2>/dev/null || echo 0)"; then
    rm -f "$launcher_pid"
  fi
  # RUNNEL_TRINO_JVM_OPTS: JVM options beside etc/jvm.config's (./runnel test: C1 alone).
  local option extra=()
  for option in ${RUNNEL_TRINO_JVM_OPTS:-}; do extra+=(-J "$option"); done
  # node.data-dir on the JVM's command line also marks the process as this run folder's.
  start_process trino "$LOG_DIR/trino.log" "$TRINO_HOME/bin/launcher" run --jvm-dir "$TRINO_JAVA_HOME" \
    --etc-dir "$TRINO_ETC" --data-dir "$TRINO_RUN/data" -D "node.data-dir=$TRINO_RUN/data" \
    -D "log.path=$LOG_DIR/trino-server.log" "${extra[@]}"
}

# Trino listens long before it accepts queries: wait until /v1/info says it has started.
trino_ready() {
  wait_for_port trino "$RUNNEL_TRINO_PORT" 120 "$LOG_DIR/trino.log"
  local waited=0
  until curl -fsS --cacert "$RUNNEL_TRINO_CA_FILE" "$RUNNEL_TRINO_URL/v1/info" 2>/dev/null | grep -q '"starting":false'; do
    service_pid trino >/dev/null || died_during_start_up Trino "$LOG_DIR/trino.log"
    ((waited < 600)) || die "Trino did not finish starting within 120 s (log: $LOG_DIR/trino.log)"
    sleep 0.2
    waited=$((waited + 1))
  done
  ok "Trino ready on $RUNNEL_TRINO_URL, catalogs lake, warehouse and stream (pid $(service_pid trino))"
}

# trino_cli USER PASSWORD ARGS...: Trino's CLI on the local server, its certificate checked.
trino_cli() {
  local user=$1 password=$2
  shift 2
  [[ -n ${TRINO_JAVA:-} ]] || trino_find_java
  # Native access for its terminal library, and a plain terminal when not interactive: otherwise
  # it warns on every start.
  # C1 alone and the serial collector: a query's CLI lives a second, and C2's compilations and
  # G1's threads doubled its CPU (3.2 instead of 1.7 CPU-s a call; the BI test makes about 30).
  local jvm=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED)
  [[ -t 0 && -t 1 ]] || jvm+=(-Dorg.jline.terminal.dumb=true)
  TRINO_PASSWORD=$password "$TRINO_JAVA" "${jvm[@]}" -jar "$TRINO_CLI_JAR" --server "$RUNNEL_TRINO_URL" \
    --truststore-path "$RUNNEL_TRINO_CA_FILE" --user "$user" --password "$@"
}

# trino_admin_sql SQL: one statement as the administrator; prints rows as unquoted CSV.
# (Without the statement names the CLI prints after DDL.)
trino_admin_sql() {
  trino_cli "$RUNNEL_TRINO_ADMIN_USER" "$RUNNEL_TRINO_ADMIN_PASSWORD" --output-format CSV_UNQUOTED \
    --execute "$1" 2> >(grep -v -e '^$' -e '^CREATE SCHEMA$' -e '^CALL$' >&2)
}

# Lake tables as Trino sees them (trino/lake_tables.csv): schema.table, then its path in the
# bucket as the jobs' settings place it. Paths reach SQL, so they are checked first.
trino_lake_tables() {
  local name setting default suffix path
  while IFS=, read -r name setting default suffix; do
    [[ $name == \#* || $name == table ]] && continue
    path=${!setting:-$default}$suffix
    [[ $path =~ ^[A-Za-z0-9_][A-Za-z0-9_./-]*$ && $path != *..* ]] ||
      die "$setting=${!setting} is not a path inside the bucket (letters, digits, _ . / -)"
    echo "$name $path"
  done <"$RUNNEL_ROOT/trino/lake_tables.csv"
}

# Registers every lake table the jobs have created and Trino does not know yet (idempotent; a
# table a job has not created yet is reported and left for the next call). Two CLI starts at
# most (each a JVM, over a CPU-second): one creates the schemas and lists what Trino knows, one
# registers what is missing, each statement's failure naming its table's location.
trino_register_tables() {
  local tables known name path sql='' todo=() entry out rc=0 failure attributed=0 registered=0 missing=()
  tables=$(trino_lake_tables) || exit 1
  service_pid trino >/dev/null || port_in_use "$RUNNEL_TRINO_PORT" || die "Trino is not running: start it with ./runnel up"
  [[ $RUNNEL_LAKE_BUCKET =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] ||
    die "RUNNEL_LAKE_BUCKET=$RUNNEL_LAKE_BUCKET is not a valid bucket name"
  known=$(trino_admin_sql "CREATE SCHEMA IF NOT EXISTS lake.bronze; CREATE SCHEMA IF NOT EXISTS lake.silver; CREATE SCHEMA IF NOT EXISTS lake.pipeline;
    SELECT table_schema || '.' || table_name FROM lake.information_schema.tables WHERE table_schema IN ('bronze', 'silver', 'pipeline')") ||
    die "Trino could not create the lake schemas or list their tables (is the S3 server up? ./runnel status)"
  while read -r name path; do
    grep -qx "$name" <<<"$known" && continue
    todo+=("$name $path")
    sql+="CALL lake.system.register_table(schema_name => '${name%%.*}', table_name => '${name#*.}', table_location => 's3://$RUNNEL_LAKE_BUCKET/$path');"$'\n'
  done <<<"$tables"
  if ((${#todo[@]})); then
    out=$(trino_cli "$RUNNEL_TRINO_ADMIN_USER" "$RUNNEL_TRINO_ADMIN_PASSWORD" --output-format CSV_UNQUOTED \
      --ignore-errors --execute "$sql" 2>&1) || rc=$?
    for entry in "${todo[@]}"; do
      name=${entry%% *} path=${entry#* }
      # Trino names the location in the error ("No transaction log found in location s3://…/_delta_log").
      failure=$(grep -F ' failed: ' <<<"$out" | grep -F "s3://$RUNNEL_LAKE_BUCKET/$path/" | head -n 1) || true
      [[ -z $failure ]] || attributed=$((attributed + 1))
      if [[ -z $failure ]]; then
        registered=$((registered + 1))
      elif grep -qiE "not a Delta Lake table|does not exist|No transaction log" <<<"$failure"; then
        missing+=("$name")
      else
        die "Trino could not register lake.$name at s3://$RUNNEL_LAKE_BUCKET/$path: ${failure#* failed: }"
      fi
    done
    # A failure that names no table's location (the server unreachable, say) is the whole call's.
    if ((rc != 0)) && { ((attributed == 0)) || (($(grep -cF ' failed: ' <<<"$out" || true) != attributed)); }; then
      die "Trino could not register the lake tables: $(grep -v -e '^$' -e '^CALL$' <<<"$out" | tail -n 1)"
    fi
  fi
  ok "lake tables in Trino: $registered newly registered${missing:+; not created by the jobs yet: ${missing[*]}}"
}
