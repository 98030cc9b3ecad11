/**
 * Connector's pure logic: validating inputs through the shared config contract, the config record
 * it writes, the cluster-wide uniqueness rules, and the per-field diff with its replace rules.
 */
import {
  DEFAULTS,
  normalizeConnectorConfig,
  type Acks,
  type Compression,
  type Format,
  type PartitionPolicy,
  type StartPosition,
} from "../../runtime/contract/config";
import { groupNameProblem } from "../../runtime/contract/names";
import type { ConnectorState } from "../../runtime/contract/records";
import type { EncryptedSecret } from "../../runtime/contract/secrets";
import { MAX_CONNECTORS_PER_GROUP } from "../resource-group/network";
import type { CheckFailure, KafkaArgs, SourceArgs } from "../types";

export const DEFAULT_DEPLOY_TIMEOUT_SECONDS = 300;

export interface ManageGrantsArgs {
  /** An account allowed to CREATE USER and GRANT (e.g. the RDS privileged account). */
  adminUser: string;
  adminPassword: string;
  /** Host part of the account to create (default "%"). */
  accountHost?: string;
}

export interface ConnectorInputs {
  name: string;
  groupName: string;
  /** The group's key (a secret), to encrypt the password in the config record. */
  groupKey: string;
  kafka: KafkaArgs;
  source: SourceArgs & { serverId?: number };
  tables: string[];
  autoAddTables?: string;
  topicPrefix: string;
  format?: Format;
  compression?: Compression;
  acks?: Acks;
  partitionPolicy?: PartitionPolicy;
  retry?: { connectionMinutes?: number; otherMinutes?: number };
  throttle?: { rowsPerSecond?: number; megabytesPerSecond?: number };
  maxRecordBytes?: number;
  heartbeatSeconds?: number;
  deadLetterTopic?: string;
  ddlTopic?: string;
  initialSync?: boolean;
  startPosition?: StartPosition;
  paused?: boolean;
  manageGrants?: ManageGrantsArgs;
  /** How long create/update wait for the runtime to report RUNNING (default 300). */
  deployTimeoutSeconds?: number;
}

export interface ConnectorStatus {
  state: ConnectorState | "UNKNOWN";
  reason?: string;
  errorCode?: string;
  fix?: string;
  lagSeconds?: number;
  worker?: string;
  at?: string;
  /** What the runtime found worth attention when it started the connector (RUNNING). */
  warnings?: string[];
}

export interface AppliedGrants {
  user: string;
  host: string;
  /** Whether the Connector created the account (then deleting it drops the account). */
  createdAccount: boolean;
  /** Exactly the privileges the Connector granted on *.* (deleting revokes these and only these). */
  privileges: string[];
}

export interface ConnectorOutputs extends ConnectorInputs {
  consumerGroup: string;
  transactionalId: string;
  revision: string;
  status: ConnectorStatus;
  grants?: AppliedGrants;
  stateVersion: number;
}

export const CONNECTOR_STATE_VERSION = 1;

/** Maps a config-record property path to the Connector input that sets it. */
function inputProperty(recordProperty: string): string {
  if (recordProperty.startsWith("source.tables")) return recordProperty.slice("source.".length);
  if (recordProperty === "source.autoAddTables") return "autoAddTables";
  if (recordProperty === "source.passwordEncrypted") return "source.password";
  return recordProperty;
}

/**
 * The config record the runtime runs (runtime/contract/config.ts), with the password encrypted.
 * Undefined options are left out so the contract's defaults apply.
 */
export function configRecord(inputs: ConnectorInputs, passwordEncrypted: EncryptedSecret | undefined, revision: string): Record<string, unknown> {
  const s = inputs.source ?? ({} as ConnectorInputs["source"]);
  return stripUndefined({
    name: inputs.name,
    source: {
      host: s.host,
      port: s.port,
      database: s.database,
      user: s.user,
      ...(passwordEncrypted ? { passwordEncrypted } : { password: "<checked separately>" }),
      tables: inputs.tables,
      autoAddTables: inputs.autoAddTables,
      region: s.region,
      rdsInstanceId: s.rdsInstanceId,
      serverId: s.serverId,
      timezone: s.timezone,
    },
    topicPrefix: inputs.topicPrefix,
    format: inputs.format,
    compression: inputs.compression,
    acks: inputs.acks,
    partitionPolicy: inputs.partitionPolicy,
    retry: inputs.retry,
    throttle: inputs.throttle,
    maxRecordBytes: inputs.maxRecordBytes,
    heartbeatSeconds: inputs.heartbeatSeconds,
    deadLetterTopic: inputs.deadLetterTopic,
    ddlTopic: inputs.ddlTopic,
    initialSync: inputs.initialSync,
    startPosition: inputs.startPosition,
    paused: inputs.paused,
    revision,
  }) as Record<string, unknown>;
}

function stripUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefined);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, stripUndefined(v)]));
  }
  return value;
}

/** Static validation: the contract's rules plus what only the resource has. Every problem at once. */
export function validateConnectorInputs(inputs: ConnectorInputs): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const result = normalizeConnectorConfig(configRecord(inputs, undefined, "check"));
  if (!result.ok) for (const p of result.problems) fail(inputProperty(p.property), p.message);
  if (typeof inputs.source?.password !== "string" || inputs.source.password.length === 0) {
    fail("source.password", "is missing; give the account's password as a secret (config.requireSecret)");
  }
  const groupProblem = groupNameProblem(inputs.groupName);
  if (groupProblem) fail("resourceGroup", `its name ${JSON.stringify(inputs.groupName ?? "")} ${groupProblem}`);
  if (!inputs.kafka || !Array.isArray(inputs.kafka.brokers) || inputs.kafka.brokers.length === 0) {
    fail("kafka.brokers", "must list at least one bootstrap server (the ResourceGroup's kafka.brokers)");
  }
  const timeout = inputs.deployTimeoutSeconds;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 10 || timeout > 3600)) {
    fail("deployTimeoutSeconds", `must be a whole number of seconds from 10 to 3600, got ${JSON.stringify(timeout)}`);
  }
  const mg = inputs.manageGrants;
  if (mg) {
    if (!mg.adminUser) fail("manageGrants.adminUser", "is missing; give an account allowed to CREATE USER and GRANT");
    if (typeof mg.adminPassword !== "string") fail("manageGrants.adminPassword", "is missing; give the admin account's password as a secret");
    if (mg.accountHost !== undefined && !/^[^'"\\\s]{1,255}$/.test(mg.accountHost)) {
      fail("manageGrants.accountHost", `must be a MySQL host pattern such as "%" or "10.0.%", got ${JSON.stringify(mg.accountHost)}`);
    }
  }
  return failures;
}

/** A connector as the configs topics of the cluster hold it. */
export interface RegisteredConnector {
  group: string;
  name: string;
  topicPrefix?: string;
}

/**
 * Names are unique within the Kafka cluster (their consumer group connect-<name> is cluster-wide),
 * topic prefixes are unique across its connectors, and a group runs at most 3 connectors.
 * `self` and `previous` (this resource before the change) are not counted against themselves.
 */
export function checkUniqueness(
  self: { name: string; groupName: string; topicPrefix: string },
  previous: { name: string; groupName: string } | undefined,
  registered: RegisteredConnector[],
): CheckFailure[] {
  const isMe = (c: RegisteredConnector) =>
    (c.group === self.groupName && c.name === self.name) || (!!previous && c.group === previous.groupName && c.name === previous.name);
  const others = registered.filter((c) => !isMe(c));
  const failures: CheckFailure[] = [];
  const sameName = others.find((c) => c.name === self.name);
  if (sameName) {
    failures.push({
      property: "name",
      reason: `connector name ${JSON.stringify(self.name)} is already used by a connector of resource group ${JSON.stringify(sameName.group)} on this Kafka cluster; names are unique within the cluster (consumer group connect-${self.name}): choose another name`,
    });
  }
  const samePrefix = others.find((c) => c.topicPrefix === self.topicPrefix);
  if (samePrefix) {
    failures.push({
      property: "topicPrefix",
      reason: `topic prefix ${JSON.stringify(self.topicPrefix)} is already used by connector ${JSON.stringify(samePrefix.name)} (resource group ${JSON.stringify(samePrefix.group)}); prefixes are unique across the cluster's connectors: choose another prefix`,
    });
  }
  const inGroup = others.filter((c) => c.group === self.groupName);
  if (inGroup.length >= MAX_CONNECTORS_PER_GROUP) {
    failures.push({
      property: "resourceGroup",
      reason: `resource group ${JSON.stringify(self.groupName)} already runs ${inGroup.length} connectors (${inGroup.map((c) => c.name).join(", ")}); the limit is ${MAX_CONNECTORS_PER_GROUP}: put this connector in another ResourceGroup`,
    });
  }
  return failures;
}

export interface ConnectorDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Inputs that change in place (the runtime reconfigures the connector from its committed offset). */
  updates: string[];
  addedTables: string[];
  removedTables: string[];
}

/** Inputs whose change means another connector: a new name, group or source database. */
const REPLACE_PATHS = ["name", "groupName", "source.host", "source.port", "source.database"] as const;

const UPDATE_PATHS = [
  "groupKey", "kafka.brokers", "source.user", "source.password", "source.region", "source.rdsInstanceId", "source.timezone", "source.serverId",
  "tables", "autoAddTables", "topicPrefix", "format", "compression", "acks", "partitionPolicy", "retry", "throttle", "maxRecordBytes", "heartbeatSeconds", "deadLetterTopic", "ddlTopic",
  "initialSync", "startPosition", "paused", "manageGrants", "deployTimeoutSeconds",
] as const;

function at(value: unknown, path: string): unknown {
  const found = path.split(".").reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
  // An unset port is the default port: the same database, not a replacement.
  return path === "source.port" ? (found ?? DEFAULTS.port) : found;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Per-field diff. Replacing deletes first: the name and the topic prefix are unique, and two
 * connectors must never write the same topics at once.
 */
export function diffConnector(olds: ConnectorOutputs, news: ConnectorInputs): ConnectorDiff {
  const replaces = REPLACE_PATHS.filter((p) => !same(at(olds, p), at(news, p)));
  const updates = UPDATE_PATHS.filter((p) => !same(at(olds, p), at(news, p)));
  const oldTables = new Set(olds.tables ?? []);
  const newTables = new Set(news.tables ?? []);
  const addedTables = [...newTables].filter((t) => !oldTables.has(t));
  const removedTables = [...oldTables].filter((t) => !newTables.has(t));
  return {
    changes: replaces.length + updates.length > 0,
    replaces: [...replaces],
    deleteBeforeReplace: replaces.length > 0,
    updates: [...updates],
    addedTables,
    removedTables,
  };
}

/** What preview says about a change of the table list. */
export function describeTableChange(diff: ConnectorDiff, initialSync: boolean | undefined, name: string): string[] {
  const lines: string[] = [];
  if (diff.addedTables.length > 0) {
    lines.push(
      initialSync
        ? // The full sync runs at a connector's first start only: preview must not promise a copy.
          `connector ${name}: tables ${diff.addedTables.join(", ")} will be added and streamed from now on; their existing rows are not backfilled (initialSync copies the tables of a new connector only)`
        : `connector ${name}: tables ${diff.addedTables.join(", ")} will be added and streamed from now on; their existing rows are not backfilled (initialSync is off)`,
    );
  }
  if (diff.removedTables.length > 0) lines.push(`connector ${name}: tables ${diff.removedTables.join(", ")} will no longer be streamed (their topics are kept)`);
  return lines;
}
