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
[[ "$version" =~ ^[0-9]+(\.[0-9]+){2,3}$ ]] || { log "not a Kafka version: '$version' (none in $pom, or a bad argument)"; exit 1; }
cache="$(cdc_cache_dir)"
libs="$cache/kafka/$version/libs"
if [ -f "$libs/.complete" ]; then
  echo "$libs"
  exit 0
fi
command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
command -v mvn >/dev/null 2>&1 || apt_install maven
IFS=. read -r major minor _ <<<"$version"
# Scala 2.13 builds exist from Kafka 2.4 on.
scala=2.13
if [ "$major" -lt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -lt 4 ]; }; then scala=2.12; fi
log "fetching kafka_$scala $version and its dependencies from Maven Central into $libs (first run only)"
rm -rf "$libs.tmp"
mvn -q -B -f "$pom" -Dmaven.repo.local="$cache/m2" -Dkafka.version="$version" -Dkafka.scala="$scala" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs.tmp" >&2
# Kafka before 2.0 uses javax.xml.bind, which Java 11 removed from the JDK.
if [ "$major" -lt 2 ]; then
  mvn -q -B -f "$pom" -Dmaven.repo.local="$cache/m2" -Dkafka.version="$version" -Dkafka.scala="$scala" \
    dependency:copy -Dartifact=javax.xml.bind:jaxb-api:2.3.1 -DoutputDirectory="$libs.tmp" >&2
fi
# ZooKeeper 3.4.13's client never connects on Java 14 and later (UnresolvedAddressException, ZOOKEEPER-3779);
# Kafka 2.0-2.3 ship it. ZooKeeper 3.5.9 (Kafka 2.8's) speaks the same client API: it replaces it.
if compgen -G "$libs.tmp/zookeeper-3.4.1[3-9].jar" >/dev/null; then
  rm "$libs.tmp"/zookeeper-3.4.1[3-9].jar
  for artifact in org.apache.zookeeper:zookeeper:3.5.9 org.apache.zookeeper:zookeeper-jute:3.5.9; do
    mvn -q -B -f "$pom" -Dmaven.repo.local="$cache/m2" -Dkafka.version="$version" -Dkafka.scala="$scala" \
      dependency:copy -Dartifact="$artifact" -DoutputDirectory="$libs.tmp" >&2
  done
fi
ls "$libs.tmp"/kafka_"$scala"-"$version".jar >/dev/null
touch "$libs.tmp/.complete"
rm -rf "$libs"
mv "$libs.tmp" "$libs"
echo "$libs"
