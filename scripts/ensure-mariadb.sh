#!/usr/bin/env bash
# Makes `mariadbd` and `mariadb-install-db` available and prints the directory of mariadbd.
# Installs Debian's mariadb-server when missing. The bench never uses the system service the
# package sets up: it starts private instances with --no-defaults (test/bench/mariadb.ts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-install.sh
. "$here/apt-install.sh"
export PATH="$PATH:/usr/sbin:/usr/local/sbin"
if ! command -v mariadbd >/dev/null 2>&1 || ! command -v mariadb-install-db >/dev/null 2>&1; then
  apt_install mariadb-server
fi
dirname "$(command -v mariadbd)"
