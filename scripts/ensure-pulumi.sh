#!/usr/bin/env bash
# Makes `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs` available and
# prints the directory that holds them (add it to PATH).
#
# Order of preference:
#   1. all three already on PATH (a developer's own install)      -> prints their directory
#   2. a build cached by an earlier run of this script            -> prints the cache directory
#   3. build them into the cache, with nothing but the Go module proxy:
#      - `pulumi`: the CLI of the release matching the @pulumi/pulumi pinned in package-lock.json.
#        `go install .../pkg/v3/cmd/pulumi@vX` does not work (pkg/go.mod replaces the sdk with
#        ../sdk), so the pkg/v3 and sdk/v3 module sources are laid out side by side as in
#        Pulumi's repository and built there (../shared/FINDINGS.md).
#      - `pulumi-language-nodejs`: Pulumi's own Node.js language host module is not served by the
#        module proxy this project reaches, so the bench builds its own small, compatible host
#        from test/bench/pulumi-language-nodejs (it runs programs through @pulumi/pulumi's
#        cmd/run, as Pulumi's host does).
#      - `pulumi-resource-pulumi-nodejs`: the two-line script shipped inside @pulumi/pulumi.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
# shellcheck source=cache-dir.sh
. "$here/cache-dir.sh"

log() { echo "[ensure-pulumi] $*" >&2; }

have_all() {
  command -v pulumi >/dev/null 2>&1 && command -v pulumi-language-nodejs >/dev/null 2>&1 \
    && command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1
}
if [ -z "${CDC_FORCE_PULUMI_BUILD:-}" ] && have_all; then
  dirname "$(command -v pulumi)"
  exit 0
fi

version="${PULUMI_VERSION:-}"
if [ -z "$version" ]; then
  version="$(node -e '
    const lock = require(process.argv[1]);
    const p = lock.packages && lock.packages["node_modules/@pulumi/pulumi"];
    if (!p) { process.exit(1); }
    console.log(p.version);' "$repo/package-lock.json")" || {
    log "cannot read the @pulumi/pulumi version from package-lock.json; set PULUMI_VERSION"; exit 1; }
fi
bindir="$(cdc_cache_dir)/pulumi/v$version/bin"
langhost_src="$repo/test/bench/pulumi-language-nodejs"
langhost_hash="$(cat "$langhost_src/main.go" "$langhost_src/go.mod" "$langhost_src/go.sum" | sha256sum | cut -c1-16)"
shim="$repo/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

if [ -x "$bindir/pulumi" ] && [ -x "$bindir/pulumi-language-nodejs" ] && [ -x "$bindir/pulumi-resource-pulumi-nodejs" ] \
   && [ "$(cat "$bindir/.langhost-hash" 2>/dev/null)" = "$langhost_hash" ]; then
  echo "$bindir"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "Go 1.25 or later is needed to build the Pulumi engine (https://go.dev/dl/)"; exit 1; }
[ -f "$shim" ] || { log "$shim not found: run npm ci first"; exit 1; }
mkdir -p "$bindir"
export GOFLAGS="-mod=mod -buildvcs=false"
# The module proxy reachable here does not serve the checksum database for these modules; the
# modules' own go.sum files (and test/bench/pulumi-language-nodejs/go.sum) still pin every
# dependency of the build.
export GONOSUMDB="github.com/pulumi/pulumi/*"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"

if [ ! -x "$bindir/pulumi" ]; then
  log "building the Pulumi CLI v$version from the Go module proxy into $bindir (first run only; about 5 minutes)"
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  # go mod download needs a module to run in; a throwaway one is enough.
  (cd "$work" && go mod init tmp >/dev/null 2>&1)
  moddir() { (cd "$work" && go mod download -json "$1@v$version") | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }
  pkg_src="$(moddir github.com/pulumi/pulumi/pkg/v3)"
  sdk_src="$(moddir github.com/pulumi/pulumi/sdk/v3)"
  [ -d "$pkg_src" ] && [ -d "$sdk_src" ] || { log "go mod download of pkg/v3 or sdk/v3 v$version failed"; exit 1; }
  mkdir -p "$work/pulumi"
  cp -r "$pkg_src" "$work/pulumi/pkg"
  cp -r "$sdk_src" "$work/pulumi/sdk"
  chmod -R u+w "$work/pulumi"
  (cd "$work/pulumi/pkg" && go build -ldflags "$ldflags" -o "$bindir/pulumi.tmp" ./cmd/pulumi)
  mv "$bindir/pulumi.tmp" "$bindir/pulumi"
fi

log "building the bench's pulumi-language-nodejs"
(cd "$langhost_src" && go build -ldflags "-s -w -X main.version=$version" -o "$bindir/pulumi-language-nodejs.tmp" .)
mv "$bindir/pulumi-language-nodejs.tmp" "$bindir/pulumi-language-nodejs"
cp "$shim" "$bindir/pulumi-resource-pulumi-nodejs"
chmod +x "$bindir/pulumi-resource-pulumi-nodejs"
echo "$langhost_hash" > "$bindir/.langhost-hash"
log "ready: $("$bindir/pulumi" version) in $bindir"
echo "$bindir"
