#!/usr/bin/env bash
# Makes the `openssl` command available (the test bench makes its TLS certificates with it) and
# prints its path. Installs Debian's openssl when missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-install.sh
. "$here/apt-install.sh"
if ! command -v openssl >/dev/null 2>&1; then
  apt_install openssl
fi
command -v openssl
