#!/usr/bin/env bash
# docker-compose.yml without a Docker engine: Debian's docker-compose (installed with apt-get when
# missing) validates the file with a throw-away env file of placeholders, must refuse it without
# one (every secret is ${VAR:?}), and local/tests/compose_check.py checks it against the repository
# (mounted paths, files and jars the commands name, image versions, ports, secrets, depends_on).
# Exit status non-zero on any failure.
set -euo pipefail

# shellcheck source=setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

started=$(date +%s)
if ! command -v docker-compose >/dev/null; then
  info "installing Debian's docker-compose (apt-get)"
  if [[ $EUID -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q docker-compose >/dev/null 2>&1 || {
    "${sudo[@]}" apt-get update -q >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q docker-compose >/dev/null 2>&1
  } || die "cannot install docker-compose with apt-get (install it, or run as root)"
fi
# Debian's docker-compose is a Python program; its interpreter has PyYAML, which the check uses.
compose_python=$(head -n 1 "$(command -v docker-compose)" | sed -n 's/^#! *//p' | cut -d' ' -f1)
[[ -x $compose_python ]] || compose_python=/usr/bin/python3
info "$(docker-compose version --short 2>/dev/null || docker-compose version | head -n 1): docker-compose config"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A clean environment: neither the caller's RUNNEL_* variables nor a developer's .env may decide
# whether the file validates.
compose() {
  env -i PATH="$PATH" HOME="$tmp" docker-compose --project-directory "$RUNNEL_ROOT" -f docker-compose.yml "$@"
}
grep -v '^\s*#' docker-compose.yml | grep -oE '\$\{[A-Z0-9_]+:\?' | sort -u |
  sed -E 's/^\$\{([A-Z0-9_]+):\?$/\1=placeholder-not-a-secret-0123456789/' >"$tmp/placeholders.env"
: >"$tmp/empty.env"
(($(wc -l <"$tmp/placeholders.env") > 0)) || die "docker-compose.yml requires no secret from the environment: expected \${VAR:?} for each"

compose --env-file "$tmp/placeholders.env" config -q >"$tmp/config.log" 2>&1 || {
  cat "$tmp/config.log" >&2
  die "docker-compose config rejected docker-compose.yml (above)"
}
ok "docker-compose config: valid with $(wc -l <"$tmp/placeholders.env") secrets from the environment"

if compose --env-file "$tmp/empty.env" config -q >"$tmp/missing.log" 2>&1; then
  die "docker-compose config accepted docker-compose.yml without its secrets: each must be \${VAR:?}"
fi
ok "docker-compose config: refused without them ($(grep -oE 'set RUNNEL_[A-Z0-9_]+ in \.env' "$tmp/missing.log" | head -n 1 || echo 'a secret is missing'))"

info "checking docker-compose.yml against the repository"
"$compose_python" local/tests/compose_check.py "$RUNNEL_ROOT" || die "docker-compose.yml does not match the repository (above)"
ok "docker-compose test passed ($(($(date +%s) - started)) s)"
