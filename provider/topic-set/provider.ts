/**
 * TopicSet's dynamic provider methods (loaded by name inside each serialized method, see
 * ../dynamic.ts). Live facts come from the source (primary keys) and the cluster (topics); the
 * decisions are the pure functions of ./plan.
 */
import type * as pulumi from "@pulumi/pulumi";
import { tableTopic } from "../../runtime/contract/names";
import { DEFAULT_PARTITION_CHECK_MS } from "../../runtime/pipeline/partition-watch";
import { brokerVersionFailures, withAdmin } from "../kafka";
import { kafkaSecurityNotes } from "../kafka-inputs";
import { lookupTables } from "../source-lookup";
import { engineFailures, kafkaFailure, knownFailures, note, sourceFailure } from "../diagnostics";
import { withDetailedDiff } from "../dynamic-diff";
import { containsUnknown } from "../types";
import type { KafkaAdmin } from "../../runtime/sink/admin";
import { declareTopicSet } from "../program-registry";
import { TOPIC_SET_SHAPE, unknownPropertyFailures } from "../properties";
import { topicSettingsFailures } from "../topic-validation";
import { deletion } from "./member";
import { deletionRuleChange, planOwnership } from "./ownership";
import { describePrefixChange, describeTopicChanges } from "./preview-notes";
import {
  checkCapacity,
  configDrift,
  detailedTopicSetDiff,
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

async function checkInputs(given: TopicSetInputs | undefined, news: TopicSetInputs): Promise<pulumi.dynamic.CheckResult<TopicSetInputs>> {
  // The host passes {} as the old inputs of a resource being created.
  const olds = given && Object.keys(given).length > 0 ? given : undefined;
  const inputs: TopicSetInputs = { ...news };
  delete inputs.plannedPartitions;
  delete inputs.ownership;
  delete inputs.retained;
  // During preview some inputs may be outputs of other resources, not known yet: the live planning
  // waits for them, and static rules only judge what is known.
  const failures = knownFailures(inputs, [...unknownPropertyFailures(inputs, TOPIC_SET_SHAPE, "TopicSet"), ...validateTopicSetInputs(inputs), ...deletionRuleChange(olds, inputs)]);
  if (failures.length > 0 || containsUnknown(inputs)) return { inputs, failures };
  const twin = inputs.owner ? declareTopicSet({ owner: inputs.owner, topicPrefix: inputs.topicPrefix, tables: inputs.tables, topicConfigs: inputs.topicConfigs }) : undefined;
  if (twin) {
    failures.push({ property: "topicPrefix", reason: `${JSON.stringify(inputs.topicPrefix)} is also the prefix of another TopicSet of this program (${twin}); both would manage the same topics: give each its own prefix` });
    return { inputs, failures };
  }
  for (const line of kafkaSecurityNotes(inputs.kafka, `TopicSet ${inputs.topicPrefix}`)) note(line);

  let withPrimaryKey = new Set<string>();
  let sourceTables: Set<string> | undefined;
  let lookupError: unknown;
  if (needsPrimaryKeyLookup(inputs).length > 0 && inputs.source) {
    try {
      const facts = await lookupTables(inputs.source, needsPrimaryKeyLookup(inputs));
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
    failures.push(...(await brokerVersionFailures(inputs.kafka)));
    existing = await withAdmin(inputs.kafka, async (admin) => {
      // What the broker would refuse when making a topic, said now rather than in up.
      if (inputs.replicationFactor !== undefined || inputs.topicConfigs) {
        failures.push(...(await topicSettingsFailures(admin, { partitions: 1, replicationFactor: inputs.replicationFactor, configs: inputs.topicConfigs }, "replicationFactor", "topicConfigs")));
      }
      return admin.allTopics();
    });
  } catch (error) {
    failures.push(kafkaFailure(error));
    return { inputs, failures };
  }
  // Topics that exist keep their partitions, so only tables without a topic need the source.
  const unplanned = needsPrimaryKeyLookup(inputs).filter((t) => !existing.has(tableTopic(inputs.topicPrefix, t)));
  if (lookupError && unplanned.length > 0) {
    failures.push(sourceFailure(lookupError));
    return { inputs, failures };
  }
  const plan = planPartitions(inputs, withPrimaryKey, existing, sourceTables);
  failures.push(...plan.failures);
  failures.push(...checkCapacity(inputs.topicPrefix, plan.planned, existing, inputs.kafka.limits));
  if (!lookupError) for (const line of plan.notes) note(`TopicSet ${inputs.topicPrefix}: ${line}`);
  const owned = planOwnership(olds, inputs, new Set(existing.keys()));
  const planned: TopicSetInputs = { ...inputs, plannedPartitions: plan.planned, ownership: owned.ownership, retained: owned.retained };
  // A first create has no diff to speak for it: what it adopts is said here.
  if (!olds) for (const line of describeTopicChanges(inputs.topicPrefix, { ...topicChanges(undefined, planned), create: [] }, DEFAULT_PARTITION_CHECK_MS / 1000)) note(line);
  return { inputs: planned, failures };
}

/** check, with its failures as the engine prints them (see engineFailures). */
export async function check(olds: TopicSetInputs | undefined, news: TopicSetInputs): Promise<pulumi.dynamic.CheckResult<TopicSetInputs>> {
  const result = await checkInputs(olds, news);
  return { inputs: result.inputs, failures: engineFailures(result.inputs, result.failures ?? []) };
}

export async function diff(_id: string, props: TopicSetOutputs, news: TopicSetInputs): Promise<pulumi.dynamic.DiffResult> {
  const olds = upgrade(props);
  const result = diffTopicSet(olds, news);
  // State from before members deleted removed tables' topics is brought up to date once.
  const legacy = !result.changes && stateVersionOf(props) < TOPIC_SET_STATE_VERSION;
  if (!containsUnknown(news)) {
    if (result.replaces.length > 0) {
      const old = topicChanges(olds, { ...news, tables: [] });
      for (const line of describePrefixChange(olds.topicPrefix, news.topicPrefix, { remove: old.remove, keep: [...old.retain, ...old.keepAdopted] })) note(line);
    } else if (result.changes) {
      for (const line of describeTopicChanges(news.topicPrefix, topicChanges(olds, news), DEFAULT_PARTITION_CHECK_MS / 1000)) note(line);
    } else if (legacy) {
      note(`TopicSet ${news.topicPrefix}: its state is brought up to date (topics of removed tables are now deleted at the end of an update); nothing changes on the cluster`);
    }
  }
  return withDetailedDiff({ ...result, changes: result.changes || legacy }, detailedTopicSetDiff(olds, news));
}

export async function create(inputs: TopicSetInputs): Promise<pulumi.dynamic.CreateResult<TopicSetOutputs>> {
  const topics = await apply(undefined, inputs, false);
  return { id: `${inputs.topicPrefix}`, outs: { ...inputs, topics, stateVersion: TOPIC_SET_STATE_VERSION } };
}

export async function update(_id: string, olds: TopicSetOutputs, news: TopicSetInputs): Promise<pulumi.dynamic.UpdateResult<TopicSetOutputs>> {
  // Before members existed, the update itself deleted removed tables' topics; now their members do.
  const topics = await apply(upgrade(olds), news, stateVersionOf(olds) < TOPIC_SET_STATE_VERSION);
  return { outs: { ...news, topics, stateVersion: TOPIC_SET_STATE_VERSION } };
}

/**
 * Makes the cluster match the plan; returns the topics as they are afterwards. Removed tables'
 * topics are their members' to delete, at the end of the update (`deleteRemoved`: state from
 * before members, which have none for them).
 */
async function apply(olds: TopicSetOutputs | undefined, news: TopicSetInputs, deleteRemoved: boolean): Promise<Record<string, TopicState>> {
  const changes = topicChanges(olds, news);
  const arriving = [...changes.create, ...changes.adopt, ...changes.takeBack];
  return withAdmin(news.kafka, async (admin) => {
    // A topic that exists already (adopted, taken back, or made since check) is used as it is, not recreated.
    const live = await admin.partitionCounts(arriving.map((t) => t.topic));
    const toCreate = arriving.filter((t) => live.missing.includes(t.topic));
    const toGrow = [...changes.grow, ...arriving.filter((t) => (live.counts.get(t.topic) ?? t.partitions) < t.partitions)];
    await admin.createTopics(toCreate.map((t) => ({ topic: t.topic, partitions: t.partitions, replicationFactor: news.replicationFactor, configs: news.topicConfigs })));
    await admin.raisePartitions(toGrow.map((t) => ({ topic: t.topic, count: t.partitions })));
    // Existing topics take topicConfigs too; configs removed from it go back to the broker's default.
    await admin.setTopicConfigs(changes.reconfigure, news.topicConfigs ?? {}, changes.unsetConfigs);
    await admin.setTopicConfigs(arriving.filter((t) => !toCreate.includes(t)).map((t) => t.topic), news.topicConfigs ?? {});
    if (deleteRemoved) await admin.deleteTopics(changes.remove);
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
  const topics = await withAdmin(olds.kafka, (admin) => currentTopics(admin, olds.topicPrefix, olds.tables, olds.topicConfigs));
  for (const table of olds.tables) {
    const topic = topics[table];
    if (!topic) note(`TopicSet ${olds.topicPrefix}: topic ${tableTopic(olds.topicPrefix, table)} no longer exists (deleted outside Pulumi); pulumi up recreates it`);
    const drift = topic ? configDrift(topic, olds.topicConfigs) : [];
    if (drift.length > 0) note(`TopicSet ${olds.topicPrefix}: topic ${topic?.topic} has ${drift.join(", ")}, changed outside Pulumi; pulumi up sets it back`);
  }
  return { id, props: { ...olds, topics } };
}

/**
 * The members delete the tables' topics before the TopicSet goes (they are its children); what
 * is left of its own topics (state from before members) goes here, by the same rules.
 */
export async function del(_id: string, props: TopicSetOutputs): Promise<void> {
  const olds = upgrade(props);
  const rule = { brokers: olds.kafka.brokers, topicPrefix: olds.topicPrefix, retainOnDelete: olds.retainOnDelete, deleteAdoptedTopics: olds.deleteAdoptedTopics };
  const doomed = Object.entries(olds.topics).filter(([table, t]) => deletion({ ...rule, table, topic: t.topic, ownership: olds.ownership?.[table] ?? "created" }).delete).map(([, t]) => t.topic);
  if (olds.retainOnDelete) note(`TopicSet ${olds.topicPrefix}: keeping its topics (retainOnDelete)`);
  await withAdmin(olds.kafka, (admin) => admin.deleteTopics(doomed));
}

/** The state version an output was written with (absent: 1). */
function stateVersionOf(props: TopicSetOutputs): number {
  return props.stateVersion ?? 1;
}

/** Reads state written by any earlier version of this provider (stateVersion absent = 1). */
export function upgrade(props: TopicSetOutputs): TopicSetOutputs {
  return { ...props, topics: props.topics ?? {}, stateVersion: TOPIC_SET_STATE_VERSION };
}
