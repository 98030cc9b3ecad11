/** Our adapter around kafkajs's admin client: the few topic operations the runtime needs. */
import type { Admin, Kafka } from "kafkajs";
import { classifyKafkaError } from "../errors";

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export class KafkaAdmin {
  private constructor(private readonly admin: Admin) {}

  static async connect(kafka: Kafka): Promise<KafkaAdmin> {
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (error) {
      throw classifyKafkaError(error, "connecting the Kafka admin client");
    }
    return new KafkaAdmin(admin);
  }

  /** Partition counts of the topics that exist, and the names of those that do not. */
  async partitionCounts(topics: string[]): Promise<{ counts: Map<string, number>; missing: string[] }> {
    let existing: string[];
    try {
      existing = await this.admin.listTopics();
    } catch (error) {
      throw classifyKafkaError(error, "listing topics");
    }
    const present = new Set(existing);
    const wanted = [...new Set(topics)];
    const missing = wanted.filter((t) => !present.has(t));
    const found = wanted.filter((t) => present.has(t));
    const counts = new Map<string, number>();
    if (found.length > 0) {
      try {
        const metadata = await this.admin.fetchTopicMetadata({ topics: found });
        for (const t of metadata.topics) counts.set(t.name, t.partitions.length);
      } catch (error) {
        throw classifyKafkaError(error, "reading topic metadata");
      }
    }
    return { counts, missing };
  }

  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  async ensureTopics(specs: TopicSpec[]): Promise<string[]> {
    const { missing } = await this.partitionCounts(specs.map((s) => s.topic));
    if (missing.length === 0) return [];
    const toCreate = specs.filter((s) => missing.includes(s.topic));
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: toCreate.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor ?? -1,
          configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (error) {
      // Another worker may have created them at the same moment.
      const e = error as { type?: string };
      if (e.type !== "TOPIC_ALREADY_EXISTS") throw classifyKafkaError(error, "creating topics");
    }
    return toCreate.map((s) => s.topic);
  }

  /** High watermarks of a topic's partitions. */
  async highWatermarks(topic: string): Promise<Map<number, bigint>> {
    try {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    } catch (error) {
      throw classifyKafkaError(error, `reading the offsets of topic ${topic}`);
    }
  }

  async disconnect(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}
