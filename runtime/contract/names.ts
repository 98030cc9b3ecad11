/**
 * Naming rules shared by the provider and the runtime (from the vendor documents, seed 000):
 * connector names, topic names, consumer groups, and the resource group's internal topics.
 */

/** 1–48 characters: digits, lowercase letters and hyphens, not starting with a hyphen. */
export const CONNECTOR_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,47}$/;
export const CONNECTOR_NAME_MAX = 48;

/** Kafka's legal topic characters and length limit. */
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
export const TOPIC_NAME_MAX = 249;

/** Returns what is wrong with a connector name, or undefined when it is valid. */
export function connectorNameProblem(name: unknown): string | undefined {
  if (name === undefined || name === null || name === "") return "is empty; give 1 to 48 characters";
  if (typeof name !== "string") return `must be text of 1 to 48 digits, lowercase letters and hyphens, got ${typeOf(name)}`;
  if (name.length > CONNECTOR_NAME_MAX) return `is ${name.length} characters long; the limit is ${CONNECTOR_NAME_MAX}`;
  if (name.startsWith("-")) return "starts with a hyphen; start it with a digit or a lowercase letter";
  if (!CONNECTOR_NAME_PATTERN.test(name)) {
    const bad = [...new Set([...name].filter((c) => !/[a-z0-9-]/.test(c)))].map((c) => JSON.stringify(c)).join(", ");
    return `contains ${bad}; use only digits, lowercase letters and hyphens`;
  }
  return undefined;
}

/** How a value's type is named in messages ("a number", "an object"); never the value, which may be a secret. */
export function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  const t = typeof value;
  return t === "object" ? "an object" : t === "undefined" ? "nothing" : `a ${t}`;
}

/**
 * What is wrong with a Kafka bootstrap address, or undefined: it is host:port (an IPv6 host in
 * brackets), with no scheme (kafkajs would read "kafka://h:9092" as host "kafka", port "//h").
 */
export function brokerAddressProblem(address: unknown): string | undefined {
  if (typeof address !== "string") return `must be "host:port", got ${typeOf(address)}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return `${JSON.stringify(address)} is a URL; give "host:port" without the scheme, e.g. ${JSON.stringify(address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ""))}`;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s/\[\]]+):(\d{1,5})$/.exec(address);
  if (!m) return `${JSON.stringify(address)} is not "host:port"; give the broker's host and port, e.g. "10.0.0.5:9092"`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `${JSON.stringify(address)} has port ${port}; a port is 1 to 65535`;
  return undefined;
}

/** The topic that receives a table's changes: `<topicPrefix>_<table>` (the underscore is added here). */
export function tableTopic(topicPrefix: string, table: string): string {
  return `${topicPrefix}_${table}`;
}

/** The connector's heartbeat topic, `<topicPrefix>_heartbeat` (created by the runtime when missing). */
export function heartbeatTopic(topicPrefix: string): string {
  return `${topicPrefix}_heartbeat`;
}

/** The default dead letter topic, `<topicPrefix>_dead_letter` (created by the runtime when missing). */
export function defaultDeadLetterTopic(topicPrefix: string): string {
  return `${topicPrefix}_dead_letter`;
}

/** Returns what is wrong with a full topic name, or undefined when it is valid. */
export function topicNameProblem(topic: string): string | undefined {
  if (typeof topic !== "string" || topic.length === 0) return "is empty; give a topic name";
  if (!TOPIC_NAME_PATTERN.test(topic)) return "may contain only letters, digits, '.', '_' and '-' (Kafka's topic characters)";
  if (topic.length > TOPIC_NAME_MAX) return `is ${topic.length} characters long; Kafka's limit is ${TOPIC_NAME_MAX}`;
  return undefined;
}

/** Returns what is wrong with a topic prefix, or undefined when it is valid. */
export function topicPrefixProblem(prefix: string): string | undefined {
  if (typeof prefix !== "string" || prefix.length === 0) return "is empty; give a prefix such as \"mysql\"";
  if (!TOPIC_NAME_PATTERN.test(prefix)) return "may contain only letters, digits, '.', '_' and '-' (Kafka's topic characters)";
  if (prefix.length > TOPIC_NAME_MAX - 2) return `is ${prefix.length} characters long; topic names are limited to ${TOPIC_NAME_MAX}`;
  return undefined;
}

/** Returns what is wrong with the topic a table maps to, or undefined when it is valid. */
export function tableTopicProblem(topicPrefix: string, table: string): string | undefined {
  const topic = tableTopic(topicPrefix, table);
  if (!TOPIC_NAME_PATTERN.test(table)) {
    return `table ${JSON.stringify(table)} maps to topic ${JSON.stringify(topic)}, which Kafka does not allow (letters, digits, '.', '_' and '-' only)`;
  }
  if (topic.length > TOPIC_NAME_MAX) return `topic ${JSON.stringify(topic)} is longer than Kafka's ${TOPIC_NAME_MAX} characters`;
  return undefined;
}

/** The consumer group a connector's workers join for its lease: `connect-<name>`. */
export function connectorConsumerGroup(connectorName: string): string {
  return `connect-${connectorName}`;
}

/** The transactional.id of a connector's producer: one per connector, so a stale worker is fenced. */
export function connectorTransactionalId(groupName: string, connectorName: string): string {
  return `cdc-${groupName}-${connectorName}`;
}

/** The resource group's internal, compacted topics (Kafka Connect's distributed mode, in small). */
export interface GroupTopics {
  /** Desired connector configs, keyed by connector name; a tombstone deletes the connector. */
  configs: string;
  /** Connector status written by the runtime, keyed by connector name. */
  status: string;
  /** Committed binlog positions, keyed by connector name; written in the data's transaction. */
  offsets: string;
  /** Single-partition topic whose consumer group `connect-<name>` elects each connector's worker. */
  leases: string;
}

export function groupTopics(groupName: string): GroupTopics {
  return {
    configs: `cdc-${groupName}-configs`,
    status: `cdc-${groupName}-status`,
    offsets: `cdc-${groupName}-offsets`,
    leases: `cdc-${groupName}-leases`,
  };
}

/** A resource group name is used inside topic names: the connector-name rules apply to it too. */
export function groupNameProblem(name: unknown): string | undefined {
  return connectorNameProblem(name);
}

/** Topic configs of the internal topics: compacted, kept forever, single partition. */
export const INTERNAL_TOPIC_CONFIGS: Record<keyof GroupTopics, Record<string, string>> = {
  configs: { "cleanup.policy": "compact" },
  status: { "cleanup.policy": "compact" },
  // Offsets are rewritten at every commit: roll and clean segments often so restarts read little.
  offsets: { "cleanup.policy": "compact", "segment.ms": "600000", "min.cleanable.dirty.ratio": "0.1" },
  leases: { "cleanup.policy": "delete", "retention.ms": "3600000" },
};
