#!/usr/bin/env bash
# Builds kubectl-apitoken for each of PLUGIN_PLATFORMS into $OUT as
# kubectl-apitoken_<os>_<arch>.tar.gz (the binary and the completion shim),
# and renders plugins/krew/apitoken.yaml into $OUT/apitoken.yaml with each
# archive's URL and sha256, as krew-release-bot would on a release tag.
set -euo pipefail
VERSION=${VERSION:?set VERSION, e.g. v0.3.0}
OUT=${OUT:-dist/plugin}
PLATFORMS=${PLUGIN_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64}
MODULE=github.com/apitoken-io/apitoken-operator
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
declare -A sums
for p in $PLATFORMS; do
  os=${p%/*} arch=${p#*/} exe=kubectl-apitoken
  [ "$os" = windows ] && exe=kubectl-apitoken.exe
  work=$(mktemp -d)
  (cd "$root" && CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
    -ldflags "-s -w -X $MODULE/internal/cli.version=$VERSION" -o "$work/$exe" ./cmd/kubectl-apitoken)
  cp "$root/cmd/kubectl-apitoken/kubectl_complete-apitoken" "$work/"
  archive=kubectl-apitoken_${os}_${arch}.tar.gz
  tar -C "$work" -czf "$OUT/$archive" "$exe" kubectl_complete-apitoken
  rm -rf "$work"
  sums[${os}_${arch}]=$(sha256sum "$OUT/$archive" | cut -d' ' -f1)
  echo "built $OUT/$archive"
done
# Render: {{ .TagName }} is the version; each addURIAndSha line becomes uri
# and sha256 (platforms not built here are left out of the manifest).
VERSION=$VERSION SUMS="$(for k in "${!sums[@]}"; do echo "$k=${sums[$k]}"; done)" perl -e '
  my %sum = map { split /=/ } split /\n/, $ENV{SUMS};
  local $/; my $t = <STDIN>;
  $t =~ s/\{\{ \.TagName \}\}/$ENV{VERSION}/g;
  my @out;
  for my $entry (split /(?=^  - selector:)/m, $t) {
    if ($entry =~ /\{\{addURIAndSha "([^"]*kubectl-apitoken_(\w+?_\w+)\.tar\.gz)" \.TagName \}\}/) {
      my ($url, $key) = ($1, $2);
      next unless exists $sum{$key};
      $entry =~ s/^(\s*)\{\{addURIAndSha .*$/$1uri: $url\n$1sha256: $sum{$key}/m;
    }
    push @out, $entry;
  }
  print join("", @out);
' < "$root/plugins/krew/apitoken.yaml" > "$OUT/apitoken.yaml"
echo "wrote $OUT/apitoken.yaml (version $VERSION)"
