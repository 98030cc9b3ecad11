/**
 * A private MySQL Community server for the bench, the product's real target (RDS for MySQL runs
 * MySQL 8.0): Oracle's Linux build from Maven Central (scripts/ensure-mysql.sh), its own datadir
 * under a new temporary directory, a free loopback port, and the settings a CDC source needs:
 * log_bin, ROW, FULL row image, FULL row metadata, GTID mode ON with enforce_gtid_consistency.
 * Its accounts are MariaDB's (test/bench/mariadb.ts), with MySQL's default authentication,
 * caching_sha2_password; TLS with the bench's certificates. Never the system's server.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { attachServer, cdcSourceArgs, createAccounts, launchServer, newEndpoint, type MariaDbEndpoint, type MariaDbInstance } from "./mariadb";
import { ensureTool, runChecked, stopPid } from "./process";

export interface StartMySqlOptions {
  /** Parent directory for the instance's own directory (default: the OS temp dir). */
  parentDir?: string;
  serverId?: number;
  /** Extra mysqld flags, e.g. ["--binlog-transaction-compression=ON"]. */
  extraArgs?: string[];
  /** Start as a detached process that outlives this one (for `npm run services`). */
  detached?: boolean;
}

let mysqlBaseDir: Promise<string> | undefined;
/** Fetches and unpacks MySQL 8.0 on first use; resolves its base directory (bin/mysqld inside). */
export function ensureMySql(): Promise<string> {
  mysqlBaseDir ??= ensureTool("ensure-mysql.sh");
  return mysqlBaseDir;
}

function commonArgs(baseDir: string, dir: string): string[] {
  return [
    "--no-defaults",
    `--basedir=${baseDir}`,
    `--datadir=${path.join(dir, "data")}`,
    `--tmpdir=${path.join(dir, "tmp")}`,
    ...(process.getuid?.() === 0 ? ["--user=root"] : []),
  ];
}

function serverArgs(baseDir: string, endpoint: MariaDbEndpoint, extraArgs: string[]): string[] {
  return [
    ...commonArgs(baseDir, endpoint.dir),
    `--socket=${endpoint.socket}`,
    `--pid-file=${path.join(endpoint.dir, "mysqld.pid")}`,
    ...cdcSourceArgs(endpoint),
    // The X protocol would take port 33060 (and a socket in /tmp): two instances would collide.
    "--mysqlx=OFF",
    "--gtid-mode=ON",
    "--enforce-gtid-consistency=ON",
    "--innodb-buffer-pool-size=128M",
    ...extraArgs,
  ];
}

/** Starts a private MySQL 8.0 server with a fresh datadir and the bench's accounts. */
export async function startMySql(options: StartMySqlOptions = {}): Promise<MariaDbInstance> {
  const baseDir = await ensureMySql();
  const parent = options.parentDir ?? fs.realpathSync(os.tmpdir());
  const dir = fs.mkdtempSync(path.join(parent, "mysql-"));
  fs.mkdirSync(path.join(dir, "binlog"));
  fs.mkdirSync(path.join(dir, "tmp"));
  const mysqld = path.join(baseDir, "bin", "mysqld");
  // root@localhost without a password, reachable over the socket only until the accounts are made.
  await runChecked(mysqld, [...commonArgs(baseDir, dir), "--initialize-insecure", `--log-error=${path.join(dir, "initialize.log")}`], { timeoutMs: 180_000 }).catch((error: Error) => {
    const log = path.join(dir, "initialize.log");
    throw new Error(`${error.message}\n--- ${log} ---\n${fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-4000) : "(none)"}`);
  });
  const endpoint = await newEndpoint(dir, { logName: "mysqld.log", serverId: options.serverId ?? 1, tls: true, flavor: "mysql" });
  const extraArgs = options.extraArgs ?? [];
  const relaunch = (e: MariaDbEndpoint) => launchServer(e, mysqld, serverArgs(baseDir, e, extraArgs), options.detached ?? false);
  endpoint.pid = await relaunch(endpoint);
  try {
    await createAccounts(endpoint);
  } catch (error) {
    await stopPid(endpoint.pid, "SIGTERM", 30_000);
    throw new Error(`MySQL started but its accounts could not be set up: ${(error as Error).message}`);
  }
  return attachServer(endpoint, relaunch);
}

/** Wraps a running MySQL read back from a services state file. */
export function attachMySql(endpoint: MariaDbEndpoint, extraArgs: string[] = []): MariaDbInstance {
  return attachServer(endpoint, async (e) => {
    const baseDir = await ensureMySql();
    return launchServer(e, path.join(baseDir, "bin", "mysqld"), serverArgs(baseDir, e, extraArgs), false);
  });
}
