#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kubectl from Go modules (no Docker, no binary downloads) and
# caches them where fabric8 kube-api-test looks in offline mode:
#   ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl}
# Does nothing when all three are already there and run.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.34.2}"
# Kubernetes 1.34 is built and tested against etcd 3.6 (its go.mod pins the etcd client at 3.6.4).
ETCD_VERSION="${ETCD_VERSION:-3.6.4}"

ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
DEST="$ROOT/k8s/${K8S_VERSION}-linux-amd64"

log() { echo "[control-plane-binaries] $*" >&2; }

# Output is captured before it is matched: with pipefail, `cmd | grep -q` (or `| head -1`) fails
# with SIGPIPE (exit 141) whenever grep exits before cmd has finished writing.
binaries_work() {
  [[ -x "$DEST/etcd" && -x "$DEST/kube-apiserver" && -x "$DEST/kubectl" ]] || return 1
  "$DEST/etcd" --version >/dev/null 2>&1 || return 1
  local out
  out="$("$DEST/kube-apiserver" --version 2>/dev/null)" && [[ "$out" == *"v${K8S_VERSION}"* ]] || return 1
  out="$("$DEST/kubectl" version --client 2>/dev/null)" && [[ "$out" == *"v${K8S_VERSION}"* ]] || return 1
}

if binaries_work; then
  log "cached and working: $DEST"
  exit 0
fi

command -v go >/dev/null || { log "Go is required to build the control plane (apt-get install golang, or a Go toolchain)"; exit 1; }
mkdir -p "$DEST"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS=-mod=mod CGO_ENABLED=0

build_kubernetes() {
  local mod="$WORK/kubernetes"
  mkdir -p "$mod"
  # k8s.io/kubernetes points its staging modules at ./staging; as a dependency those paths do
  # not exist, so each one is replaced with its published v0.Y.Z twin.
  local gomod
  gomod="$(cd "$WORK" && go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  local staging_version="v0.${K8S_VERSION#*.}"
  {
    echo "module canary-operator.dev/control-plane"
    echo "go 1.24.0"
    echo "require k8s.io/kubernetes v${K8S_VERSION}"
    grep -E '=> \./staging/src/' "$gomod" | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
  } > "$mod/go.mod"
  cat > "$mod/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
  (cd "$mod" && go mod tidy >/dev/null 2>&1 || go mod download)
  local ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v${K8S_VERSION} -X $pkg.gitMajor=${K8S_VERSION%%.*}"
    ldflags+=" -X $pkg.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2) -X $pkg.gitTreeState=clean"
  done
  log "building kube-apiserver v${K8S_VERSION} (several minutes on 2 cores)"
  (cd "$mod" && go build -trimpath -ldflags "$ldflags" -o "$DEST/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
  log "building kubectl v${K8S_VERSION}"
  (cd "$mod" && go build -trimpath -ldflags "$ldflags" -o "$DEST/kubectl" k8s.io/kubernetes/cmd/kubectl)
}

build_etcd() {
  local mod="$WORK/etcd"
  mkdir -p "$mod"
  cat > "$mod/go.mod" <<EOF
module canary-operator.dev/etcd
go 1.24.0
require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}
EOF
  cat > "$mod/tools.go" <<'EOF'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
EOF
  (cd "$mod" && go mod tidy >/dev/null 2>&1 || go mod download)
  log "building etcd v${ETCD_VERSION}"
  (cd "$mod" && go build -trimpath -ldflags "-s -w" -o "$DEST/etcd" go.etcd.io/etcd/server/v3)
}

[[ -x "$DEST/etcd" ]] && "$DEST/etcd" --version >/dev/null 2>&1 || build_etcd
[[ -x "$DEST/kube-apiserver" && -x "$DEST/kubectl" ]] || build_kubernetes

if ! binaries_work; then
  log "built binaries in $DEST do not run; see the output above"
  exit 1
fi
log "ready: $DEST"
"$DEST/kube-apiserver" --version >&2
etcd_version="$("$DEST/etcd" --version)"
echo "${etcd_version%%$'\n'*}" >&2
