#!/usr/bin/env bash
# apt_install PKG...: installs Debian packages the test bench needs when they are missing.
# Runs `apt-get update` first (a fresh machine has no package lists). Needs root.
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "[bench] missing $*: install it (Debian: sudo apt-get install -y $*) or run as root" >&2
    return 1
  fi
  echo "[bench] installing $* from Debian's packages" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}
