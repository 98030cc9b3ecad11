#!/usr/bin/env bash
# Makes the Apache Kafka broker jars available and prints the directory that holds them.
#   scripts/ensure-kafka.sh [version]
# The version is the argument, or the one named in test/bench/pom.xml (the broker matrix passes
# 3.3.2 and 2.8.2; ZooKeeper's jars come with the 2.x ones); the jars come from Maven Central through
# `mvn dependency:copy-dependencies`, once, into a cache outside the repo (Maven's own local
# repository lives in the same cache, so nothing lands in ~/.m2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
# shellcheck source=cache-dir.sh
. "$here/cache-dir.sh"
# shellcheck source=apt-install.sh
. "$here/apt-install.sh"
log() { echo "[ensure-kafka] $*" >&2; }

pom="$repo/test/bench/pom.xml"
version="${1:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { log "not a Kafka version: '$version' (none in $pom, or a bad argument)"; exit 1; }
cache="$(cdc_cache_dir)"
libs="$cache/kafka/$version/libs"
if [ -f "$libs/.complete" ]; then
  echo "$libs"
  exit 0
fi
command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
command -v mvn >/dev/null 2>&1 || apt_install maven
log "fetching kafka_2.13 $version and its dependencies from Maven Central into $libs (first run only)"
rm -rf "$libs.tmp"
mvn -q -B -f "$pom" -Dmaven.repo.local="$cache/m2" -Dkafka.version="$version" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs.tmp" >&2
ls "$libs.tmp"/kafka_2.13-"$version".jar >/dev/null
touch "$libs.tmp/.complete"
rm -rf "$libs"
mv "$libs.tmp" "$libs"
echo "$libs"
