#!/usr/bin/env bash
# Builds the helm CLI from Go modules (no binary downloads) and caches it outside the work tree:
#   ${HELM_CACHE_DIR:-$HOME/.cache/canary-operator}/helm-<version>/helm
# Does nothing when that binary is already there and reports the pinned version.
# Prints the binary's path on stdout (and nothing else there), so callers can capture it.
set -euo pipefail

# Keep in step with helm.version in operator/pom.xml.
HELM_VERSION="${HELM_VERSION:-v3.19.5}"
# helm v3.19.5's go.mod requires k8s.io/client-go v0.34.2; helm lint and helm template take the
# default cluster version (.Capabilities.KubeVersion) from these, exactly as helm's Makefile sets them.
HELM_K8S_MAJOR=1
HELM_K8S_MINOR=34

DEST="${HELM_CACHE_DIR:-$HOME/.cache/canary-operator}/helm-${HELM_VERSION}"
BIN="$DEST/helm"

log() { echo "[helm] $*" >&2; }

binary_works() {
  [[ -x "$BIN" && "$("$BIN" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]
}

if binary_works; then
  log "cached and working: $BIN"
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { log "Go is required to build helm (apt-get install golang, or a Go toolchain)"; exit 1; }
mkdir -p "$DEST"
# helm.sh/helm/v3 has no replace directives, so go install can build it straight from the proxy;
# GOFLAGS from the environment (e.g. -mod=vendor) must not leak into a module-less install.
export GOFLAGS=-buildvcs=false CGO_ENABLED=0 GOBIN="$DEST"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $pkg.k8sVersionMajor=${HELM_K8S_MAJOR} -X $pkg.k8sVersionMinor=${HELM_K8S_MINOR}"
done
log "building helm ${HELM_VERSION} from Go modules (a few minutes on 2 cores)"
started=$SECONDS
go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" >&2

if ! binary_works; then
  log "built $BIN but it does not report ${HELM_VERSION}; see the output above"
  exit 1
fi
log "ready in $((SECONDS - started)) s: $BIN"
echo "$BIN"
