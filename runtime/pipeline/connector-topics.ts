/**
 * The topics a connector writes: the tables' topics (made by TopicSet; they must exist), and its
 * own (dead letters, DDL, heartbeats, auto-added tables), which it makes when missing.
 */
import type { Kafka } from "kafkajs";
import { matchesAutoAdd, RECORD_BATCH_OVERHEAD_BYTES, type ConnectorConfig } from "../contract/config";
import { heartbeatTopic, tableTopic } from "../contract/names";
import type { ClaimedTopicKind, TopicClaim } from "../contract/records";
import { CdcError, combineErrors } from "../errors";
import type { Logger } from "../log";
import { KafkaAdmin, type TopicSpec } from "../sink/admin";
import type { SourceAccess } from "../source/prechecks";
import { listTables, tableHasPrimaryKey } from "../source/table-lookup";
import type { AddTableRequest } from "./binlog-reader";

/** A topic the connector makes when missing, and what it is for (its claim says so). */
export interface OwnTopic extends TopicSpec {
  kind: ClaimedTopicKind;
  table?: string;
}

/** Records the connector's claim on topics it is about to create (the status writer's claim()). */
export type ClaimTopics = (claims: TopicClaim[]) => Promise<void>;

/** The claims of `connector` on the topics about to be created. */
export function claimsFor(connector: string, topics: OwnTopic[]): TopicClaim[] {
  const at = new Date().toISOString();
  return topics.map((t) => ({ version: 1, connector, topic: t.topic, kind: t.kind, ...(t.table !== undefined ? { table: t.table } : {}), at }));
}

/** The topics a connector needs, found beside the prechecks (see planTopics). */
export interface TopicPlan {
  /** The config with the auto-added tables in source.tables. */
  streamed: ConnectorConfig;
  /** Partition counts of the tables' topics. */
  counts: Map<string, number>;
  /** The connector's own topics, created (and claimed) when missing once the prechecks passed. */
  own: OwnTopic[];
  /** Tables streamed because they match autoAddTables. */
  added: string[];
}

/**
 * What the connector streams and the topics it needs: the tables' topics must exist (their
 * partition counts are read); the connector's own topics are listed for createOwnTopics. Nothing
 * is created here: this runs beside the prechecks, and a connector that fails them makes nothing.
 */
export async function planTopics(kafka: Kafka, access: SourceAccess, config: ConnectorConfig): Promise<TopicPlan> {
  // autoAddTables: every table of the database matching it is streamed too (added earlier, or
  // there before the connector); their topics are made when missing (6 partitions with a
  // primary key, 1 without), as when a CREATE TABLE adds one while streaming.
  const added = config.source.autoAddTables === undefined ? [] : (await listTables(access)).filter((t) => !config.source.tables.includes(t.table) && matchesAutoAdd(config.source.autoAddTables, t.table));
  const streamed: ConnectorConfig = added.length === 0 ? config : { ...config, source: { ...config.source, tables: [...config.source.tables, ...added.map((t) => t.table)] } };
  const admin = await KafkaAdmin.connect(kafka);
  let counts: Map<string, number>;
  let sized = streamed;
  try {
    const topics = config.source.tables.map((t) => tableTopic(config.topicPrefix, t));
    const found = await admin.partitionCounts(topics);
    const missing = found.missing;
    if (missing.length > 0) {
      throw new CdcError("TOPIC_MISSING", `topic${missing.length > 1 ? "s" : ""} ${missing.join(", ")} do${missing.length > 1 ? "" : "es"} not exist.`);
    }
    counts = found.counts;
    sized = fitRecordSize(streamed, await admin.maxMessageBytes(topics), added.length > 0);
  } finally {
    await admin.disconnect();
  }
  const own: OwnTopic[] = [{ topic: config.deadLetterTopic, partitions: 1, configs: {}, kind: "deadLetter" }];
  for (const t of added) own.push({ topic: tableTopic(config.topicPrefix, t.table), partitions: t.hasPrimaryKey ? 6 : 1, configs: {}, kind: "table", table: t.table });
  if (config.ddlTopic) own.push({ topic: config.ddlTopic, partitions: 1, configs: {}, kind: "ddl" });
  if (config.heartbeatSeconds > 0) own.push({ topic: heartbeatTopic(config.topicPrefix), partitions: 1, configs: { "retention.ms": "86400000" }, kind: "heartbeat" });
  return { streamed: sized, counts, own, added: added.map((t) => t.table) };
}

/**
 * The default maxRecordBytes (10 MB, the vendor's limit) lowered to what the topics take
 * (max.message.bytes; the broker's default, 1 MB in Apache Kafka, for topics made while running):
 * a record the broker would refuse goes to the dead letter topic instead of failing the
 * connector. A given maxRecordBytes is kept (the provider refuses one over the limit in preview).
 */
export function fitRecordSize(config: ConnectorConfig, limits: ReadonlyMap<string, number>, makesTopics: boolean): ConnectorConfig {
  if (config.maxRecordBytesGiven) return config;
  const relevant = [...limits].filter(([topic]) => topic !== "" || makesTopics).map(([, bytes]) => bytes);
  if (relevant.length === 0) return config;
  const fits = Math.min(...relevant) - RECORD_BATCH_OVERHEAD_BYTES;
  return fits < config.maxRecordBytes ? { ...config, maxRecordBytes: Math.max(1024, fits) } : config;
}

/**
 * Creates the connector's own topics that are missing, each claimed first; the partition counts
 * of every topic it writes.
 */
export async function createOwnTopics(kafka: Kafka, config: ConnectorConfig, plan: TopicPlan, claim: ClaimTopics, logger: Logger): Promise<Map<string, number>> {
  const admin = await KafkaAdmin.connect(kafka);
  try {
    const created = await admin.ensureTopics(plan.own, (missing) => claim(claimsFor(config.name, missing)));
    if (created.length > 0) logger.info("created the connector's topics", { topics: created });
    const written = [config.deadLetterTopic, ...(config.ddlTopic ? [config.ddlTopic] : []), ...plan.added.map((t) => tableTopic(config.topicPrefix, t))];
    const ownCounts = (await admin.partitionCounts(written)).counts;
    if (plan.added.length > 0) logger.info("streaming the tables that match autoAddTables too", { tables: plan.added });
    return new Map([...plan.counts, ...ownCounts]);
  } finally {
    await admin.disconnect();
  }
}

/**
 * An auto-added table's topic: 6 partitions when the table has a primary key (looked up now,
 * else the CREATE statement's hint), 1 without; an existing topic is used as it is.
 */
export async function createAddedTableTopic(kafka: Kafka, access: SourceAccess, connector: string, request: AddTableRequest, claim: ClaimTopics, logger: Logger): Promise<number> {
  const hasKey = (await tableHasPrimaryKey(access, request.table)) ?? request.primaryKeyHint ?? false;
  const admin = await KafkaAdmin.connect(kafka);
  try {
    const spec: OwnTopic = { topic: request.topic, partitions: hasKey ? 6 : 1, configs: {}, kind: "table", table: request.table };
    const created = await admin.ensureTopics([spec], (missing) => claim(claimsFor(connector, missing)));
    const { counts } = await admin.partitionCounts([request.topic]);
    const partitions = counts.get(request.topic);
    if (partitions === undefined) throw new CdcError("TOPIC_MISSING", `topic ${request.topic} for the added table ${request.table} could not be created.`);
    logger.info("table added: streaming it", { table: request.table, topic: request.topic, partitions, created: created.length > 0 });
    return partitions;
  } finally {
    await admin.disconnect();
  }
}

/**
 * What a start that could not plan its topics reports. A missing table usually comes with its
 * missing topic: both are named (the table first). Any other failure (Kafka unavailable, say)
 * keeps its own code, so a retriable one is retried even beside a table missing on a resume.
 */
export function topicFailure(checkErrors: CdcError[], failure: unknown): unknown {
  const missingTopic = failure instanceof CdcError && failure.code === "TOPIC_MISSING";
  return missingTopic && checkErrors.length > 0 ? combineErrors([...checkErrors, failure]) : failure;
}
