/**
 * TopicSet's dynamic provider methods (loaded by name inside each serialized method, see
 * ../dynamic.ts). Live facts come from the source (primary keys) and the cluster (topics); the
 * decisions are the pure functions of ./plan.
 */
import type * as pulumi from "@pulumi/pulumi";
import { tableTopic } from "../../runtime/contract/names";
import { withAdmin } from "../kafka";
import { lookupTables } from "../source-lookup";
import { failureOf, knownFailures, note } from "../diagnostics";
import { containsUnknown } from "../types";
import type { KafkaAdmin } from "../../runtime/sink/admin";
import {
  checkCapacity,
  configDrift,
  diffTopicSet,
  needsPrimaryKeyLookup,
  planPartitions,
  topicChanges,
  TOPIC_SET_STATE_VERSION,
  validateTopicSetInputs,
  type TopicSetInputs,
  type TopicSetOutputs,
  type TopicState,
} from "./plan";

export async function check(_olds: TopicSetInputs | undefined, news: TopicSetInputs): Promise<pulumi.dynamic.CheckResult<TopicSetInputs>> {
  const inputs: TopicSetInputs = { ...news };
  delete inputs.plannedPartitions;
  // During preview some inputs may be outputs of other resources, not known yet: the live planning
  // waits for them, and static rules only judge what is known.
  const failures = knownFailures(inputs, validateTopicSetInputs(inputs));
  if (failures.length > 0 || containsUnknown(inputs)) return { inputs, failures };

  let withPrimaryKey = new Set<string>();
  let sourceTables: Set<string> | undefined;
  let lookupError: unknown;
  if (needsPrimaryKeyLookup(inputs).length > 0 && inputs.source) {
    try {
      const facts = await lookupTables(inputs.source);
      withPrimaryKey = facts.withPrimaryKey;
      sourceTables = facts.existing;
      const absent = inputs.tables.filter((t) => !facts.existing.has(t));
      if (absent.length > 0) {
        failures.push({ property: "tables", reason: `database ${inputs.source.database} has no table ${absent.join(", ")}; create it first or remove it from tables` });
      }
    } catch (error) {
      lookupError = error;
    }
  }
  let existing: Map<string, number>;
  try {
    existing = await withAdmin(inputs.kafka.brokers, (admin) => admin.allTopics());
  } catch (error) {
    failures.push(failureOf("kafka.brokers", error));
    return { inputs, failures };
  }
  // Topics that exist keep their partitions, so only tables without a topic need the source.
  const unplanned = needsPrimaryKeyLookup(inputs).filter((t) => !existing.has(tableTopic(inputs.topicPrefix, t)));
  if (lookupError && unplanned.length > 0) {
    failures.push(failureOf("source", lookupError));
    return { inputs, failures };
  }
  const plan = planPartitions(inputs, withPrimaryKey, existing, sourceTables);
  failures.push(...plan.failures);
  failures.push(...checkCapacity(inputs.topicPrefix, plan.planned, existing, inputs.kafka.limits));
  if (!lookupError) for (const line of plan.notes) note(`TopicSet ${inputs.topicPrefix}: ${line}`);
  return { inputs: { ...inputs, plannedPartitions: plan.planned }, failures };
}

export async function diff(_id: string, olds: TopicSetOutputs, news: TopicSetInputs): Promise<pulumi.dynamic.DiffResult> {
  const result = diffTopicSet(upgrade(olds), news);
  if (result.changes && result.replaces.length === 0 && !containsUnknown(news)) {
    const c = topicChanges(upgrade(olds), news);
    for (const t of c.create) note(`TopicSet ${news.topicPrefix}: will create topic ${t.topic} (${t.partitions} partitions)`);
    for (const t of c.grow) note(`TopicSet ${news.topicPrefix}: will raise ${t.topic} to ${t.partitions} partitions`);
    for (const t of c.remove) note(`TopicSet ${news.topicPrefix}: will delete topic ${t}`);
    for (const t of c.retain) note(`TopicSet ${news.topicPrefix}: will keep topic ${t} (retainOnDelete)`);
    for (const t of c.reconfigure) note(`TopicSet ${news.topicPrefix}: will set the configs of ${t} to topicConfigs`);
  }
  return result;
}

export async function create(inputs: TopicSetInputs): Promise<pulumi.dynamic.CreateResult<TopicSetOutputs>> {
  const topics = await apply(undefined, inputs);
  return { id: `${inputs.topicPrefix}`, outs: { ...inputs, topics, stateVersion: TOPIC_SET_STATE_VERSION } };
}

export async function update(_id: string, olds: TopicSetOutputs, news: TopicSetInputs): Promise<pulumi.dynamic.UpdateResult<TopicSetOutputs>> {
  const topics = await apply(upgrade(olds), news);
  return { outs: { ...news, topics, stateVersion: TOPIC_SET_STATE_VERSION } };
}

/** Makes the cluster match the plan; returns the topics as they are afterwards. */
async function apply(olds: TopicSetOutputs | undefined, news: TopicSetInputs): Promise<Record<string, TopicState>> {
  const changes = topicChanges(olds, news);
  return withAdmin(news.kafka.brokers, async (admin) => {
    // Topics that exist already (e.g. created before this TopicSet managed them) are adopted, not recreated.
    const live = await admin.partitionCounts(changes.create.map((t) => t.topic));
    const toCreate = changes.create.filter((t) => live.missing.includes(t.topic));
    const toGrow = [...changes.grow, ...changes.create.filter((t) => (live.counts.get(t.topic) ?? t.partitions) < t.partitions)];
    await admin.createTopics(toCreate.map((t) => ({ topic: t.topic, partitions: t.partitions, replicationFactor: news.replicationFactor, configs: news.topicConfigs })));
    await admin.raisePartitions(toGrow.map((t) => ({ topic: t.topic, count: t.partitions })));
    // Adopted topics take topicConfigs too; configs removed from it go back to the broker's default.
    await admin.setTopicConfigs(changes.reconfigure, news.topicConfigs ?? {}, changes.unsetConfigs);
    await admin.setTopicConfigs(changes.create.filter((t) => !toCreate.includes(t)).map((t) => t.topic), news.topicConfigs ?? {});
    await admin.deleteTopics(changes.remove);
    return currentTopics(admin, news.topicPrefix, news.tables, news.topicConfigs);
  });
}

/** The tables' topics as they are: partition counts, and the values of the configs topicConfigs names. */
async function currentTopics(admin: KafkaAdmin, prefix: string, tables: string[], topicConfigs: Record<string, string> | undefined): Promise<Record<string, TopicState>> {
  const { counts } = await admin.partitionCounts(tables.map((t) => tableTopic(prefix, t)));
  const managed = Object.keys(topicConfigs ?? {});
  const live = managed.length > 0 && counts.size > 0 ? await admin.dynamicTopicConfigs([...counts.keys()]) : new Map<string, Record<string, string>>();
  const topics: Record<string, TopicState> = {};
  for (const table of tables) {
    const topic = tableTopic(prefix, table);
    const partitions = counts.get(topic);
    if (partitions === undefined) continue;
    const own = live.get(topic) ?? {};
    const configs = Object.fromEntries(managed.filter((name) => own[name] !== undefined).map((name) => [name, own[name]]));
    topics[table] = managed.length > 0 ? { topic, partitions, configs } : { topic, partitions };
  }
  return topics;
}

export async function read(id: string, props: TopicSetOutputs): Promise<pulumi.dynamic.ReadResult<TopicSetOutputs>> {
  const olds = upgrade(props);
  const topics = await withAdmin(olds.kafka.brokers, (admin) => currentTopics(admin, olds.topicPrefix, olds.tables, olds.topicConfigs));
  for (const table of olds.tables) {
    const topic = topics[table];
    if (!topic) note(`TopicSet ${olds.topicPrefix}: topic ${tableTopic(olds.topicPrefix, table)} no longer exists (deleted outside Pulumi); pulumi up recreates it`);
    const drift = topic ? configDrift(topic, olds.topicConfigs) : [];
    if (drift.length > 0) note(`TopicSet ${olds.topicPrefix}: topic ${topic?.topic} has ${drift.join(", ")}, changed outside Pulumi; pulumi up sets it back`);
  }
  return { id, props: { ...olds, topics } };
}

export async function del(_id: string, props: TopicSetOutputs): Promise<void> {
  const olds = upgrade(props);
  if (olds.retainOnDelete) {
    note(`TopicSet ${olds.topicPrefix}: keeping its topics (retainOnDelete)`);
    return;
  }
  await withAdmin(olds.kafka.brokers, (admin) => admin.deleteTopics(Object.values(olds.topics ?? {}).map((t) => t.topic)));
}

/** Reads state written by any earlier version of this provider (stateVersion absent = 1). */
export function upgrade(props: TopicSetOutputs): TopicSetOutputs {
  return { ...props, topics: props.topics ?? {}, stateVersion: TOPIC_SET_STATE_VERSION };
}
