import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { freeLoopbackPort, sleep, waitForPort } from "./ports";
import { ensureTool, isPidAlive, runChecked, spawnService, stopPid, tailFile } from "./process";
import { makeCertificates, type BenchCertificates } from "./tls";

/** Accounts every bench instance has (anonymous users are dropped, see FINDINGS.md). */
export interface MariaDbAccount {
  user: string;
  password: string;
}

/** What a test needs to reach a running private MariaDB instance; also its serialized form. */
export interface MariaDbEndpoint {
  host: string;
  port: number;
  socket: string;
  dir: string;
  logFile: string;
  pid: number;
  serverId: number;
  /** Full privileges WITH GRANT OPTION: for creating databases, users and grants in tests. */
  admin: MariaDbAccount;
  /** Least privilege for CDC: SELECT, REPLICATION SLAVE, REPLICATION CLIENT on *.*. */
  cdc: MariaDbAccount;
  /** The server's TLS material (its certificate names localhost only) and CDC accounts that require TLS. */
  tls?: MariaDbTls;
  /** Which server this is; absent: MariaDB (test/bench/mysql.ts starts MySQL's). */
  flavor?: "mariadb" | "mysql";
}

export interface MariaDbTls {
  certificates: BenchCertificates;
  /** CDC privileges, REQUIRE SSL. */
  requireSsl: MariaDbAccount;
  /** CDC privileges, REQUIRE X509 (a client certificate signed by the bench CA). */
  requireX509: MariaDbAccount;
}

export interface MariaDbInstance extends MariaDbEndpoint {
  /** Stops the server (SIGTERM, a clean shutdown). Keeps the directory unless remove is set. */
  stop(options?: { remove?: boolean }): Promise<void>;
  /** Stops and starts the server on the same port and datadir; binlogs and data survive. */
  restart(): Promise<void>;
  /** A connection as the admin account (the caller ends it). */
  adminConnection(database?: string): Promise<mysql.Connection>;
}

export interface StartMariaDbOptions {
  /** Parent directory for the instance's own directory (default: the OS temp dir). */
  parentDir?: string;
  serverId?: number;
  /** Extra mariadbd flags, e.g. ["--binlog-format=STATEMENT"]. */
  extraArgs?: string[];
  /** Start as a detached process that outlives this one (for `npm run services`). */
  detached?: boolean;
  /** false: a server without SSL (no certificate), as an RDS instance before SSL is enabled. Default true. */
  tls?: boolean;
}

const START_TIMEOUT_MS = 60_000;

let mariadbBinDir: Promise<string> | undefined;
/** Installs MariaDB from Debian's packages on first use (scripts/ensure-mariadb.sh). */
export function ensureMariaDb(): Promise<string> {
  mariadbBinDir ??= ensureTool("ensure-mariadb.sh");
  return mariadbBinDir;
}

/**
 * The flags MariaDB and MySQL share for a bench source: loopback port, server id, the row binlog
 * with full images and metadata (what CDC needs), utf8mb4, the error log, TLS with the bench's
 * certificates when the endpoint has them.
 */
export function cdcSourceArgs(endpoint: MariaDbEndpoint): string[] {
  const tls = endpoint.tls?.certificates;
  return [
    `--port=${endpoint.port}`,
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    `--server-id=${endpoint.serverId}`,
    `--log-bin=${path.join(endpoint.dir, "binlog", "binlog")}`,
    "--binlog-format=ROW",
    "--binlog-row-image=FULL",
    "--binlog-row-metadata=FULL",
    "--character-set-server=utf8mb4",
    "--max-allowed-packet=64M",
    `--log-error=${endpoint.logFile}`,
    ...(tls ? [`--ssl-ca=${tls.ca}`, `--ssl-cert=${tls.server.cert}`, `--ssl-key=${tls.server.key}`] : []),
  ];
}

function serverArgs(endpoint: MariaDbEndpoint, extraArgs: string[]): string[] {
  const dataDir = path.join(endpoint.dir, "data");
  const args = [
    "--no-defaults",
    `--datadir=${dataDir}`,
    `--socket=${endpoint.socket}`,
    `--pid-file=${path.join(endpoint.dir, "mariadbd.pid")}`,
    `--tmpdir=${path.join(endpoint.dir, "tmp")}`,
    ...cdcSourceArgs(endpoint),
    "--collation-server=utf8mb4_general_ci",
    "--innodb-buffer-pool-size=256M",
    ...(endpoint.tls
      ? []
      : // No TLS at all (MariaDB 11.4+ would otherwise make its own certificate).
        ["--skip-ssl"]),
    ...extraArgs,
  ];
  // mariadbd refuses to run as root unless told to; as another user the flag is not needed.
  if (process.getuid?.() === 0) args.push("--user=root");
  return args;
}

function launch(endpoint: MariaDbEndpoint, binDir: string, extraArgs: string[], detached: boolean): Promise<number> {
  return launchServer(endpoint, path.join(binDir, "mariadbd"), serverArgs(endpoint, extraArgs), detached);
}

/** Starts a server process (MariaDB's or MySQL's) on the endpoint and waits for its port; resolves its pid. */
export async function launchServer(endpoint: MariaDbEndpoint, executable: string, args: string[], detached: boolean): Promise<number> {
  fs.mkdirSync(path.join(endpoint.dir, "tmp"), { recursive: true });
  const child = spawnService(executable, args, {
    logFile: endpoint.logFile,
    detached,
  });
  if (child.pid === undefined) throw new Error(`${path.basename(executable)} did not start`);
  let exited = false;
  child.on("exit", () => (exited = true));
  try {
    await waitForPort(endpoint.port, START_TIMEOUT_MS, () => !exited);
    // MySQL listens on TCP a moment before its socket exists; the accounts are made over the socket.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!fs.existsSync(endpoint.socket)) {
      if (exited || Date.now() > deadline) throw new Error(`the socket ${endpoint.socket} did not appear`);
      await sleep(50);
    }
  } catch (error) {
    throw new Error(`${path.basename(executable)} did not start: ${(error as Error).message}\n--- ${endpoint.logFile} ---\n${tailFile(endpoint.logFile)}`);
  }
  return child.pid;
}

/**
 * Starts a private MariaDB: its own datadir under a new temporary directory, a free loopback port,
 * row-based binlog with full images and full row metadata. Never the system service.
 */
export async function startMariaDb(options: StartMariaDbOptions = {}): Promise<MariaDbInstance> {
  const binDir = await ensureMariaDb();
  const parent = options.parentDir ?? fs.realpathSync(os.tmpdir());
  const dir = fs.mkdtempSync(path.join(parent, "mariadb-"));
  fs.mkdirSync(path.join(dir, "binlog"));
  // A private tmpdir: in the shared /tmp, the bootstrap's temporary tables (#sql-temptable-<pid>-…)
  // were once deleted under it (CI: "Error on delete of '/tmp/#sql-temptable-63f3-1-2.MAI'"),
  // most likely by another bootstrap with the same pid in another PID namespace sharing /tmp.
  fs.mkdirSync(path.join(dir, "tmp"));
  await installSystemTables(binDir, dir);

  const endpoint = await newEndpoint(dir, { logName: "mariadbd.log", serverId: options.serverId ?? 1, tls: options.tls !== false });
  const extraArgs = options.extraArgs ?? [];
  endpoint.pid = await launch(endpoint, binDir, extraArgs, options.detached ?? false);

  try {
    await createAccounts(endpoint);
  } catch (error) {
    await stopPid(endpoint.pid, "SIGTERM", 30_000);
    throw new Error(`MariaDB started but its accounts could not be set up: ${(error as Error).message}`);
  }
  return attachMariaDb(endpoint, { binDir, extraArgs, detached: options.detached ?? false });
}

/**
 * A new server's endpoint in dir (MariaDB's or MySQL's): a free loopback port, the socket, the
 * admin and CDC accounts with random passwords, and unless tls is false the bench's certificates
 * (naming localhost only) with the REQUIRE SSL and REQUIRE X509 accounts.
 */
export async function newEndpoint(dir: string, options: { logName: string; serverId: number; tls: boolean; flavor?: "mysql" }): Promise<MariaDbEndpoint> {
  const password = () => crypto.randomBytes(12).toString("hex");
  return {
    host: "127.0.0.1",
    port: await freeLoopbackPort(),
    socket: path.join(dir, "mysql.sock"),
    dir,
    logFile: path.join(dir, options.logName),
    pid: 0,
    serverId: options.serverId,
    admin: { user: "bench_admin", password: password() },
    cdc: { user: "cdc", password: password() },
    ...(options.tls
      ? {
          tls: {
            certificates: await makeCertificates(path.join(dir, "tls"), ["localhost"]),
            requireSsl: { user: "cdc_tls", password: password() },
            requireX509: { user: "cdc_x509", password: password() },
          },
        }
      : {}),
    ...(options.flavor ? { flavor: options.flavor } : {}),
  };
}

/** Runs mariadb-install-db into <dir>/data; a failed bootstrap is retried once on a fresh datadir. */
async function installSystemTables(binDir: string, dir: string): Promise<void> {
  const installDb = fs.existsSync(path.join(binDir, "mariadb-install-db"))
    ? path.join(binDir, "mariadb-install-db")
    : "mariadb-install-db";
  const args = [
    "--no-defaults",
    `--datadir=${path.join(dir, "data")}`,
    "--auth-root-authentication-method=normal",
    // Unknown options go on to the bootstrap server.
    `--tmpdir=${path.join(dir, "tmp")}`,
    ...(process.getuid?.() === 0 ? ["--user=root"] : []),
  ];
  try {
    await runChecked(installDb, args, { timeoutMs: 120_000 });
  } catch (first) {
    fs.rmSync(path.join(dir, "data"), { recursive: true, force: true });
    try {
      await runChecked(installDb, args, { timeoutMs: 120_000 });
    } catch (second) {
      throw new Error(`${(second as Error).message}\n--- the first try failed too ---\n${(first as Error).message}`);
    }
    process.stderr.write(`# mariadb-install-db failed once and passed on a retry: ${(first as Error).message.split("\n").slice(-3).join(" | ")}\n`);
  }
}

/** Drops the anonymous users and creates the admin and least-privilege CDC accounts (MariaDB and MySQL alike). */
export async function createAccounts(endpoint: MariaDbEndpoint): Promise<void> {
  // Root logs in over the socket with no password (normal auth, fresh datadir).
  const root = await mysql.createConnection({ socketPath: endpoint.socket, user: "root" });
  try {
    const [anonymous] = await root.query<mysql.RowDataPacket[]>("SELECT Host AS host FROM mysql.user WHERE User = ''");
    for (const row of anonymous) await root.query("DROP USER ''@?", [row.host]);
    await root.query("CREATE USER ?@'%' IDENTIFIED BY ?", [endpoint.admin.user, endpoint.admin.password]);
    await root.query("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [endpoint.admin.user]);
    await root.query("CREATE USER ?@'%' IDENTIFIED BY ?", [endpoint.cdc.user, endpoint.cdc.password]);
    await root.query("GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ?@'%'", [endpoint.cdc.user]);
    if (endpoint.tls) {
      for (const [account, require] of [[endpoint.tls.requireSsl, "SSL"], [endpoint.tls.requireX509, "X509"]] as const) {
        await root.query(`CREATE USER ?@'%' IDENTIFIED BY ? REQUIRE ${require}`, [account.user, account.password]);
        await root.query("GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ?@'%'", [account.user]);
      }
    }
    await root.query("FLUSH PRIVILEGES");
  } finally {
    await root.end();
  }
}

/** Wraps a running instance's endpoint (for instance one read back from a services state file). */
export function attachMariaDb(
  endpoint: MariaDbEndpoint,
  launchOptions: { binDir?: string; extraArgs?: string[]; detached?: boolean } = {},
): MariaDbInstance {
  return attachServer(endpoint, async (instance) =>
    launch(instance, launchOptions.binDir ?? (await ensureMariaDb()), launchOptions.extraArgs ?? [], launchOptions.detached ?? false),
  );
}

/** A running source server (MariaDB or MySQL) as a test uses it; relaunch starts it again on its datadir. */
export function attachServer(endpoint: MariaDbEndpoint, relaunch: (endpoint: MariaDbEndpoint) => Promise<number>): MariaDbInstance {
  const instance: MariaDbInstance = {
    ...endpoint,
    async stop(options = {}) {
      await stopPid(instance.pid, "SIGTERM", 30_000);
      if (options.remove) fs.rmSync(instance.dir, { recursive: true, force: true });
    },
    async restart() {
      await stopPid(instance.pid, "SIGTERM", 30_000);
      instance.pid = await relaunch(instance);
    },
    adminConnection(database?: string) {
      return mysql.createConnection({
        host: instance.host,
        port: instance.port,
        user: instance.admin.user,
        password: instance.admin.password,
        database,
        multipleStatements: true,
      });
    },
  };
  return instance;
}

export function mariaDbEndpoint(instance: MariaDbInstance): MariaDbEndpoint {
  const { host, port, socket, dir, logFile, pid, serverId, admin, cdc, tls, flavor } = instance;
  return { host, port, socket, dir, logFile, pid, serverId, admin, cdc, tls, ...(flavor ? { flavor } : {}) };
}

export function isMariaDbRunning(endpoint: MariaDbEndpoint): boolean {
  return endpoint.pid > 0 && isPidAlive(endpoint.pid);
}
