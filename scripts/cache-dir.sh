#!/usr/bin/env bash
# The one place that decides where the test bench caches things it downloads or builds.
# Outside the repo, so a clean clone reuses them; override with CDC_CACHE_DIR.
cdc_cache_dir() {
  echo "${CDC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mysql-kafka-cdc}"
}
