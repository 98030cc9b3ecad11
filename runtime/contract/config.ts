/**
 * The connector config record: what the Connector resource writes to the group's configs topic
 * (key: connector name, value: this record as JSON; a tombstone deletes the connector) and what
 * the runtime runs. Also accepted, for debugging, as a local JSON file (`--config FILE`), where
 * source.password may be given in plaintext instead of source.passwordEncrypted.
 *
 * normalizeConnectorConfig() applies the defaults and collects every problem, each naming the
 * property, what is wrong and how to fix it. The provider runs it in `check`, the runtime on every
 * record it reads.
 */
import { connectorNameProblem, defaultDeadLetterTopic, heartbeatTopic, tableTopicProblem, topicNameProblem, topicPrefixProblem } from "./names";
import { isEncryptedSecret, type EncryptedSecret } from "./secrets";
import { defaultTlsMode, sourceTlsProblems, type TlsMode } from "./tls";

export const CONFIG_RECORD_VERSION = 1;

export const FORMATS = ["dataworks", "canal"] as const;
export const COMPRESSIONS = ["lz4", "gzip", "snappy", "zstd", "none"] as const;
export const ACKS = ["all", "1", "0"] as const;
export const PARTITION_POLICIES = ["primary-key-hash", "table-hash", "partition-0"] as const;

export type Format = (typeof FORMATS)[number];
export type Compression = (typeof COMPRESSIONS)[number];
export type Acks = (typeof ACKS)[number];
export type PartitionPolicy = (typeof PARTITION_POLICIES)[number];

/** Where to start when the connector has no committed offset yet. */
export type StartPosition = "end" | "earliest" | { file: string; pos: number };

export interface SourceConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Encrypted with the group key (records written by the provider). */
  passwordEncrypted?: EncryptedSecret;
  /** Plaintext, accepted only in a local debug config file. */
  password?: string;
  /** TLS to the source (absent in records from before TLS existed: no TLS). */
  tls?: SourceTlsConfig;
  tables: string[];
  /** RE2 expression (see matchesAutoAdd), matched against the whole table name, of tables added automatically. */
  autoAddTables?: string;
  region?: string;
  rdsInstanceId?: string;
  /** The replica server_id of the binlog connection; must differ from every server and other reader. */
  serverId: number;
  /** Offset used to read DATETIME/DATE values, e.g. "+08:00" (TIMESTAMP is always UTC). */
  timezone: string;
}

/** TLS in the config record: PEM text, the client key encrypted with the group key (or plaintext in a local debug file). */
export interface SourceTlsConfig {
  mode: TlsMode;
  ca?: string;
  cert?: string;
  keyEncrypted?: EncryptedSecret;
  key?: string;
  serverName?: string;
}

/** The associated data the client key is encrypted under (a key's ciphertext cannot pass for a password's). */
export function tlsKeyContext(connector: string): string {
  return `${connector}#tls-key`;
}

export interface ConnectorConfig {
  version: number;
  name: string;
  source: SourceConfig;
  topicPrefix: string;
  format: Format;
  compression: Compression;
  acks: Acks;
  partitionPolicy: PartitionPolicy;
  retry: { connectionMinutes: number; otherMinutes: number };
  throttle: { rowsPerSecond?: number; megabytesPerSecond?: number };
  maxRecordBytes: number;
  /** Whether maxRecordBytes was given (else the default, which the runtime lowers to what the topics take). */
  maxRecordBytesGiven: boolean;
  /** Seconds between heartbeat records to `<topicPrefix>_heartbeat`; 0 turns heartbeats off. */
  heartbeatSeconds: number;
  /** Where records over maxRecordBytes go (their key, table, position and size, not their body). */
  deadLetterTopic: string;
  /** Where DDL messages go; undefined: to the table's own topic. */
  ddlTopic?: string;
  initialSync: boolean;
  startPosition: StartPosition;
  paused: boolean;
  /** Set by the provider on every write; the runtime echoes it in status records, so a deploy waits for its own config. */
  revision?: string;
}

/** Kafka's record batch around one record: what a record of maxRecordBytes needs beyond its key and value. */
export const RECORD_BATCH_OVERHEAD_BYTES = 512;

export const DEFAULTS = {
  format: "dataworks" as Format,
  compression: "lz4" as Compression,
  acks: "all" as Acks,
  partitionPolicy: "primary-key-hash" as PartitionPolicy,
  retryConnectionMinutes: 720,
  retryOtherMinutes: 10,
  maxRecordBytes: 10 * 1024 * 1024,
  heartbeatSeconds: 10,
  port: 3306,
  timezone: "+00:00",
};

export interface ConfigProblem {
  /** The property path, e.g. "source.tables[2]". */
  property: string;
  /** What is wrong and how to fix it. */
  message: string;
}

export type NormalizeResult = { ok: true; config: ConnectorConfig } | { ok: false; problems: ConfigProblem[] };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A stable server_id in 2^16..2^32-2 derived from the connector name, so two connectors differ. */
export function defaultServerId(name: string): number {
  let hash = 2166136261;
  for (const ch of Buffer.from(name, "utf8")) hash = Math.imul(hash ^ ch, 16777619) >>> 0;
  return 65536 + (hash % (4294967294 - 65536));
}

export function normalizeConnectorConfig(input: unknown): NormalizeResult {
  const problems: ConfigProblem[] = [];
  const problem = (property: string, message: string) => problems.push({ property, message });
  const raw: Json = isObject(input) ? input : {};
  if (!isObject(input)) problem("(record)", "is not a JSON object; give the connector configuration as an object");

  const name = typeof raw.name === "string" ? raw.name : "";
  const nameProblem = connectorNameProblem(raw.name ?? "");
  if (nameProblem) problem("name", typeof raw.name === "string" || raw.name === undefined ? `${JSON.stringify(name)} ${nameProblem}` : nameProblem);

  const src: Json = isObject(raw.source) ? raw.source : {};
  if (!isObject(raw.source)) problem("source", "is missing; give host, port, database, user, password and tables");
  const str = (obj: Json, key: string, path: string, required: boolean): string => {
    const v = obj[key];
    if (v === undefined || v === null || v === "") {
      if (required) problem(path, "is missing");
      return "";
    }
    if (typeof v !== "string") {
      problem(path, `must be a string, got ${typeof v}`);
      return "";
    }
    return v;
  };
  const int = (obj: Json, key: string, path: string, fallback: number | undefined, min: number, max: number): number | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      problem(path, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  };
  const oneOf = <T extends string>(obj: Json, key: string, path: string, allowed: readonly T[], fallback: T): T => {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    const text = typeof v === "number" ? String(v) : v;
    if (typeof text !== "string" || !(allowed as readonly string[]).includes(text.toLowerCase())) {
      problem(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return text.toLowerCase() as T;
  };

  const host = str(src, "host", "source.host", true);
  const port = int(src, "port", "source.port", DEFAULTS.port, 1, 65535) ?? DEFAULTS.port;
  const database = str(src, "database", "source.database", true);
  const user = str(src, "user", "source.user", true);
  let passwordEncrypted: EncryptedSecret | undefined;
  let password: string | undefined;
  if (src.passwordEncrypted !== undefined) {
    if (isEncryptedSecret(src.passwordEncrypted)) passwordEncrypted = src.passwordEncrypted;
    else problem("source.passwordEncrypted", "is not an encrypted secret ({alg: \"A256GCM\", iv, data, tag}); write it with the Connector resource");
  } else if (typeof src.password === "string") {
    password = src.password;
  } else {
    problem("source.password", "is missing; give the source account's password");
  }

  let tls: SourceTlsConfig | undefined;
  if (src.tls !== undefined && src.tls !== null) {
    const t: Json = isObject(src.tls) ? src.tls : {};
    if (t.keyEncrypted !== undefined && !isEncryptedSecret(t.keyEncrypted)) problem("source.tls.keyEncrypted", "is not an encrypted secret; write it with the Connector resource");
    for (const p of sourceTlsProblems(t, host, "source.tls")) problem(p.property, p.message);
    tls = {
      mode: (typeof t.mode === "string" ? t.mode : defaultTlsMode(t, host)) as TlsMode,
      ...(typeof t.ca === "string" ? { ca: t.ca } : {}),
      ...(typeof t.cert === "string" ? { cert: t.cert } : {}),
      ...(isEncryptedSecret(t.keyEncrypted) ? { keyEncrypted: t.keyEncrypted } : typeof t.key === "string" ? { key: t.key } : {}),
      ...(typeof t.serverName === "string" ? { serverName: t.serverName } : {}),
    };
  }

  const topicPrefix = typeof raw.topicPrefix === "string" ? raw.topicPrefix : "";
  const prefixProblem = topicPrefixProblem(topicPrefix);
  if (prefixProblem) problem("topicPrefix", `${JSON.stringify(topicPrefix)} ${prefixProblem}`);

  const tables: string[] = [];
  if (!Array.isArray(src.tables) || src.tables.length === 0) {
    problem("source.tables", "must list at least one table of the source database");
  } else {
    const seen = new Set<string>();
    src.tables.forEach((t, i) => {
      if (typeof t !== "string" || t.length === 0 || t.length > 64) {
        problem(`source.tables[${i}]`, `must be a table name of 1 to 64 characters, got ${JSON.stringify(t)}`);
        return;
      }
      if (seen.has(t)) problem(`source.tables[${i}]`, `${JSON.stringify(t)} is listed twice; list each table once`);
      seen.add(t);
      const topicProblem = prefixProblem ? undefined : tableTopicProblem(topicPrefix, t);
      if (topicProblem) problem(`source.tables[${i}]`, topicProblem);
      tables.push(t);
    });
  }
  let autoAddTables: string | undefined;
  if (src.autoAddTables !== undefined && src.autoAddTables !== null && src.autoAddTables !== "") {
    autoAddTables = str(src, "autoAddTables", "source.autoAddTables", false);
    const regexProblem = autoAddTables ? regexSyntaxProblem(autoAddTables) : undefined;
    if (regexProblem) problem("source.autoAddTables", regexProblem);
  }
  const serverId = int(src, "serverId", "source.serverId", name ? defaultServerId(name) : 1, 1, 4294967295) ?? 1;
  const timezone = str(src, "timezone", "source.timezone", false) || DEFAULTS.timezone;
  if (!/^[+-](0\d|1[0-4]):[0-5]\d$/.test(timezone)) problem("source.timezone", `must be an offset such as "+00:00" or "+08:00", got ${JSON.stringify(timezone)}`);

  const format = oneOf(raw, "format", "format", FORMATS, DEFAULTS.format);
  const compression = oneOf(raw, "compression", "compression", COMPRESSIONS, DEFAULTS.compression);
  const acks = oneOf(raw, "acks", "acks", ACKS, DEFAULTS.acks);
  const partitionPolicy = oneOf(raw, "partitionPolicy", "partitionPolicy", PARTITION_POLICIES, DEFAULTS.partitionPolicy);

  const retryRaw: Json = isObject(raw.retry) ? raw.retry : {};
  const connectionMinutes = int(retryRaw, "connectionMinutes", "retry.connectionMinutes", DEFAULTS.retryConnectionMinutes, 10, 1440) ?? DEFAULTS.retryConnectionMinutes;
  const otherMinutes = int(retryRaw, "otherMinutes", "retry.otherMinutes", DEFAULTS.retryOtherMinutes, 1, 1440) ?? DEFAULTS.retryOtherMinutes;
  if (otherMinutes >= connectionMinutes) {
    problem("retry.otherMinutes", `(${otherMinutes}) must be less than retry.connectionMinutes (${connectionMinutes})`);
  }

  const throttleRaw: Json = isObject(raw.throttle) ? raw.throttle : {};
  const rowsPerSecond = int(throttleRaw, "rowsPerSecond", "throttle.rowsPerSecond", undefined, 1, 10_000_000);
  const megabytesPerSecond = positiveNumber(throttleRaw.megabytesPerSecond, "throttle.megabytesPerSecond", problem);

  const maxRecordBytes = int(raw, "maxRecordBytes", "maxRecordBytes", DEFAULTS.maxRecordBytes, 1024, 100 * 1024 * 1024) ?? DEFAULTS.maxRecordBytes;
  const heartbeatSeconds = int(raw, "heartbeatSeconds", "heartbeatSeconds", DEFAULTS.heartbeatSeconds, 0, 3600) ?? DEFAULTS.heartbeatSeconds;
  let deadLetterTopic = defaultDeadLetterTopic(topicPrefix);
  if (raw.deadLetterTopic !== undefined && raw.deadLetterTopic !== null && raw.deadLetterTopic !== "") {
    deadLetterTopic = str(raw, "deadLetterTopic", "deadLetterTopic", false) ?? deadLetterTopic;
    const topicProblem = topicNameProblem(deadLetterTopic);
    if (topicProblem) problem("deadLetterTopic", topicProblem);
  }
  let ddlTopic: string | undefined;
  if (raw.ddlTopic !== undefined && raw.ddlTopic !== null && raw.ddlTopic !== "") {
    ddlTopic = str(raw, "ddlTopic", "ddlTopic", false);
    const topicProblem = topicNameProblem(ddlTopic);
    if (topicProblem) problem("ddlTopic", topicProblem);
  }
  // The topics the connector names after its prefix must be legal topic names too.
  if (!prefixProblem) {
    if (heartbeatSeconds > 0) {
      const topicProblem = topicNameProblem(heartbeatTopic(topicPrefix));
      if (topicProblem) problem("topicPrefix", `makes the heartbeat topic ${heartbeatTopic(topicPrefix).slice(0, 40)}..., which ${topicProblem}: shorten the prefix, or turn heartbeats off (heartbeatSeconds: 0)`);
    }
    if (raw.deadLetterTopic === undefined || raw.deadLetterTopic === null || raw.deadLetterTopic === "") {
      const topicProblem = topicNameProblem(deadLetterTopic);
      if (topicProblem) problem("topicPrefix", `makes the dead letter topic ${deadLetterTopic.slice(0, 40)}..., which ${topicProblem}: shorten the prefix, or name deadLetterTopic`);
    }
  }
  const initialSync = bool(raw.initialSync, "initialSync", false, problem);
  const paused = bool(raw.paused, "paused", false, problem);
  const startPosition = parseStartPosition(raw.startPosition, problem);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      version: CONFIG_RECORD_VERSION,
      name,
      source: { host, port, database, user, passwordEncrypted, password, ...(tls ? { tls } : {}), tables, autoAddTables, region: optionalString(src.region), rdsInstanceId: optionalString(src.rdsInstanceId), serverId, timezone },
      topicPrefix,
      format,
      compression,
      acks,
      partitionPolicy,
      retry: { connectionMinutes, otherMinutes },
      throttle: { rowsPerSecond, megabytesPerSecond },
      maxRecordBytes,
      maxRecordBytesGiven: raw.maxRecordBytes !== undefined && raw.maxRecordBytes !== null,
      heartbeatSeconds,
      deadLetterTopic,
      ddlTopic,
      initialSync,
      startPosition,
      paused,
      revision: optionalString(raw.revision),
    },
  };
}

function optionalString(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

function bool(v: unknown, path: string, fallback: boolean, problem: (p: string, m: string) => void): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") {
    problem(path, `must be true or false, got ${JSON.stringify(v)}`);
    return fallback;
  }
  return v;
}

function positiveNumber(v: unknown, path: string, problem: (p: string, m: string) => void): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    problem(path, `must be a positive number, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

function parseStartPosition(v: unknown, problem: (p: string, m: string) => void): StartPosition {
  if (v === undefined || v === null || v === "end") return "end";
  if (v === "earliest") return "earliest";
  if (isObject(v) && typeof v.file === "string" && typeof v.pos === "number" && Number.isInteger(v.pos) && v.pos >= 4) {
    return { file: v.file, pos: v.pos };
  }
  problem("startPosition", `must be "end", "earliest" or {file, pos} (a binlog file name and a position >= 4), got ${JSON.stringify(v)}`);
  return "end";
}

/**
 * autoAddTables is an RE2 expression (re2js: linear time in the name's length, whatever the
 * pattern). JavaScript's backtracking engine could spend minutes on a pattern such as
 * `^(a+)+$` against a long table name, on the runtime's event loop (its /healthz stopped
 * answering); RE2 has no backreferences or lookarounds, and refuses them with a clear message.
 */
const compiled = new Map<string, import("re2js").RE2JS>();

function compileRe2(pattern: string): import("re2js").RE2JS {
  let regex = compiled.get(pattern);
  if (!regex) {
    const { RE2JS } = require("re2js") as typeof import("re2js");
    regex = RE2JS.compile(pattern);
    if (compiled.size > 100) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/** Returns why a pattern is not an RE2 expression, or undefined. */
export function regexSyntaxProblem(pattern: string): string | undefined {
  try {
    compileRe2(pattern);
    return undefined;
  } catch (error) {
    return `${JSON.stringify(pattern)} is not a valid RE2 regular expression (${(error as Error).message}); RE2 has no backreferences or lookarounds (it matches in linear time), e.g. "order_.*"`;
  }
}

/** Whether a table name matches autoAddTables (the whole name must match). */
export function matchesAutoAdd(pattern: string | undefined, table: string): boolean {
  return pattern !== undefined && compileRe2(pattern).matches(table);
}

/** Formats problems for an error message: one line each, property first. */
export function describeProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `${p.property} ${p.message}`).join("; ");
}

/** What manageGrants did on the source server: exactly what deleting the connector undoes. */
export interface ManagedGrants {
  user: string;
  host: string;
  /** Whether the Connector created the account (then deleting it drops the account). */
  createdAccount: boolean;
  /** Exactly the privileges the Connector granted on *.* (deleting revokes these and only these). */
  privileges: string[];
}

/** A connector that took over from another (a Connector renamed, or moved to another group). */
export interface Replacement {
  group: string;
  name: string;
  /** The predecessor's committed position was carried over (same source server and database). */
  position: boolean;
  /** The predecessor's manageGrants record was carried over (same server and account). */
  grants: boolean;
}

/**
 * Fields the Connector resource adds to the config records it writes. The runtime does not use
 * them (normalizeConnectorConfig ignores them); the provider reads them back from the configs
 * topic, where they outlive any one stack's state:
 *   owner          the Pulumi resource that writes the record ("<project>/<stack>/<resource>"):
 *                  a record of the same owner under another name or group is this resource's
 *                  predecessor (a replacement), not another connector;
 *   sourceServer   serverIdentity() of the source when the record was written;
 *   managedGrants  what manageGrants granted;
 *   replaces       the connector this one took over from.
 */
export interface ConfigRecordMetadata {
  owner?: string;
  sourceServer?: string;
  managedGrants?: ManagedGrants;
  replaces?: Replacement;
}

/** The metadata fields of a config record (absent or malformed ones left out). */
export function recordMetadata(raw: unknown): ConfigRecordMetadata {
  const r: Json = isObject(raw) ? raw : {};
  const metadata: ConfigRecordMetadata = {};
  if (typeof r.owner === "string" && r.owner) metadata.owner = r.owner;
  if (typeof r.sourceServer === "string" && r.sourceServer) metadata.sourceServer = r.sourceServer;
  const g = r.managedGrants;
  if (isObject(g) && typeof g.user === "string" && typeof g.host === "string" && typeof g.createdAccount === "boolean" && Array.isArray(g.privileges)) {
    metadata.managedGrants = { user: g.user, host: g.host, createdAccount: g.createdAccount, privileges: g.privileges.filter((p): p is string => typeof p === "string") };
  }
  const p = r.replaces;
  if (isObject(p) && typeof p.group === "string" && typeof p.name === "string") {
    metadata.replaces = { group: p.group, name: p.name, position: p.position === true, grants: p.grants === true };
  }
  return metadata;
}
