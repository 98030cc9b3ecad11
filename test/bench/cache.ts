import os from "node:os";
import path from "node:path";

/** Mirrors scripts/cache-dir.sh: where the bench keeps what it downloads and builds, outside the repo. */
export function cacheDir(): string {
  return process.env.CDC_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mysql-kafka-cdc");
}
