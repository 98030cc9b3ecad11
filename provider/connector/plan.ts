/**
 * Connector's pure logic: its inputs and outputs, validating inputs through the shared config
 * contract, and the config record it writes. The cluster-wide rules are in ./uniqueness, the
 * per-field diff in ./diff, what preview says in ./preview-notes.
 */
import {
  normalizeConnectorConfig,
  type Acks,
  type Compression,
  type ConfigRecordMetadata,
  type Format,
  type ManagedGrants,
  type PartitionPolicy,
  type StartPosition,
} from "../../runtime/contract/config";
import { groupNameProblem, typeOf } from "../../runtime/contract/names";
import { kafkaFailures } from "../kafka-inputs";
import type { ConnectorState } from "../../runtime/contract/records";
import type { EncryptedSecret } from "../../runtime/contract/secrets";
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
  /** Keep the topics the connector made (heartbeats, dead letters, DDL, auto-added tables) when it is deleted. */
  retainOnDelete?: boolean;
  /** The Pulumi resource that writes the config record ("<project>/<stack>/<resource>"), set by the resource class. */
  owner?: string;
  /** Set by check: the connector this resource replaces (its own, under another name or group). */
  replacing?: Replacing;
}

/** The predecessor of a replacement and what the replacement takes over from it. */
export interface Replacing {
  group: string;
  name: string;
  /** Same source server and database: the predecessor's committed binlog position is taken over. */
  takesPosition: boolean;
  /** Same server and account, manageGrants on both: the predecessor's grants record is taken over. */
  takesGrants: boolean;
  /** The predecessor's source (for what preview says). */
  from: { host?: string; port?: number; database?: string };
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

/** What manageGrants did (the contract's ManagedGrants: the record carries it too). */
export type AppliedGrants = ManagedGrants;

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
  if (recordProperty === "source.tls.keyEncrypted") return "source.tls.key";
  return recordProperty;
}

/**
 * The config record the runtime runs (runtime/contract/config.ts), with the password encrypted,
 * and the provider's own fields (ConfigRecordMetadata). Undefined options are left out so the
 * contract's defaults apply.
 */
export function configRecord(
  inputs: ConnectorInputs,
  passwordEncrypted: EncryptedSecret | undefined,
  revision: string,
  metadata: Omit<ConfigRecordMetadata, "owner"> = {},
  tlsKeyEncrypted?: EncryptedSecret,
): Record<string, unknown> {
  const s = inputs.source ?? ({} as ConnectorInputs["source"]);
  // No source.tls: a record from before TLS existed (the runtime connects without it); check
  // makes the mode explicit for every connector it sees, so new records always carry it.
  const t = s.tls as Record<string, unknown> | undefined;
  const tls = t && typeof t === "object" ? { ...t, key: tlsKeyEncrypted ? undefined : t.key, keyEncrypted: tlsKeyEncrypted } : t;
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
      tls,
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
    owner: inputs.owner,
    ...metadata,
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
  const password = inputs.source?.password as unknown;
  if (password === undefined || password === null || password === "") fail("source.password", "is missing; give the account's password as a secret (config.requireSecret)");
  else if (typeof password !== "string") fail("source.password", `must be text, got ${typeOf(password)} (its value is not shown); quote it in the stack config, or pass String(...)`);
  const groupProblem = groupNameProblem(inputs.groupName);
  const mgPassword = inputs.manageGrants?.adminPassword as unknown;
  if (inputs.manageGrants && mgPassword !== undefined && typeof mgPassword !== "string") {
    fail("manageGrants.adminPassword", `must be text, got ${typeOf(mgPassword)} (its value is not shown)`);
  }
  if (groupProblem) fail("resourceGroup", `its name ${JSON.stringify(inputs.groupName ?? "")} ${groupProblem}`);
  failures.push(...kafkaFailures(inputs.kafka));
  const timeout = inputs.deployTimeoutSeconds;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 10 || timeout > 3600)) {
    fail("deployTimeoutSeconds", `must be a whole number of seconds from 10 to 3600, got ${JSON.stringify(timeout)}`);
  }
  if (inputs.retainOnDelete !== undefined && typeof inputs.retainOnDelete !== "boolean") {
    fail("retainOnDelete", `must be true or false, got ${typeof inputs.retainOnDelete === "string" ? "a string" : typeof inputs.retainOnDelete}; write retainOnDelete: true to keep the connector's topics`);
  }
  const mg = inputs.manageGrants;
  if (mg) {
    if (!mg.adminUser) fail("manageGrants.adminUser", "is missing; give an account allowed to CREATE USER and GRANT");
    if (mg.adminPassword === undefined || mg.adminPassword === null) fail("manageGrants.adminPassword", "is missing; give the admin account's password as a secret");
    if (mg.accountHost !== undefined && !/^[^'"\\\s]{1,255}$/.test(mg.accountHost)) {
      fail("manageGrants.accountHost", `must be a MySQL host pattern such as "%" or "10.0.%", got ${JSON.stringify(mg.accountHost)}`);
    }
  }
  return failures;
}
