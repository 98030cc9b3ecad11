/**
 * A Connector renamed, moved to another group or pointed at another address of its source is
 * replaced: the engine creates the new connector first and deletes the old one at the end of the
 * update. The new one takes over from the old one itself, before it starts:
 *   1. the old config is withdrawn (a tombstone) and the runtime confirms the old connector
 *      stopped, having committed everything complete: from here on nothing else writes for it;
 *   2. on the same source server and database, its committed offset (binlog position, row skip,
 *      sequence) becomes the new connector's, so the new one resumes exactly where the old one
 *      stopped: no change lost, none repeated;
 *   3. the topics the runtime made for the old one (claims) and, on the same server and account,
 *      its manageGrants record become the new one's, so the old one's delete keeps them.
 * If the new connector then fails to deploy, undo() gives everything back and restores the old
 * config: the old connector resumes from its own offset, which was never touched.
 */
import type { Kafka } from "kafkajs";
import { recordMetadata, type ManagedGrants } from "../../runtime/contract/config";
import { groupTopics } from "../../runtime/contract/names";
import { claimsOf, encodeRecord, topicClaimKey, type OffsetRecord } from "../../runtime/contract/records";
import { CdcError } from "../../runtime/errors";
import { readTopicToEnd } from "../../runtime/sink/topic-reader";
import { note } from "../diagnostics";
import { waitForStop, writeRecord, writeRecords } from "./control-plane";
import type { ConnectorInputs, Replacing } from "./plan";
import type { RegisteredConnector } from "./uniqueness";

/** How long the old connector has to stop before the replacement gives up (and restores it). */
export const HANDOVER_STOP_TIMEOUT_MS = 60_000;

/**
 * What a replacement takes over from its predecessor. `identity` is the new source's
 * serverIdentity() when it could be read: the same server reached by another address (a DNS
 * name for an IP, a proxy port) keeps its binlog, so its position carries over.
 */
export function planReplacement(news: ConnectorInputs, predecessor: RegisteredConnector, identity: string | undefined): Replacing {
  const from = predecessor.source ?? {};
  const sameAddress = from.host === news.source.host && (from.port ?? 3306) === (news.source.port ?? 3306);
  const known = predecessor.metadata?.sourceServer;
  const sameServer = sameAddress || (known !== undefined && identity !== undefined && known === identity);
  const grants = predecessor.metadata?.managedGrants;
  return {
    group: predecessor.group,
    name: predecessor.name,
    takesPosition: sameServer && from.database === news.source.database,
    takesGrants: sameServer && !!news.manageGrants && !!grants && grants.user === news.source.user,
    from: { host: from.host, port: from.port, database: from.database },
  };
}

export interface Handover {
  /** The predecessor's manageGrants record, when it is taken over. */
  grants?: ManagedGrants;
  /** Gives everything back to the predecessor and restarts it (the replacement failed). */
  undo(): Promise<void>;
}

export async function takeOver(kafka: Kafka, inputs: ConnectorInputs, replacing: Replacing): Promise<Handover> {
  const from = groupTopics(replacing.group);
  const to = groupTopics(inputs.groupName);
  const previous = (await readTopicToEnd(kafka, from.configs)).get(replacing.name) ?? null;
  const restoreConfig = async () => {
    if (previous) await writeRecord(kafka, from.configs, replacing.name, previous);
  };
  if (previous) await writeRecord(kafka, from.configs, replacing.name, null);
  note(`connector ${inputs.name}: stopping ${replacing.name}, which it replaces`);
  if (!(await waitForStop(kafka, from.status, replacing.name, HANDOVER_STOP_TIMEOUT_MS))) {
    await restoreConfig();
    throw new CdcError(
      "HANDOVER_FAILED",
      `connector ${replacing.name}, which ${inputs.name} replaces, did not confirm its stop within ${HANDOVER_STOP_TIMEOUT_MS / 1000} s (is its resource group's runtime running?); it was left as it was.`,
    );
  }
  // Under the same key (a new host, port or database of the same connector name and group),
  // the offset and the claims are already where the replacement looks for them.
  const sameKey = replacing.group === inputs.groupName && replacing.name === inputs.name;
  const offset = (await readTopicToEnd(kafka, from.offsets)).get(replacing.name) ?? null;
  const undoOffset: (() => Promise<void>)[] = [];
  if (replacing.takesPosition && offset) {
    const record = JSON.parse(offset.toString("utf8")) as OffsetRecord;
    if (!sameKey) {
      await writeRecord(kafka, to.offsets, inputs.name, encodeRecord({ ...record, connector: inputs.name, at: new Date().toISOString() }));
      undoOffset.push(() => writeRecord(kafka, to.offsets, inputs.name, null));
    }
    note(`connector ${inputs.name}: resumes at ${record.position.file}:${record.position.pos} where ${replacing.name} stopped`);
  } else if (replacing.takesPosition) {
    note(`connector ${inputs.name}: ${replacing.name} has no committed position; ${inputs.name} starts at its startPosition`);
  } else if (sameKey && offset) {
    // Another server or database: the old position means nothing there; start as a new connector.
    await writeRecord(kafka, from.offsets, replacing.name, null);
    undoOffset.push(() => writeRecord(kafka, from.offsets, replacing.name, offset));
  }
  const claims = sameKey ? [] : claimsOf(await readTopicToEnd(kafka, from.status), replacing.name);
  const moveClaims = async (fromName: string, fromStatus: string, toName: string, toStatus: string) => {
    await writeRecords(kafka, toStatus, claims.map((c) => [topicClaimKey(toName, c.topic), encodeRecord({ ...c, connector: toName })]));
    await writeRecords(kafka, fromStatus, claims.map((c) => [topicClaimKey(fromName, c.topic), null]));
  };
  await moveClaims(replacing.name, from.status, inputs.name, to.status);
  return {
    grants: replacing.takesGrants && previous ? recordMetadata(JSON.parse(previous.toString("utf8"))).managedGrants : undefined,
    async undo() {
      for (const step of undoOffset) await step();
      await moveClaims(inputs.name, to.status, replacing.name, from.status);
      await restoreConfig();
      note(`connector ${inputs.name}: did not deploy; ${replacing.name} was given back its topics and config, and resumes from its own position`);
    },
  };
}
