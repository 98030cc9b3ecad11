import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** The repository root (this file is compiled to dist/test/bench/). */
export const repoRoot = path.resolve(__dirname, "..", "..", "..");

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and returns its output; never throws for a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 0,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          // Spawn failures (ENOENT) and time-outs: no exit code to report.
          const reason = error.killed ? `timed out after ${options.timeoutMs} ms` : error.message;
          reject(new Error(`${command} ${args.join(" ")}: ${reason}\n${stdout}\n${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like runCommand, but throws (with the output) when the command fails. */
export async function runChecked(
  command: string,
  args: string[],
  options: Parameters<typeof runCommand>[2] = {},
): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Runs one of the repo's scripts/ensure-*.sh and returns the directory it prints on its last line. */
export async function ensureTool(script: string, args: string[] = []): Promise<string> {
  const out = await runChecked("bash", [path.join(repoRoot, "scripts", script), ...args], { timeoutMs: 60 * 60 * 1000 });
  const lines = out.trim().split("\n");
  return lines[lines.length - 1];
}

/**
 * Starts a long-running service process with stdout and stderr appended to logFile.
 * detached: the process gets its own process group, so it outlives the caller (used by
 * `npm run services start`) and can be stopped as a group.
 */
export function spawnService(
  command: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string; detached?: boolean },
): ChildProcess {
  const log = fs.openSync(options.logFile, "a");
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", log, log],
    detached: options.detached ?? false,
  });
  fs.closeSync(log);
  if (options.detached) child.unref();
  return child;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Sends signal, waits up to timeoutMs for the pid to go, then SIGKILLs it. */
export async function stopPid(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (!isPidAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isPidAlive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (isPidAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
    while (isPidAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The last lines of a log file, for error messages that must say why a service did not start. */
export function tailFile(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, "utf8");
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return `(no log at ${file})`;
  }
}
