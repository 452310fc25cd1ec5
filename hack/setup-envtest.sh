#!/usr/bin/env bash
# Prints the directory that holds kube-apiserver and etcd for envtest
# (the value for KUBEBUILDER_ASSETS), getting them first if needed:
#
#   1. already in setup-envtest's store: use them (no network, seconds);
#   2. setup-envtest can download them: the normal path for a connected machine;
#   3. otherwise build them from Go module source (kube-apiserver from
#      k8s.io/kubernetes, etcd from go.etcd.io/etcd/server/v3) and install them
#      into setup-envtest's store, so that every later run takes path 1.
#
# Only the Go module proxy is needed for step 3. Progress goes to stderr, the
# path alone to stdout.
#
# Environment:
#   SETUP_ENVTEST        setup-envtest binary (default: setup-envtest on PATH)
#   ENVTEST_K8S_VERSION  Kubernetes version, e.g. 1.37.1 (required)
#   ENVTEST_ETCD_VERSION etcd version to build, e.g. v3.6.6 (default v3.6.6)
set -euo pipefail

SETUP_ENVTEST=${SETUP_ENVTEST:-setup-envtest}
K8S_VERSION=${ENVTEST_K8S_VERSION:?ENVTEST_K8S_VERSION must be set, e.g. 1.37.1}
ETCD_VERSION=${ENVTEST_ETCD_VERSION:-v3.6.6}
GOOS_=$(go env GOOS)
GOARCH_=$(go env GOARCH)

log() { printf 'setup-envtest: %s\n' "$*" >&2; }

# 1. Already installed.
if path=$("$SETUP_ENVTEST" use -i "$K8S_VERSION" -p path 2>/dev/null) && [ -x "$path/kube-apiserver" ] && [ -x "$path/etcd" ]; then
  echo "$path"
  exit 0
fi

# 2. The normal download.
log "downloading envtest binaries for Kubernetes $K8S_VERSION"
if path=$("$SETUP_ENVTEST" use "$K8S_VERSION" -p path 2>/dev/null) && [ -x "$path/kube-apiserver" ] && [ -x "$path/etcd" ]; then
  echo "$path"
  exit 0
fi

# 3. Build from Go module source.
case "${XDG_DATA_HOME:-}" in
  "") store="$HOME/.local/share/kubebuilder-envtest" ;;
  *) store="$XDG_DATA_HOME/kubebuilder-envtest" ;;
esac
dest="$store/k8s/$K8S_VERSION-$GOOS_-$GOARCH_"
log "download failed; building kube-apiserver $K8S_VERSION and etcd $ETCD_VERSION from Go module source into $dest (once; about 10 minutes on 2 cores)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS="${GOFLAGS:-} -mod=mod"
export GOWORK=off
mkdir -p "$work/etcd" "$work/kube" "$work/out"

# etcd
(
  cd "$work/etcd"
  go mod init envtest-etcd >/dev/null 2>&1
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go
  go mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$work/out/etcd" go.etcd.io/etcd/server/v3
)
log "built etcd $ETCD_VERSION"

# kube-apiserver: k8s.io/kubernetes replaces its staging modules with local
# paths, which a dependent module cannot see; pin each one to its published
# v0.X.Y twin instead.
staging_version="v0.${K8S_VERSION#1.}"
kube_mod=$(cd "$work/kube" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[ -f "$kube_mod" ] || { log "cannot read go.mod of k8s.io/kubernetes@v$K8S_VERSION"; exit 1; }
(
  cd "$work/kube"
  go mod init envtest-kube-apiserver >/dev/null 2>&1
  printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' >tools.go
  go mod edit -require="k8s.io/kubernetes@v$K8S_VERSION"
  sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$kube_mod" | while read -r m; do
    go mod edit -replace="$m=$m@$staging_version"
  done
  minor=${K8S_VERSION#1.}; minor=${minor%%.*}
  ldflags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  done
  go build -trimpath -ldflags "-s -w $ldflags" -o "$work/out/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
)
log "built kube-apiserver $K8S_VERSION"

mkdir -p "$dest"
# Move into place last, so that an interrupted build never leaves a half store.
install -m 0755 "$work/out/etcd" "$dest/etcd.tmp" && mv "$dest/etcd.tmp" "$dest/etcd"
install -m 0755 "$work/out/kube-apiserver" "$dest/kube-apiserver.tmp" && mv "$dest/kube-apiserver.tmp" "$dest/kube-apiserver"

path=$("$SETUP_ENVTEST" use -i "$K8S_VERSION" -p path)
echo "$path"
