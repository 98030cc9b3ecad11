/**
 * TopicSet's pure logic: input validation, the partition plan, the capacity check against the
 * Kafka instance's declared limits, and the per-field diff. The dynamic provider (./provider) feeds
 * these with live facts (which tables have primary keys, which topics exist); tests call them as
 * they are.
 */
import { tableTopic, tableTopicProblem, topicPrefixProblem } from "../../runtime/contract/names";
import type { CheckFailure, KafkaArgs, SourceArgs } from "../types";
import type { TopicOwnership } from "./ownership";
import { kafkaSecurityOf } from "../../runtime/contract/kafka-security";
import { kafkaFailures } from "../kafka-inputs";
import { sourceFailures } from "../source-inputs";

/** Partitions of a table's topic (seed 000): 6 with a primary key, 1 without. */
export const PARTITIONS_WITH_PRIMARY_KEY = 6;
export const PARTITIONS_WITHOUT_PRIMARY_KEY = 1;
/** A sane upper bound per topic; brokers accept more but nothing here needs it. */
export const MAX_PARTITIONS_PER_TOPIC = 1000;

export interface TopicSetInputs {
  kafka: KafkaArgs;
  topicPrefix: string;
  tables: string[];
  /** Read to find which tables have a primary key (not needed when partitions are given for every table). */
  source?: SourceArgs;
  /** One count for every table, or a count per table; the rest are looked up live. */
  partitions?: number | Record<string, number>;
  /** Replication factor of new topics (default: the broker's default.replication.factor). */
  replicationFactor?: number;
  /** Topic configs, e.g. { "retention.ms": "604800000" }. */
  topicConfigs?: Record<string, string>;
  /** Keep the topics of removed tables (and all topics on destroy) instead of deleting them. */
  retainOnDelete?: boolean;
  /** Delete adopted topics (those that existed before this TopicSet) too when their table goes; default: keep them. */
  deleteAdoptedTopics?: boolean;
  /** The Pulumi resource ("<project>/<stack>/<resource>"), set by the resource class: two TopicSets of one program must not share a prefix. */
  owner?: string;
  /** Filled in by check: the partition count planned for each table. */
  plannedPartitions?: Record<string, number>;
  /** Filled in by check: which topics this TopicSet made, which it adopted (./ownership). */
  ownership?: Record<string, TopicOwnership>;
  /** Filled in by check: topics it made and kept when their table was removed (retainOnDelete). */
  retained?: string[];
}

export interface TopicState {
  topic: string;
  partitions: number;
  /**
   * The topic's own values of the configs named in topicConfigs, as last read from the cluster
   * (absent: not read yet). A refresh shows one changed outside Pulumi; an update sets it back.
   */
  configs?: Record<string, string>;
}

/** Outputs: the inputs plus the topics as they are (read/refresh updates them). */
export interface TopicSetOutputs extends TopicSetInputs {
  /** Per table, the topic as it exists; a table whose topic is gone is absent. */
  topics: Record<string, TopicState>;
  stateVersion: number;
}

/**
 * 2: a removed table's topic is deleted by the table's member resource at the end of the update
 * (1: by the TopicSet's own update, before the connector stopped writing it).
 */
export const TOPIC_SET_STATE_VERSION = 2;

/** Static validation, every problem at once. */
export function validateTopicSetInputs(inputs: TopicSetInputs): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  failures.push(...kafkaFailures(inputs.kafka));
  failures.push(...sourceFailures(inputs.source));
  const prefixProblem = topicPrefixProblem(inputs.topicPrefix);
  if (prefixProblem) fail("topicPrefix", `${JSON.stringify(inputs.topicPrefix ?? "")} ${prefixProblem}`);
  if (!Array.isArray(inputs.tables) || inputs.tables.length === 0) {
    fail("tables", "must list at least one table; each gets a topic <topicPrefix>_<table>");
  } else {
    const seen = new Set<string>();
    inputs.tables.forEach((table, i) => {
      if (typeof table !== "string" || table.length === 0 || table.length > 64) {
        fail(`tables[${i}]`, `must be a table name of 1 to 64 characters, got ${JSON.stringify(table)}`);
        return;
      }
      if (seen.has(table)) fail(`tables[${i}]`, `${JSON.stringify(table)} is listed twice; list each table once`);
      seen.add(table);
      const problem = prefixProblem ? undefined : tableTopicProblem(inputs.topicPrefix, table);
      if (problem) fail(`tables[${i}]`, problem);
    });
  }
  const count = (property: string, value: unknown) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_PARTITIONS_PER_TOPIC) {
      fail(property, `must be a whole number from 1 to ${MAX_PARTITIONS_PER_TOPIC}, got ${JSON.stringify(value)}`);
    }
  };
  if (typeof inputs.partitions === "number") count("partitions", inputs.partitions);
  else if (inputs.partitions && typeof inputs.partitions === "object") {
    for (const [table, value] of Object.entries(inputs.partitions)) {
      if (!inputs.tables?.includes(table)) fail(`partitions.${table}`, `names a table that is not in tables; remove it or add ${JSON.stringify(table)} to tables`);
      count(`partitions.${table}`, value);
    }
  } else if (inputs.partitions !== undefined && inputs.partitions !== null) {
    fail("partitions", "must be a number or a map from table to number");
  }
  for (const key of ["retainOnDelete", "deleteAdoptedTopics"] as const) {
    const v = inputs[key];
    if (v !== undefined && typeof v !== "boolean") fail(key, `must be true or false, got ${typeof v === "string" ? "a string" : typeof v}; write ${key}: true or leave it out`);
  }
  if (inputs.replicationFactor !== undefined && (!Number.isInteger(inputs.replicationFactor) || inputs.replicationFactor < 1 || inputs.replicationFactor > 32)) {
    fail("replicationFactor", `must be a whole number from 1 to 32, got ${JSON.stringify(inputs.replicationFactor)}`);
  }
  for (const [name, value] of Object.entries(inputs.topicConfigs ?? {})) {
    if (typeof value !== "string") fail(`topicConfigs.${name}`, `must be a string (Kafka topic configs are strings), got ${JSON.stringify(value)}`);
  }
  const limits = inputs.kafka?.limits ?? {};
  for (const key of ["maxTopics", "maxPartitions"] as const) {
    const v = limits[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) fail(`kafka.limits.${key}`, `must be a positive whole number, got ${JSON.stringify(v)}`);
  }
  const lookup = needsPrimaryKeyLookup(inputs);
  if (lookup.length > 0 && !inputs.source) {
    fail("source", `is needed to look up which tables have a primary key (${lookup.join(", ")}); give source, or partitions for every table`);
  }
  return failures;
}

/** Tables whose partition count is not given explicitly. */
export function needsPrimaryKeyLookup(inputs: TopicSetInputs): string[] {
  if (typeof inputs.partitions === "number") return [];
  // tables may be the unknown marker during preview (a string): nothing to look up yet.
  return (Array.isArray(inputs.tables) ? inputs.tables : []).filter((t) => explicitPartitions(inputs, t) === undefined);
}

/** The count given for a table, if any (own keys only: a table may be called "constructor"). */
function explicitPartitions(inputs: TopicSetInputs, table: string): number | undefined {
  if (typeof inputs.partitions === "number") return inputs.partitions;
  const map = inputs.partitions;
  return map && typeof map === "object" && Object.hasOwn(map, table) ? map[table] : undefined;
}

export interface PartitionPlan {
  planned: Record<string, number>;
  failures: CheckFailure[];
  /** Notes for the user (shown in preview). */
  notes: string[];
}

/**
 * The partition count of each table's topic: the explicit count, else 6 with a primary key and 1
 * without. An existing topic is never planned smaller: Kafka cannot shrink partitions, so an
 * explicit smaller count is a failure, and a derived one keeps the existing count.
 */
export function planPartitions(
  inputs: TopicSetInputs,
  withPrimaryKey: ReadonlySet<string>,
  existing: ReadonlyMap<string, number>,
  sourceTables?: ReadonlySet<string>,
): PartitionPlan {
  // A Map, then fromEntries: any table name (even "__proto__") becomes an own property.
  const planned = new Map<string, number>();
  const failures: CheckFailure[] = [];
  const notes: string[] = [];
  for (const table of inputs.tables) {
    const explicit = explicitPartitions(inputs, table);
    const derived = withPrimaryKey.has(table) ? PARTITIONS_WITH_PRIMARY_KEY : PARTITIONS_WITHOUT_PRIMARY_KEY;
    const topic = tableTopic(inputs.topicPrefix, table);
    const current = existing.get(topic);
    let count = explicit ?? derived;
    if (current !== undefined && count < current) {
      if (explicit !== undefined) {
        const property = typeof inputs.partitions === "number" ? "partitions" : `partitions.${table}`;
        failures.push({
          property,
          reason: `asks for ${explicit} partitions but topic ${topic} has ${current}: Kafka cannot shrink partitions. Keep ${current} or more, or move to new topics with a new topicPrefix (which replaces the TopicSet)`,
        });
      }
      count = current;
    }
    if (explicit === undefined && current === undefined && !withPrimaryKey.has(table) && (!sourceTables || sourceTables.has(table))) {
      notes.push(`table ${table} has no primary key: topic ${topic} gets 1 partition, so its changes keep their order`);
    }
    planned.set(table, count);
  }
  return { planned: Object.fromEntries(planned), failures, notes };
}

export interface CapacityUse {
  topics: number;
  partitions: number;
}

/**
 * Compares what exists plus what the plan adds with the instance's declared limits.
 * `existing` lists every topic of the cluster with its partitions.
 */
export function checkCapacity(
  prefix: string,
  planned: Record<string, number>,
  existing: ReadonlyMap<string, number>,
  limits: KafkaArgs["limits"],
): CheckFailure[] {
  const add = capacityToAdd(prefix, planned, existing);
  const now: CapacityUse = { topics: existing.size, partitions: [...existing.values()].reduce((a, b) => a + b, 0) };
  const failures: CheckFailure[] = [];
  if (limits?.maxTopics !== undefined && now.topics + add.topics > limits.maxTopics) {
    failures.push({
      property: "kafka.limits.maxTopics",
      reason: `the instance would need ${now.topics + add.topics} topics (${now.topics} exist, ${add.topics} to create) but allows ${limits.maxTopics}: raise the instance's topic quota, delete unused topics, or include fewer tables`,
    });
  }
  if (limits?.maxPartitions !== undefined && now.partitions + add.partitions > limits.maxPartitions) {
    failures.push({
      property: "kafka.limits.maxPartitions",
      reason: `the instance would need ${now.partitions + add.partitions} partitions (${now.partitions} exist, ${add.partitions} to add) but allows ${limits.maxPartitions}: raise the instance's partition quota, or give fewer partitions`,
    });
  }
  return failures;
}

/** Topics and partitions the plan adds to what exists. */
export function capacityToAdd(prefix: string, planned: Record<string, number>, existing: ReadonlyMap<string, number>): CapacityUse {
  let topics = 0;
  let partitions = 0;
  for (const [table, count] of Object.entries(planned)) {
    const current = existing.get(tableTopic(prefix, table));
    if (current === undefined) {
      topics++;
      partitions += count;
    } else if (count > current) partitions += count - current;
  }
  return { topics, partitions };
}

/** What an update must do to go from the topics that exist to the plan. */
export interface TopicChanges {
  /** Topics to make (they do not exist; an update also makes one deleted outside Pulumi again). */
  create: TopicState[];
  /** Existing topics made by someone else, which become this TopicSet's (their partitions raised to the plan if lower). */
  adopt: TopicState[];
  /** Topics kept when their table was removed (retainOnDelete), taken back by a table added back. */
  takeBack: TopicState[];
  /** Partition counts to raise. */
  grow: (TopicState & { from: number })[];
  /** Topics of removed tables to delete (at the end of the update, by their member resource). */
  remove: string[];
  /** Topics of removed tables that are kept (retainOnDelete when the table was last updated). */
  retain: string[];
  /** Adopted topics of removed tables that are kept (deleteAdoptedTopics off). */
  keepAdopted: string[];
  /** Topics whose configs are to be set (all of them when topicConfigs changed). */
  reconfigure: string[];
  /** Configs no longer in topicConfigs: set back to the broker's default on the reconfigured topics. */
  unsetConfigs: string[];
}

export function topicChanges(olds: TopicSetOutputs | undefined, news: TopicSetInputs): TopicChanges {
  const planned = news.plannedPartitions ?? {};
  const actual = olds?.topics ?? {};
  const changes: TopicChanges = { create: [], adopt: [], takeBack: [], grow: [], remove: [], retain: [], keepAdopted: [], reconfigure: [], unsetConfigs: [] };
  const retained = new Set(olds?.topicPrefix === news.topicPrefix ? olds?.retained ?? [] : []);
  for (const table of news.tables) {
    const topic = tableTopic(news.topicPrefix, table);
    const want = planned[table] ?? PARTITIONS_WITHOUT_PRIMARY_KEY;
    const have = actual[table];
    if (have && have.topic === topic) {
      if (want > have.partitions) changes.grow.push({ topic, partitions: want, from: have.partitions });
    } else if (news.ownership?.[table] === "adopted") changes.adopt.push({ topic, partitions: want });
    else if (retained.has(topic)) changes.takeBack.push({ topic, partitions: want });
    else changes.create.push({ topic, partitions: want });
  }
  // A removed table's topic follows the TopicSet's state before this update (its member's state).
  for (const [table, have] of Object.entries(actual)) {
    if (news.tables.includes(table) && have.topic === tableTopic(news.topicPrefix, table)) continue;
    if (olds?.retainOnDelete) changes.retain.push(have.topic);
    else if (olds?.ownership?.[table] === "adopted" && !olds.deleteAdoptedTopics) changes.keepAdopted.push(have.topic);
    else changes.remove.push(have.topic);
  }
  const arriving = new Set([...changes.create, ...changes.adopt, ...changes.takeBack].map((t) => t.topic));
  if (olds && !sameJson(sortedEntries(olds.topicConfigs), sortedEntries(news.topicConfigs))) {
    changes.reconfigure = news.tables.map((t) => tableTopic(news.topicPrefix, t)).filter((t) => !arriving.has(t));
    changes.unsetConfigs = Object.keys(olds.topicConfigs ?? {}).filter((k) => !Object.hasOwn(news.topicConfigs ?? {}, k));
  } else {
    // Same topicConfigs: only the topics a refresh found changed outside Pulumi are set back.
    changes.reconfigure = news.tables.flatMap((table) => {
      const have = actual[table];
      const kept = have && have.topic === tableTopic(news.topicPrefix, table);
      return kept && configDrift(have, news.topicConfigs).length > 0 ? [have.topic] : [];
    });
  }
  return changes;
}

export interface TopicSetDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/**
 * Per-field diff: a new prefix replaces (the topics are other topics); tables, partitions and
 * configs update in place; topics deleted out of band (seen by refresh) are recreated by an update.
 */
export function diffTopicSet(olds: TopicSetOutputs, news: TopicSetInputs): TopicSetDiff {
  const replaces: string[] = [];
  if (olds.topicPrefix !== news.topicPrefix) replaces.push("topicPrefix");
  const c = topicChanges(olds, news);
  const changed =
    replaces.length > 0 ||
    c.create.length + c.adopt.length + c.takeBack.length + c.grow.length + c.remove.length + c.retain.length + c.keepAdopted.length + c.reconfigure.length > 0 ||
    !sameJson([...olds.tables].sort(), [...news.tables].sort()) ||
    !sameJson(olds.kafka?.brokers ?? [], news.kafka?.brokers ?? []) ||
    // A new login (a rotated SASL password, another CA) is an update: refresh and delete use
    // the login in the state, which must be the one that works.
    !sameJson(kafkaSecurityOf(olds.kafka) ?? null, kafkaSecurityOf(news.kafka) ?? null) ||
    !sameJson(olds.kafka?.limits ?? {}, news.kafka?.limits ?? {}) ||
    !sameJson(olds.partitions ?? null, news.partitions ?? null) ||
    (olds.replicationFactor ?? null) !== (news.replicationFactor ?? null) ||
    !!olds.retainOnDelete !== !!news.retainOnDelete ||
    !!olds.deleteAdoptedTopics !== !!news.deleteAdoptedTopics ||
    !sameJson(olds.source ?? null, news.source ?? null);
  return { changes: changed, replaces, deleteBeforeReplace: false };
}

/**
 * A config value in the form Kafka describes it back: list items trimmed ("compact, delete" is
 * "compact,delete"), booleans in lower case, numbers without padding ("0.50" is "0.5"). Without
 * this a value written in another spelling would show as changed after every update.
 */
export function canonicalConfigValue(value: string): string {
  return value
    .split(",")
    .map((item) => {
      const t = item.trim();
      if (/^(true|false)$/i.test(t)) return t.toLowerCase();
      if (/^[-+]?\d+$/.test(t)) return BigInt(t).toString();
      if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return String(Number(t));
      return t;
    })
    .join(",");
}

/** The topicConfigs a topic does not have as declared (read by a refresh), as "name=live (declared)". */
export function configDrift(state: TopicState, declared: Record<string, string> | undefined): string[] {
  if (!state.configs) return [];
  const live = state.configs;
  return Object.entries(declared ?? {})
    .filter(([name, value]) => live[name] === undefined || canonicalConfigValue(live[name]) !== canonicalConfigValue(value))
    .map(([name, value]) => `${name}=${live[name] ?? "(the broker's default)"} (topicConfigs: ${value})`);
}

function sortedEntries(record: Record<string, string> | undefined): [string, string][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The inputs a program gives, for the detailed diff (check's own fields are not the program's). */
const DETAILED_PATHS = ["topicPrefix", "tables", "partitions", "replicationFactor", "topicConfigs", "retainOnDelete", "deleteAdoptedTopics", "kafka.brokers", "kafka.limits", "kafka.tls", "kafka.sasl", "source"] as const;

/** Per property, what the diff changes (the prefix replaces); the tables compare as a set. */
export function detailedTopicSetDiff(olds: TopicSetOutputs, news: TopicSetInputs): Record<string, import("../dynamic-diff").PropertyDiffKind> {
  const at = (v: unknown, path: string) => path.split(".").reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as Record<string, unknown>)[k] : undefined), v);
  const canonical = (v: unknown, path: string) => {
    if (path === "retainOnDelete" || path === "deleteAdoptedTopics") return String(!!v);
    return JSON.stringify(path === "tables" && Array.isArray(v) ? [...v].sort() : path === "topicConfigs" ? sortedEntries(v as Record<string, string>) : v ?? null);
  };
  const detailed: Record<string, import("../dynamic-diff").PropertyDiffKind> = {};
  for (const path of DETAILED_PATHS) {
    const before = at(olds, path);
    const after = at(news, path);
    if (canonical(before, path) === canonical(after, path)) continue;
    const replace = path === "topicPrefix";
    detailed[path] = before === undefined ? (replace ? "add-replace" : "add") : after === undefined ? (replace ? "delete-replace" : "delete") : replace ? "update-replace" : "update";
  }
  return detailed;
}
