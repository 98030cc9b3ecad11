/**
 * The local runtime target's supervisor: started detached by the LocalRuntime resource, it runs
 * the runtime (node dist/runtime/main.js, the container's entry point) and restarts it with backoff
 * when it exits, until SIGTERM (pulumi destroy) stops both. Its own lines are JSON, like the runtime's.
 *
 * Environment: CDC_SUPERVISED_ENTRY (the runtime's main.js); everything else is passed to the runtime.
 */
import { spawn, type ChildProcess } from "node:child_process";

const entry = process.env.CDC_SUPERVISED_ENTRY;
const MAX_BACKOFF_MS = 30_000;
/** A run that lasted this long resets the backoff: it was not a crash loop. */
const HEALTHY_RUN_MS = 60_000;

function say(msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: "info", component: "supervisor", msg, ...fields })}\n`);
}

let child: ChildProcess | undefined;
let stopping = false;
let backoffMs = 1_000;

function start(): void {
  const env = { ...process.env };
  delete env.CDC_SUPERVISED_ENTRY;
  const startedAt = Date.now();
  child = spawn(process.execPath, [entry as string], { env, stdio: "inherit" });
  say("runtime started", { pid: child.pid });
  child.on("exit", (code, signal) => {
    child = undefined;
    if (stopping) process.exit(0);
    if (Date.now() - startedAt > HEALTHY_RUN_MS) backoffMs = 1_000;
    say("runtime exited; restarting", { code, signal, inMs: backoffMs });
    setTimeout(start, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  });
}

function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  say("stopping", { signal });
  if (!child) process.exit(0);
  child.kill("SIGTERM");
  setTimeout(() => child?.kill("SIGKILL"), 15_000).unref();
}

if (!entry) {
  say("CDC_SUPERVISED_ENTRY is not set: nothing to run");
  process.exit(2);
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
start();
