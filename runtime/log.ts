/**
 * Structured JSON logs, one object per line on stdout:
 *   {"ts":"2026-11-21T05:00:00.000Z","level":"info","msg":"...","connector":"orders",...}
 * Fields whose name mentions a password or secret are masked, and messages pass through
 * redactSecrets, so a password never reaches a log line.
 */
import { redactSecrets } from "./errors";

export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_FIELD = /pass(word)?|secret|groupkey|token/i;

/** Copies a log field with secrets masked at any depth; structures deeper than 8 levels are elided, never passed raw. */
function clean(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; errno?: unknown };
    return { name: e.name, message: redactSecrets(e.message), code: e.code, errno: e.errno };
  }
  if (typeof value === "string") return redactSecrets(value);
  if (typeof value === "bigint") return value.toString();
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (value && typeof value === "object") {
    if (depth >= 8) return "[nested too deep]";
    if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? "***" : clean(v, depth + 1);
    return out;
  }
  return value;
}

export function createLogger(options: { level?: Level; write?: (line: string) => void; fields?: Record<string, unknown> } = {}): Logger {
  const min = ORDER[options.level ?? ((process.env.CDC_LOG_LEVEL as Level | undefined) ?? "info")] ?? ORDER.info;
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const base = options.fields ?? {};
  const log = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const entry = clean({ ...base, ...fields }) as Record<string, unknown>;
    write(JSON.stringify({ ts: new Date().toISOString(), level, msg: redactSecrets(msg), ...entry }));
  };
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
    child: (fields) => createLogger({ level: options.level, write, fields: { ...base, ...fields } }),
  };
}
