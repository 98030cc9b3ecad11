/** Our adapter around kafkajs's admin client: the few topic operations the runtime needs. */
import type { Admin, Kafka } from "kafkajs";
import { CdcError, classifyKafkaError } from "../errors";
import { tlsFailureWatch } from "./kafka-client";

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

/** DescribeConfigs' source of a config set on the topic itself (kafkajs's ConfigSource.TOPIC_CONFIG). */
const TOPIC_CONFIG_SOURCE = 1;

function sameConfigs(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/** The error types of a failed CreateTopics (kafkajs gives one error per topic in `errors`, or one error). */
function createErrorTypes(error: unknown): string[] {
  const e = error as { type?: unknown; errors?: { type?: unknown }[] };
  return [e.type, ...(Array.isArray(e.errors) ? e.errors.map((x) => x?.type) : [])].filter((t): t is string => typeof t === "string");
}

export class KafkaAdmin {
  /** What a topic without a replication factor is created with: -1 (the broker's default), or that default read from the broker (see replicasOf). */
  private unsetReplicas: Promise<number> | undefined;

  private constructor(private readonly admin: Admin) {}

  /**
   * A spec's replication factor for CreateTopics. Unset, it is -1, "the broker's default", which
   * brokers take from Kafka 2.4 on (KIP-464). Older ones (ApsaraMQ's 2.2 and 2.3) refuse -1 with
   * INVALID_REPLICATION_FACTOR: for them the broker's default.replication.factor is read and
   * sent. Decided once per client, by a validate-only create of a topic that is never made.
   */
  private async replicasOf(spec: TopicSpec): Promise<number> {
    if (spec.replicationFactor !== undefined) return spec.replicationFactor;
    this.unsetReplicas ??= (async () => {
      const probe = `__cdc_replicas_probe_${Math.random().toString(36).slice(2, 10)}`;
      try {
        await this.admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: probe, numPartitions: 1, replicationFactor: -1 }] });
        return -1;
      } catch (error) {
        if (!createErrorTypes(error).includes("INVALID_REPLICATION_FACTOR")) return -1;
      }
      const broker = (await this.admin.describeCluster()).brokers[0];
      const described = await this.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: String(broker?.nodeId), configNames: ["default.replication.factor"] }] });
      const value = Number(described.resources[0]?.configEntries.find((e) => e.configName === "default.replication.factor")?.configValue);
      return Number.isInteger(value) && value > 0 ? value : 1;
    })().catch((error: unknown) => {
      this.unsetReplicas = undefined;
      throw classifyKafkaError(error, "reading the broker's default.replication.factor");
    });
    return this.unsetReplicas;
  }

  static async connect(kafka: Kafka): Promise<KafkaAdmin> {
    const admin = kafka.admin();
    // A refused certificate ends the connect at once (kafkajs would retry it for seconds).
    const tls = tlsFailureWatch(kafka);
    try {
      await (tls ? Promise.race([admin.connect(), tls.failed]) : admin.connect());
    } catch (error) {
      // A half-made connection (seed broker reached, metadata failed) would keep its sockets.
      await admin.disconnect().catch(() => undefined);
      throw classifyKafkaError(error, "connecting the Kafka admin client");
    } finally {
      tls?.stop();
    }
    return new KafkaAdmin(admin);
  }

  /** Partition counts of the topics that exist, and the names of those that do not. */
  async partitionCounts(topics: string[]): Promise<{ counts: Map<string, number>; missing: string[] }> {
    const present = await this.topicNames();
    const wanted = [...new Set(topics)];
    const missing = wanted.filter((t) => !present.has(t));
    let found = wanted.filter((t) => present.has(t));
    const counts = new Map<string, number>();
    for (let attempt = 0; found.length > 0; attempt++) {
      try {
        const metadata = await this.admin.fetchTopicMetadata({ topics: found });
        for (const t of metadata.topics) counts.set(t.name, t.partitions.length);
        break;
      } catch (error) {
        // A topic deleted since the listing fails the whole request (and kafkajs's metadata cache
        // with a TypeError): the topics still there are asked for again, the others are missing.
        const still = await this.topicNames();
        const gone = found.filter((t) => !still.has(t));
        if (gone.length === 0 || attempt >= 2) throw classifyKafkaError(error, "reading topic metadata");
        missing.push(...gone);
        found = found.filter((t) => still.has(t));
      }
    }
    return { counts, missing };
  }

  private async topicNames(): Promise<Set<string>> {
    try {
      return new Set(await this.admin.listTopics());
    } catch (error) {
      throw classifyKafkaError(error, "listing topics");
    }
  }

  /**
   * Creates the topics that do not exist yet; existing ones (another worker's, just now) are left
   * as they are. `beforeCreate` is told which will be created, before they are.
   */
  async ensureTopics<T extends TopicSpec>(specs: T[], beforeCreate?: (missing: T[]) => Promise<void>): Promise<string[]> {
    const { missing } = await this.partitionCounts(specs.map((s) => s.topic));
    const toCreate = specs.filter((s) => missing.includes(s.topic));
    if (toCreate.length > 0) await beforeCreate?.(toCreate);
    await this.create(toCreate, true);
    return toCreate.map((s) => s.topic);
  }

  /** Every topic of the cluster (Kafka's own "__" topics left out) with its partition count. */
  async allTopics(): Promise<Map<string, number>> {
    try {
      const metadata = await this.admin.fetchTopicMetadata();
      return new Map(metadata.topics.filter((t) => !t.name.startsWith("__")).map((t) => [t.name, t.partitions.length]));
    } catch (error) {
      throw classifyKafkaError(error, "listing the cluster's topics");
    }
  }

  /** Creates topics; one that exists already is an error (the caller planned against a live listing). */
  async createTopics(specs: TopicSpec[]): Promise<void> {
    await this.create(specs, false);
  }

  private async create(specs: TopicSpec[], tolerateExisting: boolean): Promise<void> {
    if (specs.length === 0) return;
    let cause: unknown;
    const replicas = await Promise.all(specs.map((s) => this.replicasOf(s)));
    try {
      await this.admin.createTopics({
        // kafkajs's own wait re-reads the metadata after its retry delay (200 ms here): polled below instead.
        waitForLeaders: false,
        topics: specs.map((s, i) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: replicas[i],
          configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (error) {
      const type = (error as { type?: string }).type;
      // UNKNOWN_TOPIC_OR_PARTITION: the new topics' metadata has not reached the broker asked yet
      // (seen when two clients create topics at once); they were created, so wait for them.
      if (type !== "UNKNOWN_TOPIC_OR_PARTITION" && !(tolerateExisting && type === "TOPIC_ALREADY_EXISTS")) {
        throw classifyKafkaError(error, `creating topics ${specs.map((s) => s.topic).join(", ")}`);
      }
      cause = error;
    }
    await this.awaitLeaders(specs.map((s) => s.topic), cause);
  }

  /** Waits until every partition of the topics has a leader (so they can be written at once). */
  private async awaitLeaders(topics: string[], cause: unknown): Promise<void> {
    const deadline = Date.now() + 15_000;
    let waiting = topics;
    for (;;) {
      try {
        const metadata = await this.admin.fetchTopicMetadata({ topics: waiting });
        const led = new Set(metadata.topics.filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)).map((t) => t.name));
        waiting = waiting.filter((t) => !led.has(t));
      } catch (error) {
        cause = error; // UNKNOWN_TOPIC_OR_PARTITION while the metadata spreads: ask again
      }
      if (waiting.length === 0) return;
      if (Date.now() > deadline) {
        throw cause ? classifyKafkaError(cause, `creating topics ${waiting.join(", ")}`) : new CdcError("KAFKA_UNAVAILABLE", `topics ${waiting.join(", ")} were created but have no partition leader after 15 s.`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Deletes the topics that exist; missing ones are ignored. A topic deleted a moment ago (by a
   * TopicSet's member, just before the TopicSet) can still be listed, and deleting it again fails
   * with UNKNOWN_TOPIC_OR_PARTITION while the others of the request go: list again and delete
   * what is left. A topic still reported missing after that is gone, which is what was asked.
   */
  async deleteTopics(topics: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { counts } = await this.partitionCounts(topics);
      if (counts.size === 0) return;
      try {
        await this.admin.deleteTopics({ topics: [...counts.keys()], timeout: 30_000 });
        return;
      } catch (error) {
        const failure = classifyKafkaError(error, `deleting topics ${[...counts.keys()].join(", ")}`);
        if (failure.code !== "TOPIC_MISSING") throw failure;
        if (attempt >= 10) return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Raises partition counts (Kafka cannot lower them). */
  async raisePartitions(changes: { topic: string; count: number }[]): Promise<void> {
    if (changes.length === 0) return;
    try {
      await this.admin.createPartitions({ topicPartitions: changes.map((c) => ({ topic: c.topic, count: c.count })) });
    } catch (error) {
      throw classifyKafkaError(error, `adding partitions to ${changes.map((c) => c.topic).join(", ")}`);
    }
  }

  /**
   * Sets the topics' configs: each of `set` to its value, each of `unset` back to the broker's
   * default, and every other config set on a topic (out of band, say) left as it is. Kafka's
   * AlterConfigs, the only one kafkajs speaks, replaces a topic's whole set of dynamic configs:
   * so the set is read first (DescribeConfigs) and written back merged, and only where it changes.
   */
  async setTopicConfigs(topics: string[], set: Record<string, string>, unset: string[] = []): Promise<void> {
    if (topics.length === 0 || (Object.keys(set).length === 0 && unset.length === 0)) return;
    const current = await this.dynamicTopicConfigs(topics);
    const resources = topics.flatMap((name) => {
      const now = current.get(name) ?? {};
      const wanted: Record<string, string> = { ...now, ...set };
      for (const key of unset) if (!(key in set)) delete wanted[key];
      if (sameConfigs(now, wanted)) return [];
      // ResourceTypes.TOPIC = 2 (kafkajs's enum, inlined so this file needs no value import).
      return [{ type: 2, name, configEntries: Object.entries(wanted).map(([n, value]) => ({ name: n, value })) }];
    });
    if (resources.length === 0) return;
    try {
      await this.admin.alterConfigs({ validateOnly: false, resources });
    } catch (error) {
      throw classifyKafkaError(error, `changing the configs of ${resources.map((r) => r.name).join(", ")}`);
    }
  }

  /** The configs set on each topic itself (DYNAMIC_TOPIC_CONFIG), not the broker's defaults. */
  async dynamicTopicConfigs(topics: string[]): Promise<Map<string, Record<string, string>>> {
    let described: Awaited<ReturnType<Admin["describeConfigs"]>>;
    try {
      described = await this.admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: 2, name })) });
    } catch (error) {
      throw classifyKafkaError(error, `reading the configs of ${topics.join(", ")}`);
    }
    const result = new Map<string, Record<string, string>>();
    for (const resource of described.resources) {
      const own: Record<string, string> = {};
      for (const entry of resource.configEntries) {
        // A sensitive value reads as null and could not be written back: topics have none.
        if (entry.configSource === TOPIC_CONFIG_SOURCE && entry.configValue !== null) own[entry.configName] = entry.configValue;
      }
      result.set(resource.resourceName, own);
    }
    return result;
  }

  /**
   * The end offset of each of a topic's partitions: its high watermark, or with open transactions
   * its last stable offset (kafkajs lists offsets read_committed). A missing topic is TOPIC_MISSING
   * at once, not after kafkajs's metadata retries (about 9 s).
   */
  async highWatermarks(topic: string): Promise<Map<number, bigint>> {
    const gone = () => new CdcError("TOPIC_MISSING", `topic ${topic} does not exist.`);
    // Asked twice: one broker may not list a topic created a moment ago.
    if (!(await this.topicNames()).has(topic) && !(await new Promise((r) => setTimeout(r, 300)).then(() => this.topicNames())).has(topic)) throw gone();
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
      } catch (error) {
        // Deleted since the listing: say so, rather than whatever kafkajs made of it.
        if (!(await this.topicNames()).has(topic)) throw gone();
        const failure = classifyKafkaError(error, `reading the offsets of topic ${topic}`);
        // A topic made a moment ago can answer NOT_LEADER_FOR_PARTITION until its leader has
        // settled, and kafkajs does not retry that here: a few short retries before giving up.
        if (!failure.retriable || attempt >= 5) throw failure;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  /**
   * The largest record batch each existing topic takes (max.message.bytes, its own or the
   * broker's default), and under "" the broker's message.max.bytes (for topics not made yet).
   */
  async maxMessageBytes(topics: string[]): Promise<Map<string, number>> {
    const { counts } = await this.partitionCounts(topics);
    const result = new Map<string, number>();
    try {
      const existing = [...counts.keys()];
      if (existing.length > 0) {
        const described = await this.admin.describeConfigs({ includeSynonyms: false, resources: existing.map((name) => ({ type: 2, name, configNames: ["max.message.bytes"] })) });
        for (const r of described.resources) {
          const value = r.configEntries.find((e) => e.configName === "max.message.bytes")?.configValue;
          if (value) result.set(r.resourceName, Number(value));
        }
      }
      const broker = (await this.admin.describeCluster()).brokers[0];
      if (broker) {
        // ResourceTypes.BROKER = 4.
        const described = await this.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: String(broker.nodeId), configNames: ["message.max.bytes"] }] });
        const value = described.resources[0]?.configEntries.find((e) => e.configName === "message.max.bytes")?.configValue;
        if (value) result.set("", Number(value));
      }
    } catch (error) {
      throw classifyKafkaError(error, "reading the topics' max.message.bytes");
    }
    return result;
  }

  /** How many brokers the cluster has. */
  async brokerCount(): Promise<number> {
    try {
      return (await this.admin.describeCluster()).brokers.length;
    } catch (error) {
      throw classifyKafkaError(error, "describing the cluster");
    }
  }

  /**
   * Whether the broker would create a topic with this replication factor and these configs
   * (CreateTopics with validateOnly: nothing is created). kafkajs keeps only the error's type,
   * not the broker's message, so a refused config set is asked again one config at a time to
   * name the configs refused. Returns undefined when the topic would be created.
   */
  async validateTopic(spec: TopicSpec): Promise<{ type: string; configs: string[] } | undefined> {
    const type = await this.validationError(spec);
    if (!type) return undefined;
    if (type !== "INVALID_CONFIG") return { type, configs: [] };
    const configs: string[] = [];
    for (const [name, value] of Object.entries(spec.configs ?? {})) {
      if (await this.validationError({ ...spec, replicationFactor: undefined, configs: { [name]: value } })) configs.push(name);
    }
    return { type, configs };
  }

  private async validationError(spec: TopicSpec): Promise<string | undefined> {
    const replicationFactor = await this.replicasOf(spec);
    try {
      await this.admin.createTopics({
        validateOnly: true,
        waitForLeaders: false,
        topics: [{ topic: spec.topic, numPartitions: spec.partitions, replicationFactor, configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })) }],
      });
      return undefined;
    } catch (error) {
      const refused = (error as { errors?: { type?: string }[] }).errors?.[0]?.type;
      if (typeof refused === "string" && refused !== "TOPIC_ALREADY_EXISTS") return refused;
      if (refused === "TOPIC_ALREADY_EXISTS") return undefined;
      throw classifyKafkaError(error, `validating topic ${spec.topic}`);
    }
  }

  /** The names of the topic-level configs the broker knows (read from an existing topic's configs). */
  async topicConfigNames(topic: string): Promise<string[]> {
    try {
      const described = await this.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic }] });
      return described.resources.flatMap((r) => r.configEntries.map((e) => e.configName));
    } catch (error) {
      throw classifyKafkaError(error, `reading the configs of ${topic}`);
    }
  }

  /**
   * Deletes consumer groups; a group that does not exist counts as deleted. Returns the groups
   * that still have members (Kafka refuses to delete those: NON_EMPTY_GROUP).
   */
  async deleteConsumerGroups(groupIds: string[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    try {
      await this.admin.deleteGroups(groupIds);
      return [];
    } catch (error) {
      const groups = (error as { groups?: { groupId: string; error?: { type?: string } }[] }).groups;
      if (!Array.isArray(groups)) throw classifyKafkaError(error, `deleting consumer groups ${groupIds.join(", ")}`);
      const failed = groups.filter((g) => g.error?.type !== "GROUP_ID_NOT_FOUND");
      const busy = failed.filter((g) => g.error?.type === "NON_EMPTY_GROUP").map((g) => g.groupId);
      if (busy.length < failed.length) throw classifyKafkaError(failed.find((g) => g.error?.type !== "NON_EMPTY_GROUP")?.error ?? error, `deleting consumer groups ${groupIds.join(", ")}`);
      return busy;
    }
  }

  async disconnect(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}
