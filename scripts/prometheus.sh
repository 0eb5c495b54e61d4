#!/usr/bin/env bash
# Makes sure a Prometheus server binary exists and prints its path on stdout (logs go to stderr).
#   1. $PROMETHEUS_BIN, if set and executable
#   2. `prometheus` on PATH, or /usr/bin/prometheus
#   3. otherwise Debian's `prometheus` package (needs root and the Debian apt sources)
# Idempotent: a second run finds the binary and installs nothing.
#
# The tests start their own servers on random loopback ports, so the package must not leave its
# system daemon running on :9090. Services are kept from starting during the install with a
# temporary policy-rc.d (the Debian way; containers often have one already), and anything the
# package did start anyway is stopped afterwards.
set -euo pipefail

log() { echo "[prometheus] $*" >&2; }

works() { [[ -x "$1" ]] && "$1" --version >/dev/null 2>&1; }

find_binary() {
  local candidate
  for candidate in "${PROMETHEUS_BIN:-}" "$(command -v prometheus 2>/dev/null || true)" /usr/bin/prometheus; do
    if [[ -n "$candidate" ]] && works "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if bin="$(find_binary)"; then
  echo "$bin"
  exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
  log "no prometheus binary found, and installing Debian's package needs root (or set PROMETHEUS_BIN)"
  exit 1
fi
command -v apt-get >/dev/null || { log "no prometheus binary and no apt-get to install one; set PROMETHEUS_BIN"; exit 1; }

POLICY=/usr/sbin/policy-rc.d
created_policy=""
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\n# temporary, from scripts/prometheus.sh: keep services from starting\nexit 101\n' > "$POLICY"
  chmod 755 "$POLICY"
  created_policy=1
fi
# (an if, not &&: a false test as the last command of the trap would become the exit status)
cleanup() { if [[ -n "$created_policy" ]]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
log "installing Debian's prometheus package"
apt-get update -qq </dev/null >&2
# A postinst that fails only because it could not start the service (no systemd in a container)
# leaves the package half-configured; `dpkg --configure` with services blocked settles it.
if ! apt-get install -y -qq --no-install-recommends prometheus </dev/null >&2; then
  log "apt-get install reported an error; retrying the configuration step with services blocked"
  dpkg --configure -a </dev/null >&2 || true
fi

# Whatever the package managed to start (an init script ignoring policy-rc.d, say) must not keep
# :9090. Only the package's own daemon is stopped: it runs as user prometheus with the package's
# config file; servers started by tests run as root with their own config.
if command -v pgrep >/dev/null; then
  for pid in $(pgrep -u prometheus -x prometheus 2>/dev/null || true); do
    log "stopping the package's prometheus daemon (pid $pid)"
    kill "$pid" 2>/dev/null || true
  done
fi
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  systemctl disable --now prometheus >&2 2>/dev/null || true
fi

if bin="$(find_binary)"; then
  log "installed: $("$bin" --version 2>&1 | head -1)"
  echo "$bin"
  exit 0
fi
log "the prometheus package installed no working binary; see the apt output above"
exit 1
