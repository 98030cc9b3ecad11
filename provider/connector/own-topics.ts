/**
 * The topics the runtime made for a connector (its claims in the group's status topic, see
 * runtime/contract/records.ts TopicClaim) belong to the Connector: they go when it is deleted,
 * and when its config stops writing to them (a new prefix leaves <old>_heartbeat behind, say).
 * A dead letter topic goes only when it is empty: its records are the only trace of the changes
 * they stand for. retainOnDelete keeps them all on delete.
 */
import type { Kafka } from "kafkajs";
import { matchesAutoAdd, normalizeConnectorConfig, type ConnectorConfig } from "../../runtime/contract/config";
import { groupTopics, heartbeatTopic, tableTopic } from "../../runtime/contract/names";
import { claimsOf, topicClaimKey, type TopicClaim } from "../../runtime/contract/records";
import { KafkaAdmin } from "../../runtime/sink/admin";
import { readTopicToEnd } from "../../runtime/sink/topic-reader";
import { note } from "../diagnostics";
import { writeRecords } from "./control-plane";
import { configRecord, type ConnectorInputs } from "./plan";
import { describeClaimCleanup, describeDeletedTopics } from "./preview-notes";

export interface ClaimPlan {
  /** Still written by the config: kept. */
  keep: TopicClaim[];
  /** No longer written: deleted (a dead letter topic only when empty). */
  remove: TopicClaim[];
  /** An auto-added table now listed in tables: its topic stays and is no longer the connector's. */
  release: TopicClaim[];
}

/** Which claims the config still writes to. */
export function planClaims(claims: TopicClaim[], config: ConnectorConfig): ClaimPlan {
  const plan: ClaimPlan = { keep: [], remove: [], release: [] };
  const written = new Set([config.deadLetterTopic, ...(config.ddlTopic ? [config.ddlTopic] : []), ...(config.heartbeatSeconds > 0 ? [heartbeatTopic(config.topicPrefix)] : [])]);
  for (const claim of claims) {
    const ownTable = claim.kind === "table" && claim.table !== undefined && claim.topic === tableTopic(config.topicPrefix, claim.table);
    if (ownTable && config.source.tables.includes(claim.table as string)) plan.release.push(claim);
    else if (written.has(claim.topic) || (ownTable && matchesAutoAdd(config.source.autoAddTables, claim.table as string))) plan.keep.push(claim);
    else plan.remove.push(claim);
  }
  return plan;
}

/** The config the runtime runs from these inputs (the password is not needed to plan topics). */
function runConfig(inputs: ConnectorInputs): ConnectorConfig | undefined {
  const result = normalizeConnectorConfig(configRecord(inputs, undefined, "topics"));
  return result.ok ? result.config : undefined;
}

/** The connector's claims as its group's status topic holds them now. */
export async function currentClaims(kafka: Kafka, groupName: string, name: string): Promise<TopicClaim[]> {
  return claimsOf(await readTopicToEnd(kafka, groupTopics(groupName).status), name);
}

/** Records held by each dead letter topic among the claims (the others are not asked). */
async function deadLetterCounts(admin: KafkaAdmin, claims: TopicClaim[]): Promise<Map<string, bigint>> {
  const counts = new Map<string, bigint>();
  const { counts: existing } = await admin.partitionCounts(claims.filter((c) => c.kind === "deadLetter").map((c) => c.topic));
  for (const topic of existing.keys()) counts.set(topic, [...(await admin.highWatermarks(topic)).values()].reduce((a, b) => a + b, 0n));
  return counts;
}

export interface ClaimCleanup {
  remove: TopicClaim[];
  keep: { topic: string; records: bigint }[];
  release: TopicClaim[];
}

/** What cleaning up after a config change (inputs: the new config) will do: preview's lines come from it. */
export async function claimCleanup(kafka: Kafka, inputs: ConnectorInputs): Promise<ClaimCleanup> {
  const config = runConfig(inputs);
  if (!config) return { remove: [], keep: [], release: [] };
  return planRemoval(kafka, planClaims(await currentClaims(kafka, inputs.groupName, inputs.name), config));
}

async function planRemoval(kafka: Kafka, plan: Pick<ClaimPlan, "remove" | "release">): Promise<ClaimCleanup> {
  if (plan.remove.length === 0) return { remove: [], keep: [], release: plan.release };
  const admin = await KafkaAdmin.connect(kafka);
  try {
    const held = await deadLetterCounts(admin, plan.remove);
    const keep = [...held].filter(([, records]) => records > 0n).map(([topic, records]) => ({ topic, records }));
    return { remove: plan.remove.filter((c) => !keep.some((k) => k.topic === c.topic)), keep, release: plan.release };
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the claimed topics to remove and drops the claims let go (kept dead letters stay claimed). */
async function apply(kafka: Kafka, groupName: string, name: string, cleanup: ClaimCleanup, lines: string[]): Promise<void> {
  if (cleanup.remove.length > 0) {
    const admin = await KafkaAdmin.connect(kafka);
    try {
      await admin.deleteTopics(cleanup.remove.map((c) => c.topic));
    } finally {
      await admin.disconnect();
    }
  }
  const dropped = [...cleanup.remove, ...cleanup.release];
  await writeRecords(kafka, groupTopics(groupName).status, dropped.map((c) => [topicClaimKey(name, c.topic), null]));
  for (const line of lines) note(line);
}

/** After an update is RUNNING: the topics the new config no longer writes go. */
export async function cleanUpAfterUpdate(kafka: Kafka, inputs: ConnectorInputs): Promise<void> {
  const cleanup = await claimCleanup(kafka, inputs);
  await apply(kafka, inputs.groupName, inputs.name, cleanup, describeClaimCleanup(inputs.name, cleanup.remove, cleanup.keep, cleanup.release));
}

/** On delete: every claimed topic goes (dead letters when empty), unless retainOnDelete. */
export async function removeClaimedTopics(kafka: Kafka, groupName: string, name: string, retain: boolean): Promise<void> {
  const claims = await currentClaims(kafka, groupName, name);
  if (claims.length === 0) return;
  if (retain) {
    note(`connector ${name}: keeps the topics it made (retainOnDelete): ${claims.map((c) => c.topic).join(", ")}`);
    await writeRecords(kafka, groupTopics(groupName).status, claims.map((c) => [topicClaimKey(name, c.topic), null]));
    return;
  }
  const cleanup = await planRemoval(kafka, { remove: claims, release: [] });
  await apply(kafka, groupName, name, cleanup, describeDeletedTopics(name, cleanup.remove, cleanup.keep));
  // A kept dead letter topic is the user's now: its claim goes too (the group may be deleted next).
  await writeRecords(kafka, groupTopics(groupName).status, cleanup.keep.map((k) => [topicClaimKey(name, k.topic), null]));
}
