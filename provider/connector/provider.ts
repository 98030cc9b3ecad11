/**
 * Connector's dynamic provider methods (loaded by name inside each serialized method, see
 * ../dynamic.ts). check: static rules, then the live ones (uniqueness on the cluster, the
 * predecessor of a replacement, prechecks against the source); create: take over from the
 * predecessor (./handover), then deploy; update: deploy, then drop the topics the new config no
 * longer writes (./own-topics); read: the live status; delete: stop, tombstones, the connector's
 * topics and grants (kept when a successor took them over).
 */
import crypto from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { tlsKeyContext } from "../../runtime/contract/config";
import { connectorConsumerGroup, connectorTransactionalId, groupTopics } from "../../runtime/contract/names";
import type { StatusRecord } from "../../runtime/contract/records";
import { encryptSecret } from "../../runtime/contract/secrets";
import { CdcError, combineErrors } from "../../runtime/errors";
import { runPrechecks } from "../../runtime/source/prechecks";
import { serverIdentity } from "../../runtime/source/server-identity";
import { defaultTlsMode } from "../../runtime/contract/tls";
import { brokerVersionFailures, providerKafka } from "../kafka";
import { sourceLogin, sourceTlsNote } from "../source-inputs";
import { engineFailures, kafkaFailure, knownFailures, note, sourceFailure } from "../diagnostics";
import { withDetailedDiff } from "../dynamic-diff";
import { containsUnknown, type CheckFailure } from "../types";
import { deleteLeaseGroup, hasConfig, readStatus, registeredConnectors, waitForDeploy, waitForStop, writeRecord } from "./control-plane";
import { diffConnector } from "./diff";
import { applyGrants, revokeGrants } from "./grants";
import { planReplacement, takeOver, type Handover } from "./handover";
import { lagWarning } from "./lag";
import { claimCleanup, cleanUpAfterUpdate, removeClaimedTopics } from "./own-topics";
import { CONNECTOR_STATE_VERSION, configRecord, DEFAULT_DEPLOY_TIMEOUT_SECONDS, validateConnectorInputs, type AppliedGrants, type ConnectorInputs, type ConnectorOutputs, type ConnectorStatus } from "./plan";
import { describeClaimCleanup, describeReplacement, describeUpdate } from "./preview-notes";
import { declareConnector, declaredTopicSizes, type DeclaredConnector } from "../program-registry";
import { KafkaAdmin } from "../../runtime/sink/admin";
import { adminFailures, effectiveServerId, recordSizeFailures, serverIdFailures, startPositionFailures } from "./live-checks";
import { CONNECTOR_SHAPE, unknownPropertyFailures } from "../properties";
import { checkUniqueness, findPredecessor, findSuccessor, type RegisteredConnector } from "./uniqueness";

async function checkInputs(given: ConnectorInputs | undefined, news: ConnectorInputs): Promise<pulumi.dynamic.CheckResult<ConnectorInputs>> {
  // The host passes {} as the old inputs of a resource being created.
  const olds = given && Object.keys(given).length > 0 ? given : undefined;
  // During preview, inputs that come from other resources (the group's name and key on a first
  // deploy) are not known yet: run every check whose inputs are known, skip the others.
  const known = (...values: unknown[]) => !values.some(containsUnknown);
  let inputs: ConnectorInputs = { ...news };
  delete inputs.replacing;
  const failures = knownFailures(inputs, [...unknownPropertyFailures(inputs, CONNECTOR_SHAPE, "Connector"), ...validateConnectorInputs(inputs)]);
  if (failures.length > 0) return { inputs, failures };
  if (known(inputs.source?.host, inputs.source?.tls)) {
    // The mode is made explicit: preview and the state show what the runtime will connect with,
    // and a record from before TLS existed (no mode) shows as the change it is.
    const tls = inputs.source.tls;
    inputs = { ...inputs, source: { ...inputs.source, tls: { ...(tls ?? {}), mode: tls?.mode ?? defaultTlsMode(tls, inputs.source.host) } } };
    const weak = sourceTlsNote(inputs.source.tls?.mode);
    if (weak) note(`warning: connector ${inputs.name}: ${weak}`);
  }
  const sourceKnown = known(inputs.source, inputs.tables, inputs.manageGrants);
  const identity = sourceKnown ? await sourceIdentity(inputs) : undefined;
  if (known(inputs.kafka?.brokers, inputs.name, inputs.groupName, inputs.topicPrefix, inputs.owner)) {
    // The program's other connectors count as registered already (their deploy may come first).
    const declared = inputs.owner ? declareConnector({ owner: inputs.owner, name: inputs.name, groupName: inputs.groupName, topicPrefix: inputs.topicPrefix, source: inputs.source, serverId: effectiveServerId(inputs) }) : [];
    try {
      const kafka = providerKafka(inputs.kafka, "check");
      failures.push(...(await brokerVersionFailures(inputs.kafka)));
      const registered = withDeclared(await registeredConnectors(kafka), declared);
      const previous = olds?.name && olds.groupName ? { name: olds.name, groupName: olds.groupName } : undefined;
      failures.push(...checkUniqueness(inputs, previous, registered));
      const { predecessor, failure } = findPredecessor(inputs, registered);
      if (failure) failures.push(failure);
      else if (predecessor && sourceKnown) inputs = { ...inputs, replacing: planReplacement(inputs, predecessor, identity) };
      if (sourceKnown) failures.push(...serverIdFailures(inputs, identity, registered.filter((c) => c.metadata?.owner !== inputs.owner)));
      if (known(inputs.tables, inputs.maxRecordBytes)) {
        const admin = await KafkaAdmin.connect(kafka);
        try {
          failures.push(...(await recordSizeFailures(admin, inputs, declaredTopicSizes(inputs.topicPrefix))));
        } finally {
          await admin.disconnect();
        }
      }
    } catch (error) {
      failures.push(kafkaFailure(error));
    }
  }
  if (sourceKnown) {
    // With manageGrants the account may not exist yet (the Connector creates it): the admin reads
    // the settings, and what the account lacks is what the Connector will grant.
    failures.push(...(await precheckFailures(inputs)), ...(await adminFailures(inputs)));
    const login = inputs.manageGrants ? { user: inputs.manageGrants.adminUser, password: inputs.manageGrants.adminPassword } : { user: inputs.source.user, password: inputs.source.password };
    // A start position is read at a first start only (a replacement on the same source resumes instead).
    if (!olds && !inputs.replacing?.takesPosition) failures.push(...(await startPositionFailures(inputs, login).catch((error: unknown) => [sourceFailure(error)])));
  }
  return { inputs, failures };
}

/** check, with its failures as the engine prints them (see engineFailures). */
export async function check(olds: ConnectorInputs | undefined, news: ConnectorInputs): Promise<pulumi.dynamic.CheckResult<ConnectorInputs>> {
  const result = await checkInputs(olds, news);
  return { inputs: result.inputs, failures: engineFailures(result.inputs, result.failures ?? []) };
}

/**
 * What the cluster holds, with the program's own declarations in place of its resources'
 * current records (a connector renamed in this update is declared under its new name).
 */
function withDeclared(registered: RegisteredConnector[], declared: DeclaredConnector[]): RegisteredConnector[] {
  const owners = new Set(declared.map((d) => d.owner));
  const program: RegisteredConnector[] = declared.map((d) => ({
    group: d.groupName,
    name: d.name,
    topicPrefix: d.topicPrefix,
    source: { host: d.source.host, port: d.source.port, database: d.source.database, serverId: d.serverId },
    metadata: { owner: d.owner },
    declared: true,
  }));
  return [...registered.filter((r) => !r.metadata?.owner || !owners.has(r.metadata.owner)), ...program];
}

/** The source server's identity (see serverIdentity), read with the account or the admin; undefined if it cannot be read. */
async function sourceIdentity(inputs: ConnectorInputs): Promise<string | undefined> {
  const admin = inputs.manageGrants ? { user: inputs.manageGrants.adminUser, password: inputs.manageGrants.adminPassword } : undefined;
  return serverIdentity(sourceLogin(inputs.source, admin)).catch(() => undefined);
}

/** Runs the live prechecks (as the manageGrants admin when given); warnings are shown, failures returned per input property. */
async function precheckFailures(inputs: ConnectorInputs): Promise<CheckFailure[]> {
  const mg = inputs.manageGrants;
  const access = mg ? { ...sourceAccess(inputs), user: mg.adminUser, password: mg.adminPassword } : sourceAccess(inputs);
  try {
    const result = await runPrechecks(access);
    for (const warning of result.warnings) note(`warning: connector ${inputs.name}: ${warning}`);
    // The admin's own grants are not the account's (adminFailures judges them).
    return result.errors.filter((e) => !mg || e.code !== "GRANT_MISSING").map(sourceFailure);
  } catch (error) {
    // A failed admin login is adminFailures' to report.
    if (mg && error instanceof CdcError && error.code === "SOURCE_AUTH_FAILED") return [];
    return [sourceFailure(error)];
  }
}

function sourceAccess(inputs: ConnectorInputs) {
  const s = inputs.source;
  return { ...sourceLogin(s), port: s.port ?? 3306, database: s.database, tables: inputs.tables, serverId: effectiveServerId(inputs) };
}

/** Outputs an in-place update keeps: preview shows them known. */
const STABLE_OUTPUTS = ["name", "groupName", "consumerGroup", "transactionalId"];

export async function diff(_id: string, props: ConnectorOutputs, news: ConnectorInputs): Promise<pulumi.dynamic.DiffResult> {
  const olds = upgrade(props);
  const d = diffConnector(olds, news);
  // The group's key is unknown in preview when the group is new (a move to a new group): the
  // notes do not need it.
  if (!containsUnknown({ ...news, groupKey: undefined })) {
    const lines = d.replaces.length > 0 ? describeReplacement(d, olds, news) : describeUpdate(d, olds, news);
    if (d.changes && d.replaces.length === 0) lines.push(...(await cleanupLines(news)));
    for (const line of lines) note(line);
  }
  return withDetailedDiff(
    { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: d.deleteBeforeReplace },
    d.detailed,
    { stables: d.replaces.length === 0 ? STABLE_OUTPUTS : [], outputs: ["status"] },
  );
}

/** What the update will do with the topics the runtime made that the new config no longer writes. */
async function cleanupLines(news: ConnectorInputs): Promise<string[]> {
  try {
    const c = await claimCleanup(providerKafka(news.kafka, "diff"), news);
    return describeClaimCleanup(news.name, c.remove, c.keep, c.release);
  } catch (error) {
    return [`warning: connector ${news.name}: cannot tell which of its topics the update deletes: ${(error as Error).message}`];
  }
}

export async function create(inputs: ConnectorInputs): Promise<pulumi.dynamic.CreateResult<ConnectorOutputs>> {
  const kafka = providerKafka(inputs.kafka, "deploy");
  const handover: Handover | undefined = inputs.replacing ? await takeOver(kafka, inputs, inputs.replacing) : undefined;
  try {
    const outs = await deploy(undefined, inputs, handover?.grants);
    return { id: `${inputs.groupName}/${inputs.name}`, outs };
  } catch (error) {
    await handover?.undo().catch((undoError: Error) => note(`warning: connector ${inputs.name}: could not give ${inputs.replacing?.name} back what it took over: ${undoError.message}`));
    throw error;
  }
}

export async function update(_id: string, olds: ConnectorOutputs, news: ConnectorInputs): Promise<pulumi.dynamic.UpdateResult<ConnectorOutputs>> {
  const outs = await deploy(upgrade(olds), news);
  await cleanUpAfterUpdate(providerKafka(news.kafka, "deploy"), news);
  return { outs };
}

/** Prechecks, the config record, then waits until the runtime reports on this revision. */
async function deployConfig(inputs: ConnectorInputs, first: boolean, grants: AppliedGrants | undefined): Promise<{ revision: string; status: StatusRecord }> {
  const prechecks = await runPrechecks(sourceAccess(inputs));
  for (const warning of prechecks.warnings) note(`warning: connector ${inputs.name}: ${warning}`);
  if (prechecks.errors.length > 0) throw combineErrors(prechecks.errors);

  const topics = groupTopics(inputs.groupName);
  const kafka = providerKafka(inputs.kafka, "deploy");
  const revision = `${Date.now().toString(36)}-${crypto.randomBytes(4).toString("hex")}`;
  const r = inputs.replacing;
  // The TLS key travels like the password: encrypted with the group key, under its own context.
  const tlsKey = inputs.source.tls?.key;
  const record = configRecord(inputs, encryptSecret(inputs.source.password, inputs.groupKey, inputs.name), revision, {
    sourceServer: await serverIdentity(sourceLogin(inputs.source)),
    ...(grants ? { managedGrants: grants } : {}),
    ...(r ? { replaces: { group: r.group, name: r.name, position: r.takesPosition, grants: r.takesGrants } } : {}),
  }, tlsKey ? encryptSecret(tlsKey, inputs.groupKey, tlsKeyContext(inputs.name)) : undefined);
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

/**
 * Grants, then the config; a first deploy that fails revokes what it granted (no state records
 * it). `taken`: the grants record of the connector this one replaces.
 */
async function deploy(olds: ConnectorOutputs | undefined, inputs: ConnectorInputs, taken?: AppliedGrants): Promise<ConnectorOutputs> {
  const before = olds?.grants ?? taken;
  const grants = inputs.manageGrants ? await applyGrants(inputs.source, inputs.tables, inputs.manageGrants, before) : olds?.grants;
  let deployed: { revision: string; status: StatusRecord };
  try {
    deployed = await deployConfig(inputs, !olds, grants);
  } catch (error) {
    // Only what this deploy itself granted: grants taken over go back with the predecessor.
    if (!olds && !taken && inputs.manageGrants && grants) await revokeGrants(inputs.source, inputs.manageGrants, grants).catch(() => undefined);
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
  const kafka = providerKafka(olds.kafka, "read");
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
  const kafka = providerKafka(olds.kafka, "delete");
  // A replacement that took over from this connector (it stopped it already) keeps what it took.
  const successor = olds.owner ? findSuccessor(olds, await registeredConnectors(kafka)) : undefined;
  if (successor && successor.group === olds.groupName && successor.name === olds.name) {
    // Replaced under the same key (a new host, port or database): config, offset, status, lease
    // group and topics are the successor's now; grants on another server are still this one's.
    note(`connector ${olds.name}: replaced in place by the connector of its new source, which took over its topics`);
    if (olds.manageGrants && olds.grants && !successor.metadata?.replaces?.grants) await revokeGrants(olds.source, olds.manageGrants, olds.grants);
    return;
  }
  await writeRecord(kafka, topics.configs, olds.name, null);
  // The runtime removes the status once the connector stopped; only then is the offset safe to drop.
  const stopped = await waitForStop(kafka, topics.status, olds.name, 60_000);
  if (!stopped) note(`connector ${olds.name}: no runtime confirmed the stop within 60 s; removing its offsets anyway`);
  await writeRecord(kafka, topics.offsets, olds.name, null);
  if (!stopped) await writeRecord(kafka, topics.status, olds.name, null);
  // A successor of the same name (a move to another group) uses the same lease group.
  if (successor?.name !== olds.name) await deleteLeaseGroup(kafka, olds.name);
  if (successor) {
    const taken = [successor.metadata?.replaces?.position ? "its binlog position" : "", "its topics", successor.metadata?.replaces?.grants ? "its account and grants" : ""].filter(Boolean);
    note(`connector ${olds.name}: replaced by ${successor.name} (resource group ${successor.group}), which took over ${taken.join(", ")}`);
  } else {
    await removeClaimedTopics(kafka, olds.groupName, olds.name, olds.retainOnDelete === true);
  }
  if (olds.manageGrants && olds.grants && !successor?.metadata?.replaces?.grants) await revokeGrants(olds.source, olds.manageGrants, olds.grants);
}

/** Reads state written by any earlier version of this provider (stateVersion absent = 1). */
export function upgrade(props: ConnectorOutputs): ConnectorOutputs {
  return { ...props, status: props.status ?? { state: "UNKNOWN" }, stateVersion: CONNECTOR_STATE_VERSION };
}
