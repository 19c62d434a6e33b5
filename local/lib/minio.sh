# shellcheck shell=bash
# MinIO, the S3 server: its last release built from source with Go (MinIO publishes no binaries
# any more), cached, and run on loopback.

MINIO_HOME=$RUNNEL_CACHE_DIR/minio-$MINIO_RELEASE
MINIO_BIN=$MINIO_HOME/minio
MINIO_RUN=$RUNNEL_RUN_DIR/minio

minio_install() {
  [[ -x $MINIO_BIN ]] && return 0
  command -v go >/dev/null || die "Go is needed to build MinIO and was not found: install Go 1.24 or newer"
  require_disk "$RUNNEL_CACHE_DIR" 2000
  info "building MinIO $MINIO_RELEASE from source (once; about 2 minutes on 2 cores)"
  local work=$RUNNEL_CACHE_DIR/minio-build proxy zip
  rm -rf "$work" && mkdir -p "$work"
  # The module proxy serves the release's source archive; its metadata for this commit is not
  # served, so `go install` cannot fetch it by version. Fetch the archive, check it, build it.
  proxy=$(go env GOPROXY | tr ',|' '\n\n' | grep -v -x -e direct -e off | head -n 1)
  [[ -n $proxy ]] || die "no Go module proxy configured (go env GOPROXY): MinIO cannot be downloaded"
  zip=$work/minio.zip
  curl -fsSL --retry 3 -o "$zip" "$proxy/github.com/minio/minio/@v/$MINIO_MODULE_VERSION.zip" ||
    die "download of the MinIO source was refused by the Go module proxy ($proxy)"
  echo "$MINIO_ZIP_SHA256  $zip" | sha256sum -c --quiet - >/dev/null 2>&1 ||
    die "the MinIO source archive does not match its pinned SHA-256; refusing to build it"
  (cd "$work" && unzip -q minio.zip) || die "cannot unpack the MinIO source (is unzip installed?)"
  mkdir -p "$MINIO_HOME"
  # go.sum inside the release pins every dependency; -mod=readonly makes the build fail rather
  # than change it.
  # Go's module and build caches stay inside Runnel's cache folder and are dropped after the build
  # (about 1.5 GB that is only needed again if the binary is deleted).
  export GOMODCACHE=$work/gomod GOCACHE=$work/gobuild
  if ! (cd "$work/github.com/minio/minio@$MINIO_MODULE_VERSION" &&
    CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath \
      -ldflags "-s -w -X github.com/minio/minio/cmd.ReleaseTag=$MINIO_RELEASE" \
      -o "$MINIO_BIN.tmp" .) >"$LOG_DIR/minio-build.log" 2>&1; then
    tail -n 3 "$LOG_DIR/minio-build.log" >&2
    die "building MinIO failed (log: $LOG_DIR/minio-build.log)"
  fi
  mv "$MINIO_BIN.tmp" "$MINIO_BIN"
  go clean -modcache >/dev/null 2>&1 || true
  rm -rf "$work"
  unset GOMODCACHE GOCACHE
}

minio_start() {
  already_running minio "MinIO on $RUNNEL_S3_ENDPOINT" && return 0
  require_free_port "$RUNNEL_S3_PORT" RUNNEL_S3_PORT
  require_free_port "$RUNNEL_S3_CONSOLE_PORT" RUNNEL_S3_CONSOLE_PORT
  [[ ${#RUNNEL_S3_SECRET_KEY} -ge 8 ]] || die "RUNNEL_S3_SECRET_KEY must be at least 8 characters for MinIO"
  mkdir -p "$MINIO_RUN/data"
  MINIO_ROOT_USER=$RUNNEL_S3_ACCESS_KEY MINIO_ROOT_PASSWORD=$RUNNEL_S3_SECRET_KEY \
    MINIO_UPDATE=off MINIO_REGION=$RUNNEL_S3_REGION \
    start_process minio "$LOG_DIR/minio.log" "$MINIO_BIN" server --quiet \
    --address "127.0.0.1:$RUNNEL_S3_PORT" --console-address "127.0.0.1:$RUNNEL_S3_CONSOLE_PORT" \
    "$MINIO_RUN/data"
}

minio_ready() {
  await_service minio "$RUNNEL_S3_PORT" 30 MinIO s3-init
  ok "MinIO ready on $RUNNEL_S3_ENDPOINT, bucket $RUNNEL_LAKE_BUCKET (console http://127.0.0.1:$RUNNEL_S3_CONSOLE_PORT, pid $(service_pid minio))"
}
