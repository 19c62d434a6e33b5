# shellcheck shell=bash
# Apache Kafka in KRaft mode, from Maven Central jars, in its own JVM.

KAFKA_HOME=$RUNNEL_CACHE_DIR/kafka-$KAFKA_VERSION
KAFKA_RUN=$RUNNEL_RUN_DIR/kafka

kafka_install() {
  [[ -f $KAFKA_HOME/.complete ]] && return 0
  require_disk "$RUNNEL_CACHE_DIR" 500
  info "installing Kafka $KAFKA_VERSION (broker jars from Maven Central)"
  rm -rf "$KAFKA_HOME"
  mvn_quiet -q -f local/kafka/pom.xml dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs"
  touch "$KAFKA_HOME/.complete"
}

# Heap at most 512 MB: a single local broker needs little, and the jobs need the memory.
kafka_command() {
  KAFKA_COMMAND=("$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$RUNNEL_ROOT/local/kafka/log4j2.yaml" \
    -cp "$KAFKA_HOME/libs/*" "$@")
}

kafka_start() {
  already_running kafka "Kafka on $RUNNEL_KAFKA_BOOTSTRAP" && return 0
  require_free_port "$RUNNEL_KAFKA_PORT" RUNNEL_KAFKA_PORT
  require_free_port "$RUNNEL_KAFKA_CONTROLLER_PORT" RUNNEL_KAFKA_CONTROLLER_PORT
  mkdir -p "$KAFKA_RUN/data"
  sed -e "s#@PORT@#$RUNNEL_KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$RUNNEL_KAFKA_CONTROLLER_PORT#g" \
    -e "s#@DATA_DIR@#$KAFKA_RUN/data#g" "$RUNNEL_ROOT/local/kafka/server.properties.template" \
    >"$KAFKA_RUN/server.properties"
  if [[ ! -f $KAFKA_RUN/data/meta.properties ]]; then
    local cluster_id
    kafka_command kafka.tools.StorageTool random-uuid
    cluster_id=$("${KAFKA_COMMAND[@]}" 2>>"$LOG_DIR/kafka.log" | tail -n 1)
    kafka_command kafka.tools.StorageTool format --standalone -t "$cluster_id" \
      -c "$KAFKA_RUN/server.properties"
    "${KAFKA_COMMAND[@]}" >>"$LOG_DIR/kafka.log" 2>&1 ||
      die "formatting Kafka's storage failed (log: $LOG_DIR/kafka.log)"
  fi
  kafka_command kafka.Kafka "$KAFKA_RUN/server.properties"
  start_process kafka "$LOG_DIR/kafka.log" "${KAFKA_COMMAND[@]}"
}

kafka_ready() {
  await_service kafka "$RUNNEL_KAFKA_PORT" 90 Kafka kafka-ready
  ok "Kafka $KAFKA_VERSION ready on $RUNNEL_KAFKA_BOOTSTRAP (pid $(service_pid kafka))"
}

# kcat, a Kafka client Runnel did not write, for the tests that send what other clients send.
# From the distribution's own packages, unpacked into the cache (no root, nothing installed
# system-wide): kcat and the two libraries it needs beyond a base system.
KCAT_HOME=$RUNNEL_CACHE_DIR/kcat
KCAT_PACKAGES=(kcat librdkafka1 libyajl2)

kcat_install() {
  if [[ ! -f $KCAT_HOME/.complete ]]; then
    command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
      die "kcat comes from Debian packages here, and this system has no apt-get/dpkg: install kcat and set RUNNEL_KCAT to its path"
    # On stderr: callers capture what kcat_send prints.
    info "installing kcat (${KCAT_PACKAGES[*]}, unpacked into $KCAT_HOME)" >&2
    rm -rf "$KCAT_HOME"
    mkdir -p "$KCAT_HOME/debs"
    if ! (cd "$KCAT_HOME/debs" && apt-get download "${KCAT_PACKAGES[@]}") >>"$LOG_DIR/kcat-install.log" 2>&1; then
      # A fresh system may have no package lists yet; only root can fetch them.
      ((EUID == 0)) && apt-get update >>"$LOG_DIR/kcat-install.log" 2>&1 &&
        (cd "$KCAT_HOME/debs" && apt-get download "${KCAT_PACKAGES[@]}") >>"$LOG_DIR/kcat-install.log" 2>&1 ||
        die "could not download ${KCAT_PACKAGES[*]} (log: $LOG_DIR/kcat-install.log): run apt-get update as root, or install kcat and set RUNNEL_KCAT"
    fi
    local deb
    for deb in "$KCAT_HOME"/debs/*.deb; do
      dpkg -x "$deb" "$KCAT_HOME/root" || die "could not unpack $deb"
    done
    touch "$KCAT_HOME/.complete"
  fi
}

# kcat ARGS...: the cached kcat (or $RUNNEL_KCAT), its libraries found beside it.
kcat() {
  if [[ -n ${RUNNEL_KCAT:-} ]]; then
    "$RUNNEL_KCAT" "$@"
    return
  fi
  kcat_install
  local libs
  libs=$(printf '%s:' "$KCAT_HOME"/root/usr/lib/*-linux-gnu)
  LD_LIBRARY_PATH="${libs%:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$KCAT_HOME/root/usr/bin/kcat" "$@"
}

# kcat_send FILE EVENTS_TOPIC PRODUCTS_TOPIC [RUN]: sends FILE's records (lines "events|products
# TAB key TAB value"; # comments) with kcat, @UUID@ (one per line), @NOW@ and @RUN@ (default: a new
# id) filled in; prints how many records Kafka acknowledged. kcat exits non-zero when a record is
# not delivered.
kcat_send() {
  local file=$1 run=${4:-$(date +%s)-$RANDOM} now line kind rest uuid n=0
  now=$(date -u +%Y-%m-%dT%H:%M:%S)
  local dir
  dir=$(mktemp -d)
  : >"$dir/events"
  : >"$dir/products"
  while IFS= read -r line; do
    [[ -z $line || $line == \#* ]] && continue
    kind=${line%%$'\t'*}
    rest=${line#*$'\t'}
    uuid=$(cat /proc/sys/kernel/random/uuid)
    rest=${rest//@UUID@/$uuid}
    rest=${rest//@NOW@/$now}
    printf '%s\n' "${rest//@RUN@/$run}" >>"$dir/$kind"
    n=$((n + 1))
  done <"$file"
  local topic
  for kind in events products; do
    [[ -s $dir/$kind ]] || continue
    [[ $kind == events ]] && topic=$2 || topic=$3
    kcat -b "$RUNNEL_KAFKA_BOOTSTRAP" -P -t "$topic" -K $'\t' -l "$dir/$kind" ||
      { rm -rf "$dir"; die "kcat could not send $file's $kind records to $topic"; }
  done
  rm -rf "$dir"
  echo "$n"
}
