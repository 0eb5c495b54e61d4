#!/usr/bin/env bash
# Builds argocd/harness (our program on Argo CD's own engine: github.com/argoproj/argo-cd/v3, the
# version pinned in argocd/harness/go.mod) from Go modules and caches it outside the work tree:
#   ${ARGOCD_CACHE_DIR:-$HOME/.cache/canary-operator}/argocd-harness-<hash of its sources>/harness
# Does nothing when that binary is already there. About 2 minutes and 1,200 packages on 2 cores
# the first time.
#
#   scripts/argocd-harness.sh         prints the binary's path on stdout (and nothing else there)
#   scripts/argocd-harness.sh test    also runs the customizations' upstream-format tests with it
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/argocd/harness"
CUSTOMIZATIONS="$ROOT/argocd/resource_customizations/canaryoperator.dev/CanaryRelease"
HASH="$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-12)"
DEST="${ARGOCD_CACHE_DIR:-$HOME/.cache/canary-operator}/argocd-harness-$HASH"
BIN="$DEST/harness"

log() { echo "[argocd-harness] $*" >&2; }

if [[ ! -x "$BIN" ]]; then
  command -v go >/dev/null || { log "Go is required to build the Argo CD harness"; exit 1; }
  mkdir -p "$DEST"
  log "building against $(grep 'argoproj/argo-cd/v3 ' "$SRC/go.mod" | xargs) (a few minutes on 2 cores the first time)"
  started=$SECONDS
  # GOFLAGS from the environment (e.g. -mod=vendor) must not leak into this module's build.
  (cd "$SRC" && GOFLAGS=-mod=readonly GOTOOLCHAIN=local CGO_ENABLED=0 \
    go build -trimpath -o "$BIN.tmp" . >&2)
  mv "$BIN.tmp" "$BIN"
  log "ready in $((SECONDS - started)) s: $BIN"
else
  log "cached: $BIN"
fi

if [[ "${1:-}" == "test" ]]; then
  "$BIN" test "$ROOT/argocd/argocd-cm.yaml" "$CUSTOMIZATIONS" >&2
  log "the CanaryRelease health and actions pass their tests through Argo CD's engine"
fi
echo "$BIN"
