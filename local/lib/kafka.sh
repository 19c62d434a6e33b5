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
