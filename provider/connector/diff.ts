/**
 * Connector's per-field diff, with deliberate rules for each input:
 *   - a new name, group, host, port or database is another connector: replace;
 *   - what the runtime runs (tables, options, password...) updates in place; the runtime restarts
 *     the connector from its committed offset only when something it uses changed;
 *   - what only the provider uses (brokers, manageGrants, retainOnDelete) updates the state;
 *   - what takes effect at a first start only (initialSync, startPosition) changes nothing once
 *     the connector runs, and neither does deployTimeoutSeconds: no update (preview says why).
 * Values are compared as the runtime sees them: an option set to its default, or the tables in
 * another order, is no change.
 */
import { normalizeConnectorConfig, type ConnectorConfig } from "../../runtime/contract/config";
import type { PropertyDiffKind } from "../dynamic-diff";
import { configRecord, type ConnectorInputs, type ConnectorOutputs } from "./plan";

/** Inputs whose change means another connector. */
export const REPLACE_PATHS = ["name", "groupName", "source.host", "source.port", "source.database"] as const;

/** Inputs the runtime runs (in the config record). */
const RUNTIME_PATHS = [
  "groupKey", "source.user", "source.password", "source.region", "source.rdsInstanceId", "source.timezone", "source.serverId", "source.tls",
  "tables", "autoAddTables", "topicPrefix", "format", "compression", "acks", "partitionPolicy", "retry", "throttle", "maxRecordBytes",
  "heartbeatSeconds", "deadLetterTopic", "ddlTopic", "paused", "owner",
] as const;

/** Inputs only the provider uses: an update of the state, the connector untouched. */
const PROVIDER_PATHS = ["kafka.brokers", "kafka.tls", "kafka.sasl", "manageGrants", "retainOnDelete"] as const;

/** Inputs used at a connector's first start only. */
export const FIRST_START_PATHS = ["initialSync", "startPosition"] as const;

export interface ConnectorDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Inputs that change in place. */
  updates: string[];
  /** Inputs that changed but take no effect on a running connector (first start only). */
  unused: string[];
  /** Whether the update restarts a FAILED connector (a refresh saw it FAILED). */
  restartsFailed: boolean;
  addedTables: string[];
  removedTables: string[];
  /** Per property, for the engine's detailedDiff (values are never in it). */
  detailed: Record<string, PropertyDiffKind>;
}

/** Inputs compared as given: not in the normalized record, or (the password) only encrypted there. */
const NOT_IN_RECORD = new Set(["groupName", "groupKey", "owner", "source.password"]);

/** Where an input sits in the normalized config record (undefined: the same path). */
const CONFIG_PATH: Record<string, string> = { tables: "source.tables", autoAddTables: "source.autoAddTables" };

function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), value);
}

/** The config the runtime would run from these inputs, defaults applied (undefined when invalid). */
function effective(inputs: ConnectorInputs): ConnectorConfig | undefined {
  const result = normalizeConnectorConfig(configRecord(inputs, undefined, "diff"));
  return result.ok ? result.config : undefined;
}

function canonical(value: unknown, path: string): string {
  if (path === "retainOnDelete") return String(value === true);
  if (path === "tables" || path === "source.tables") return JSON.stringify(Array.isArray(value) ? [...value].sort() : value ?? null);
  return JSON.stringify(value ?? null);
}

function kindOf(before: unknown, after: unknown, replace: boolean): PropertyDiffKind {
  if (before === undefined || before === null) return replace ? "add-replace" : "add";
  if (after === undefined || after === null) return replace ? "delete-replace" : "delete";
  return replace ? "update-replace" : "update";
}

export function diffConnector(olds: ConnectorOutputs, news: ConnectorInputs): ConnectorDiff {
  const before = effective(olds);
  const after = effective(news);
  // Inputs in the config record compare as the runtime sees them; the others as given.
  const value = (side: ConnectorInputs, config: ConnectorConfig | undefined, path: string): unknown => {
    if (NOT_IN_RECORD.has(path) || !config) return at(side, path);
    return at(config, CONFIG_PATH[path] ?? path);
  };
  const changed = (path: string, runtime: boolean) =>
    runtime ? canonical(value(olds, before, path), path) !== canonical(value(news, after, path), path) : canonical(at(olds, path), path) !== canonical(at(news, path), path);
  const detailed: Record<string, PropertyDiffKind> = {};
  // Only inputs the program changed are listed (a new prefix also moves the default dead letter
  // topic: the prefix is listed, not the topic).
  const list = (paths: readonly string[], replace: boolean) => {
    for (const p of paths) if (changed(p, false)) detailed[p] = kindOf(at(olds, p), at(news, p), replace);
  };
  const replaces = REPLACE_PATHS.filter((p) => changed(p, true));
  list(replaces, true);
  const updates = [...RUNTIME_PATHS.filter((p) => changed(p, true)), ...PROVIDER_PATHS.filter((p) => changed(p, false))];
  list(updates, false);
  const unused = FIRST_START_PATHS.filter((p) => changed(p, true));
  const restartsFailed = olds.status?.state === "FAILED";
  if (restartsFailed) detailed.status = "update";
  const oldTables = new Set(olds.tables ?? []);
  const newTables = new Set(news.tables ?? []);
  return {
    changes: replaces.length + updates.length > 0 || restartsFailed,
    replaces: [...replaces],
    // The replacement stops its predecessor itself (and takes over from it) before it starts:
    // only a record from before owners existed cannot be found, so that one is deleted first.
    deleteBeforeReplace: replaces.length > 0 && olds.owner === undefined,
    updates,
    unused: [...unused],
    restartsFailed,
    addedTables: [...newTables].filter((t) => !oldTables.has(t)),
    removedTables: [...oldTables].filter((t) => !newTables.has(t)),
    detailed,
  };
}
