/**
 * The broker judges, in preview, what it would refuse in up: a replication factor above its
 * broker count, a topic config it does not know or a value it refuses. Asked with CreateTopics
 * validateOnly for a topic name nothing uses, so nothing is created.
 */
import crypto from "node:crypto";
import type { KafkaAdmin } from "../runtime/sink/admin";
import { didYouMean } from "./suggest";
import type { CheckFailure } from "./types";

export interface TopicSettings {
  partitions: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

/** The failures of the settings, on `rfProperty` and `<configsProperty>.<name>`. */
export async function topicSettingsFailures(admin: KafkaAdmin, settings: TopicSettings, rfProperty: string, configsProperty: string): Promise<CheckFailure[]> {
  const probe = `cdc-validate-${crypto.randomBytes(6).toString("hex")}`;
  const refused = await admin.validateTopic({ topic: probe, partitions: settings.partitions, replicationFactor: settings.replicationFactor, configs: settings.configs });
  if (!refused) return [];
  if (refused.type === "INVALID_REPLICATION_FACTOR") {
    const brokers = await admin.brokerCount();
    return [
      {
        property: rfProperty,
        reason: `asks for ${settings.replicationFactor} replicas of each partition, but the cluster has ${brokers} broker${brokers === 1 ? "" : "s"}: give at most ${brokers}, or leave it out (the broker's default.replication.factor)`,
      },
    ];
  }
  if (refused.type === "INVALID_CONFIG" && refused.configs.length > 0) {
    const known = await knownConfigNames(admin);
    return refused.configs.map((name) => ({
      property: `${configsProperty}.${name}`,
      reason:
        known.length > 0 && !known.includes(name)
          ? `Kafka has no topic config ${JSON.stringify(name)}${didYouMean(name, known)}`
          : `the broker refuses ${JSON.stringify(settings.configs?.[name])} as the value of ${name}: give a value Kafka's topic config ${name} accepts`,
    }));
  }
  return [{ property: configsProperty, reason: `the broker refuses a topic with these settings (${refused.type}): check replicationFactor and topicConfigs` }];
}

/**
 * Kafka's topic configs (2.2 to 4.1), for a cluster that has no topic to read them from (a new
 * one: seen in CI, where the refused name was then only "refused"). A name the broker refused
 * and this list lacks is taken as unknown; a cluster with topics answers for itself.
 */
export const KAFKA_TOPIC_CONFIGS = [
  "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type", "compression.zstd.level",
  "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms", "follower.replication.throttled.replicas",
  "index.interval.bytes", "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
  "max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable", "message.format.version",
  "message.timestamp.after.max.ms", "message.timestamp.before.max.ms", "message.timestamp.difference.max.ms",
  "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
  "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
  "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable",
];

/** The topic config names the broker knows, read from one of its topics (Kafka's list when it has none). */
async function knownConfigNames(admin: KafkaAdmin): Promise<string[]> {
  const topics = [...(await admin.allTopics()).keys()];
  return topics.length > 0 ? admin.topicConfigNames(topics[0]) : KAFKA_TOPIC_CONFIGS;
}
