/**
 * The `local` runtime target's dynamic provider methods: a supervised background process on this
 * machine (dev stacks). create starts the supervisor detached and waits for /healthz; read reports
 * whether it still runs; diff restarts one that died; delete stops it (pulumi destroy).
 */
import { openPrivateAppend, privateDir, writePrivateFile } from "../private-files";
import type { KafkaSecurity } from "../../runtime/contract/kafka-security";
import { serializeRuntimeSecrets } from "../../runtime/contract/runtime-secrets";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import type * as pulumi from "@pulumi/pulumi";
import { CdcError, redactSecrets } from "../../runtime/errors";
import { containsUnknown } from "../types";

export interface LocalRuntimeInputs {
  groupName: string;
  /** A secret (additionalSecretOutputs); handed to the process in its secrets file only. */
  groupKey: string;
  brokers: string[];
  /** The cluster's TLS and SASL; a secret, handed over in the secrets file. */
  kafkaSecurity?: KafkaSecurity;
  workDir?: string;
  httpPort?: number;
  logLevel?: string;
}

export interface LocalRuntimeOutputs extends LocalRuntimeInputs {
  pid: number;
  hostname: string;
  port: number;
  url: string;
  logFile: string;
  runDir: string;
  running: boolean;
  stateVersion: number;
}

const STATE_VERSION = 1;
const SECRETS_FILE = "secrets.json";
const HEALTH_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

export function defaultWorkDir(groupName: string): string {
  return path.join(process.env.CDC_CACHE_DIR ?? path.join(os.homedir(), ".cache", "mysql-kafka-cdc"), "local-runtime", groupName);
}

/** Whether pid is alive and is our supervisor (on Linux, its command line says so). */
export function isSupervisorAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("local-supervisor");
  } catch {
    return true; // no /proc (macOS): the signal check is all there is
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function logTail(file: string, lines = 15): string {
  try {
    return redactSecrets(fs.readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n"));
  } catch {
    return "(no log)";
  }
}

async function start(inputs: LocalRuntimeInputs): Promise<LocalRuntimeOutputs> {
  const runDir = privateDir(inputs.workDir ?? defaultWorkDir(inputs.groupName));
  const pidFile = path.join(runDir, "supervisor.pid");
  // A supervisor left by an earlier stack (state lost) would fight this one for the connectors.
  if (fs.existsSync(pidFile)) await stop(Number(fs.readFileSync(pidFile, "utf8")));
  const port = inputs.httpPort ?? (await freePort());
  const logFile = path.join(runDir, "runtime.log");
  // The secrets go in a file only this user may read: the environment and the arguments of a
  // process are what `ps e` shows.
  const secretsFile = path.join(runDir, SECRETS_FILE);
  writePrivateFile(secretsFile, serializeRuntimeSecrets({ groupKey: inputs.groupKey, kafka: inputs.kafkaSecurity ?? undefined }));
  const out = openPrivateAppend(logFile);
  const child = spawn(process.execPath, [path.join(__dirname, "local-supervisor.js")], {
    detached: true,
    stdio: ["ignore", out, out],
    cwd: runDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? os.homedir(),
      CDC_SUPERVISED_ENTRY: path.join(__dirname, "..", "..", "runtime", "main.js"),
      CDC_KAFKA_BROKERS: inputs.brokers.join(","),
      CDC_GROUP: inputs.groupName,
      CDC_SECRETS_FILE: secretsFile,
      CDC_HTTP_PORT: String(port),
      CDC_HTTP_HOST: "127.0.0.1",
      CDC_WORKER_ID: `${os.hostname()}-local`,
      CDC_LOG_LEVEL: inputs.logLevel ?? "info",
    },
  });
  fs.closeSync(out);
  child.unref();
  const pid = child.pid as number;
  fs.writeFileSync(pidFile, String(pid), { mode: 0o600 });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (!(await healthy(url))) {
    if (Date.now() > deadline || !isSupervisorAlive(pid)) {
      await stop(pid);
      throw new CdcError("DEPLOY_TIMEOUT", `the local runtime of group ${inputs.groupName} did not become healthy at ${url}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s. Last lines of ${logFile}:\n${logTail(logFile)}\n`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`local runtime of group ${inputs.groupName}: running (pid ${pid}, ${url}, log ${logFile})`);
  return { ...inputs, pid, hostname: os.hostname(), port, url, logFile, runDir, running: true, stateVersion: STATE_VERSION };
}

/** SIGTERM (the supervisor stops the runtime), then SIGKILL of what is left. */
async function stop(pid: number | undefined): Promise<void> {
  if (!isSupervisorAlive(pid)) return;
  const target = pid as number;
  try {
    process.kill(target, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isSupervisorAlive(target) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (isSupervisorAlive(target)) {
    // The supervisor's group (detached: its own process group) includes the runtime.
    try {
      process.kill(-target, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

export async function check(_olds: LocalRuntimeInputs | undefined, news: LocalRuntimeInputs): Promise<pulumi.dynamic.CheckResult<LocalRuntimeInputs>> {
  const failures = [];
  if (news.httpPort !== undefined && !containsUnknown(news.httpPort) && !(Number.isInteger(news.httpPort) && news.httpPort > 0 && news.httpPort < 65536)) {
    failures.push({ property: "httpPort", reason: `must be a port number from 1 to 65535, got ${JSON.stringify(news.httpPort)}` });
  }
  return { inputs: news, failures };
}

export async function diff(_id: string, olds: LocalRuntimeOutputs, news: LocalRuntimeInputs): Promise<pulumi.dynamic.DiffResult> {
  const keys: (keyof LocalRuntimeInputs)[] = ["groupName", "groupKey", "brokers", "kafkaSecurity", "workDir", "httpPort", "logLevel"];
  const changed = keys.filter((k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null));
  // A process that died (reboot, kill) is restarted by an update: preview says so.
  const dead = olds.hostname === os.hostname() && !isSupervisorAlive(olds.pid);
  if (dead && changed.length === 0) console.log(`local runtime of group ${olds.groupName}: not running (pid ${olds.pid}); pulumi up starts it again`);
  return { changes: changed.length > 0 || dead, replaces: [] };
}

export async function create(inputs: LocalRuntimeInputs): Promise<pulumi.dynamic.CreateResult<LocalRuntimeOutputs>> {
  const outs = await start(inputs);
  return { id: `${outs.hostname}/${inputs.groupName}`, outs };
}

export async function update(_id: string, olds: LocalRuntimeOutputs, news: LocalRuntimeInputs): Promise<pulumi.dynamic.UpdateResult<LocalRuntimeOutputs>> {
  if (olds.hostname === os.hostname()) await stop(olds.pid);
  return { outs: await start(news) };
}

export async function read(id: string, props: LocalRuntimeOutputs): Promise<pulumi.dynamic.ReadResult<LocalRuntimeOutputs>> {
  const running = props.hostname === os.hostname() ? isSupervisorAlive(props.pid) : props.running;
  return { id, props: { ...props, running, stateVersion: STATE_VERSION } };
}

export async function del(_id: string, props: LocalRuntimeOutputs): Promise<void> {
  if (props.hostname !== os.hostname()) {
    console.log(`local runtime of group ${props.groupName} ran on ${props.hostname}, not here: stop pid ${props.pid} there`);
    return;
  }
  await stop(props.pid);
  fs.rmSync(path.join(props.runDir, "supervisor.pid"), { force: true });
  fs.rmSync(path.join(props.runDir, SECRETS_FILE), { force: true });
}
