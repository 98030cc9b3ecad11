/**
 * Connector's dynamic provider methods (loaded by name inside each serialized method, see
 * ../dynamic.ts). check: static rules, then the live ones (uniqueness on the cluster, prechecks
 * against the source); create/update: grants, prechecks, the config record, then wait for the
 * runtime's RUNNING; read: the live status; delete: tombstones, then grants revoked.
 */
import crypto from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { Kafka } from "kafkajs";
import { connectorConsumerGroup, connectorTransactionalId, defaultDeadLetterTopic, groupTopics, heartbeatTopic } from "../../runtime/contract/names";
import type { StatusRecord } from "../../runtime/contract/records";
import { encryptSecret } from "../../runtime/contract/secrets";
import { CdcError, combineErrors, type ErrorCode } from "../../runtime/errors";
import { KafkaAdmin } from "../../runtime/sink/admin";
import { runPrechecks } from "../../runtime/source/prechecks";
import { providerKafka } from "../kafka";
import { failureOf, knownFailures, note } from "../diagnostics";
import { containsUnknown, type CheckFailure } from "../types";
import { hasConfig, readStatus, registeredConnectors, waitForDeploy, waitForStop, writeRecord } from "./control-plane";
import { applyGrants, revokeGrants } from "./grants";
import {
  checkUniqueness,
  configRecord,
  CONNECTOR_STATE_VERSION,
  DEFAULT_DEPLOY_TIMEOUT_SECONDS,
  describeTableChange,
  diffConnector,
  validateConnectorInputs,
  type ConnectorInputs,
  type ConnectorOutputs,
  type ConnectorStatus,
} from "./plan";
import { lagWarning } from "./lag";

/** Where each precheck failure is reported in preview. */
const PRECHECK_PROPERTY: Partial<Record<ErrorCode, string>> = {
  GRANT_MISSING: "source.user",
  TABLE_MISSING: "tables",
  SOURCE_AUTH_FAILED: "source.password",
  SOURCE_UNREACHABLE: "source.host",
};

export async function check(olds: ConnectorInputs | undefined, news: ConnectorInputs): Promise<pulumi.dynamic.CheckResult<ConnectorInputs>> {
  // During preview, inputs that come from other resources (the group's name and key on a first
  // deploy) are not known yet: run every check whose inputs are known, skip the others.
  const known = (...values: unknown[]) => !values.some(containsUnknown);
  const failures = knownFailures(news, validateConnectorInputs(news));
  if (failures.length > 0) return { inputs: news, failures };
  if (known(news.kafka?.brokers, news.name, news.topicPrefix)) {
    try {
      const registered = await registeredConnectors(providerKafka(news.kafka.brokers, "check"));
      const previous = olds?.name && olds.groupName ? { name: olds.name, groupName: olds.groupName } : undefined;
      failures.push(...checkUniqueness(news, previous, registered));
    } catch (error) {
      failures.push(failureOf("kafka.brokers", error));
    }
  }
  // With manageGrants the account may not exist yet: the Connector creates it in create/update.
  if (!news.manageGrants && known(news.source, news.tables)) failures.push(...(await precheckFailures(news)));
  return { inputs: news, failures };
}

/** Runs the live prechecks; warnings are shown, failures returned per input property. */
async function precheckFailures(inputs: ConnectorInputs): Promise<CheckFailure[]> {
  try {
    const result = await runPrechecks(sourceAccess(inputs));
    for (const warning of result.warnings) note(`warning: connector ${inputs.name}: ${warning}`);
    return result.errors.map((e) => failureOf(PRECHECK_PROPERTY[e.code] ?? "source", e));
  } catch (error) {
    const property = error instanceof CdcError ? PRECHECK_PROPERTY[error.code] ?? "source" : "source";
    return [failureOf(property, error)];
  }
}

function sourceAccess(inputs: ConnectorInputs) {
  const s = inputs.source;
  return { host: s.host, port: s.port ?? 3306, user: s.user, password: s.password, database: s.database, tables: inputs.tables };
}

export async function diff(_id: string, olds: ConnectorOutputs, news: ConnectorInputs): Promise<pulumi.dynamic.DiffResult> {
  const d = diffConnector(olds, news);
  if (d.changes && d.replaces.length === 0 && !containsUnknown(news)) {
    for (const line of describeTableChange(d, news.initialSync, news.name)) note(line);
  }
  return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: d.deleteBeforeReplace };
}

export async function create(inputs: ConnectorInputs): Promise<pulumi.dynamic.CreateResult<ConnectorOutputs>> {
  const outs = await deploy(undefined, inputs);
  return { id: `${inputs.groupName}/${inputs.name}`, outs };
}

export async function update(_id: string, olds: ConnectorOutputs, news: ConnectorInputs): Promise<pulumi.dynamic.UpdateResult<ConnectorOutputs>> {
  return { outs: await deploy(olds, news) };
}

/** Prechecks, the config record, then waits until the runtime reports on this revision. */
async function deployConfig(inputs: ConnectorInputs, first: boolean): Promise<{ revision: string; status: StatusRecord }> {
  const prechecks = await runPrechecks(sourceAccess(inputs));
  for (const warning of prechecks.warnings) note(`warning: connector ${inputs.name}: ${warning}`);
  if (prechecks.errors.length > 0) throw combineErrors(prechecks.errors);

  const topics = groupTopics(inputs.groupName);
  const kafka = providerKafka(inputs.kafka.brokers, "deploy");
  const revision = `${Date.now().toString(36)}-${crypto.randomBytes(4).toString("hex")}`;
  const record = configRecord(inputs, encryptSecret(inputs.source.password, inputs.groupKey, inputs.name), revision);
  await writeRecord(kafka, topics.configs, inputs.name, Buffer.from(JSON.stringify(record), "utf8"));
  const timeoutSeconds = inputs.deployTimeoutSeconds ?? DEFAULT_DEPLOY_TIMEOUT_SECONDS;
  note(`connector ${inputs.name}: config written to ${topics.configs}; waiting up to ${timeoutSeconds} s for the runtime to report RUNNING`);
  // A connector that never started is not left behind for the runtime to pick up later.
  const withdraw = () => (first ? writeRecord(kafka, topics.configs, inputs.name, null).catch(() => undefined) : Promise.resolve());
  let status: StatusRecord;
  try {
    status = await waitForDeploy(kafka, topics.status, inputs.name, revision, {
      timeoutMs: timeoutSeconds * 1000,
      onStatus: (s) => note(`connector ${inputs.name}: ${s.state}${s.reason ? ` (${s.reason})` : ""}`),
    });
  } catch (error) {
    await withdraw();
    throw error;
  }
  if (status.state === "FAILED") {
    await withdraw();
    throw new CdcError("DEPLOY_FAILED", `connector ${inputs.name} FAILED: ${status.errorCode ?? "?"}: ${status.reason ?? "no reason given"}${status.fix ? ` Fix: ${status.fix}` : ""}`);
  }
  // The runtime's own prechecks repeat the provider's warnings (binlog retention): each is shown once.
  for (const line of status.warnings ?? []) if (!prechecks.warnings.includes(line)) note(`warning: connector ${inputs.name}: ${line}`);
  return { revision, status };
}

/** Grants, then the config; a first deploy that fails revokes what it granted (no state records it). */
async function deploy(olds: ConnectorOutputs | undefined, inputs: ConnectorInputs): Promise<ConnectorOutputs> {
  const grants = inputs.manageGrants ? await applyGrants(inputs.source, inputs.tables, inputs.manageGrants, olds?.grants) : olds?.grants;
  let deployed: { revision: string; status: StatusRecord };
  try {
    deployed = await deployConfig(inputs, !olds);
  } catch (error) {
    if (!olds && inputs.manageGrants && grants) await revokeGrants(inputs.source, inputs.manageGrants, grants).catch(() => undefined);
    throw error;
  }
  const { revision, status } = deployed;
  return {
    ...inputs,
    consumerGroup: connectorConsumerGroup(inputs.name),
    transactionalId: connectorTransactionalId(inputs.groupName, inputs.name),
    revision,
    status: statusOf(status),
    ...(grants ? { grants } : {}),
    stateVersion: CONNECTOR_STATE_VERSION,
  };
}

/** The connector's status as the outputs keep it. */
export function statusOf(record: StatusRecord | null): ConnectorStatus {
  if (!record) return { state: "UNKNOWN", reason: "no runtime has reported on this connector" };
  const status: ConnectorStatus = { state: record.state, worker: record.worker, at: record.at };
  if (record.reason) status.reason = record.reason;
  if (record.errorCode) status.errorCode = record.errorCode;
  if (record.fix) status.fix = record.fix;
  if (record.lagSeconds !== undefined) status.lagSeconds = record.lagSeconds;
  if (record.warnings?.length) status.warnings = [...record.warnings];
  return status;
}

export async function read(id: string, props: ConnectorOutputs): Promise<pulumi.dynamic.ReadResult<ConnectorOutputs>> {
  const olds = upgrade(props);
  const topics = groupTopics(olds.groupName);
  const kafka = providerKafka(olds.kafka.brokers, "read");
  if (!(await hasConfig(kafka, topics.configs, olds.name))) {
    note(`connector ${olds.name}: its config is gone from ${topics.configs} (deleted outside Pulumi); pulumi up creates it again`);
    return { id: "", props: olds };
  }
  const status = statusOf(await readStatus(kafka, topics.status, olds.name));
  if (status.state === "FAILED") note(`connector ${olds.name}: FAILED: ${status.errorCode}: ${status.reason}`);
  for (const line of status.warnings ?? []) note(`warning: connector ${olds.name}: ${line}`);
  const warning = await lagWarning(olds, status.lagSeconds);
  if (warning) note(`warning: connector ${olds.name}: ${warning}`);
  return { id, props: { ...olds, status } };
}

export async function del(_id: string, props: ConnectorOutputs): Promise<void> {
  const olds = upgrade(props);
  const topics = groupTopics(olds.groupName);
  const kafka = providerKafka(olds.kafka.brokers, "delete");
  await writeRecord(kafka, topics.configs, olds.name, null);
  // The runtime removes the status once the connector stopped; only then is the offset safe to drop.
  const stopped = await waitForStop(kafka, topics.status, olds.name, 60_000);
  if (!stopped) note(`connector ${olds.name}: no runtime confirmed the stop within 60 s; removing its offsets anyway`);
  await writeRecord(kafka, topics.offsets, olds.name, null);
  if (!stopped) await writeRecord(kafka, topics.status, olds.name, null);
  await removeOwnTopics(kafka, olds);
  if (olds.manageGrants && olds.grants) await revokeGrants(olds.source, olds.manageGrants, olds.grants);
}

/**
 * The topics the runtime created for this connector: the heartbeat topic goes; the dead letter
 * topic goes only when it is empty (its records are the only trace of the changes they stand for).
 */
async function removeOwnTopics(kafka: Kafka, olds: ConnectorOutputs): Promise<void> {
  const deadLetters = olds.deadLetterTopic || defaultDeadLetterTopic(olds.topicPrefix);
  const admin = await KafkaAdmin.connect(kafka);
  try {
    const { counts } = await admin.partitionCounts([deadLetters]);
    const toDelete = [heartbeatTopic(olds.topicPrefix)];
    if (counts.has(deadLetters)) {
      const held = [...(await admin.highWatermarks(deadLetters)).values()].reduce((sum, high) => sum + high, 0n);
      if (held === 0n) toDelete.push(deadLetters);
      else note(`connector ${olds.name}: kept its dead letter topic ${deadLetters} (${held} records); delete it by hand once they are dealt with`);
    }
    await admin.deleteTopics(toDelete);
  } finally {
    await admin.disconnect();
  }
}

/** Reads state written by any earlier version of this provider (stateVersion absent = 1). */
export function upgrade(props: ConnectorOutputs): ConnectorOutputs {
  return { ...props, status: props.status ?? { state: "UNKNOWN" }, stateVersion: CONNECTOR_STATE_VERSION };
}
