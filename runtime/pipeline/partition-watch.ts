/**
 * The partition counts of the topics a running connector writes, re-read now and then: a
 * TopicSet that raises a topic's partitions changes nothing in the connector's config, so the
 * running connector learns of them here (as a Kafka producer does by refreshing its metadata).
 */
import type { Kafka } from "kafkajs";
import type { Logger } from "../log";
import { KafkaAdmin } from "../sink/admin";

/** How often a running connector reads its topics' partition counts, unless CDC_PARTITION_CHECK_MS says otherwise. */
export const DEFAULT_PARTITION_CHECK_MS = 5_000;

export class PartitionWatch {
  private readonly counts: Map<string, number>;
  private admin: KafkaAdmin | undefined;
  private closed = false;

  constructor(private readonly kafka: Kafka, counts: ReadonlyMap<string, number>, private readonly logger: Logger) {
    this.counts = new Map(counts);
  }

  /** A topic the connector started writing to while running (an auto-added table's). */
  add(topic: string, partitions: number): void {
    this.counts.set(topic, partitions);
  }

  /**
   * The topics that have more partitions than the connector uses, with their new counts. A
   * failure to read is logged and reads as no change: the next check tries again.
   */
  async check(): Promise<[string, number][]> {
    if (this.closed || this.counts.size === 0) return [];
    try {
      if (!this.admin) {
        const admin = await KafkaAdmin.connect(this.kafka);
        // A close() while connecting must not leave a client behind (it keeps the process alive).
        if (this.closed) {
          await admin.disconnect();
          return [];
        }
        this.admin = admin;
      }
      const { counts } = await this.admin.partitionCounts([...this.counts.keys()]);
      return [...counts].filter(([topic, count]) => count > (this.counts.get(topic) ?? count));
    } catch (error) {
      this.logger.debug("could not read the partition counts of the connector's topics", { error });
      await this.admin?.disconnect();
      this.admin = undefined;
      return [];
    }
  }

  /** The connector writes to the new counts from now on. */
  accept(grown: [string, number][]): void {
    for (const [topic, count] of grown) {
      this.logger.info("partitions were added to a topic: later records use all of them", { topic, from: this.counts.get(topic), to: count });
      this.counts.set(topic, count);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}
