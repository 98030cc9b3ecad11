/**
 * The Kafka sink: our adapter around kafkajs's producer. With acks=all (the default) every commit
 * is one Kafka transaction holding the data records and the connector's offset record, under one
 * transactional.id per connector: a consumer reading read_committed sees each change exactly once,
 * and a stale worker using the same id is fenced. With acks 1 or 0 (no transactions are possible)
 * the data is sent first and the offset after it: at-least-once.
 */
// Before kafkajs loads: it swaps two of kafkajs's slow internal helpers (see the module).
import "./kafkajs-fast-path";
import { CompressionTypes, Partitioners, type Kafka, type Producer, type TopicMessages } from "kafkajs";
import type { Acks, Compression } from "../contract/config";
import { CdcError, classifyKafkaError } from "../errors";
import { faultPoint } from "../faults";

export interface OutRecord {
  topic: string;
  partition: number;
  key: string;
  value: string;
  /** key + value bytes (UTF-8). */
  bytes: number;
}

export interface OffsetWrite {
  topic: string;
  key: string;
  value: Buffer;
}

export const COMPRESSION_TYPES: Record<Compression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

const ACKS: Record<Acks, number> = { all: -1, "1": 1, "0": 0 };

/** Largest uncompressed size sent per partition in one produce request (brokers default to a 1 MB batch limit). */
const REQUEST_BYTES = 900 * 1024;

export interface KafkaSinkOptions {
  transactionalId: string;
  compression: Compression;
  acks: Acks;
}

export class KafkaSink {
  private producer: Producer | undefined;
  private readonly transactional: boolean;

  constructor(private readonly kafka: Kafka, private readonly options: KafkaSinkOptions) {
    this.transactional = options.acks === "all";
  }

  /** Connects; with transactions, this also fences any older producer with the same transactional.id. */
  async connect(): Promise<void> {
    this.producer = this.transactional
      ? this.kafka.producer({
          transactionalId: this.options.transactionalId,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: 60_000,
          createPartitioner: Partitioners.DefaultPartitioner,
          // The next transaction often starts while the coordinator still writes the previous
          // one's markers (CONCURRENT_TRANSACTIONS): retry after milliseconds, not kafkajs's 300.
          retry: { retries: 10, initialRetryTime: 10, maxRetryTime: 2_000 },
        })
      : this.kafka.producer({ idempotent: false, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    try {
      await this.producer.connect();
    } catch (error) {
      throw classifyKafkaError(error, "connecting the producer");
    }
  }

  /** Writes the records and the offset record atomically (or data-then-offset without transactions). */
  async commit(records: OutRecord[], offset: OffsetWrite): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new CdcError("INTERNAL", "the sink was used before connect().");
    const compression = COMPRESSION_TYPES[this.options.compression];
    const offsetMessages: TopicMessages = { topic: offset.topic, messages: [{ key: offset.key, value: offset.value, partition: 0 }] };
    if (!this.transactional) {
      try {
        for (const chunk of chunkByPartitionBytes(records)) {
          await producer.sendBatch({ topicMessages: chunk, acks: ACKS[this.options.acks], compression });
        }
        await producer.sendBatch({ topicMessages: [offsetMessages], acks: -1, compression });
      } catch (error) {
        throw classifyKafkaError(error, "writing to Kafka");
      }
      return;
    }
    let transaction;
    try {
      transaction = await producer.transaction();
    } catch (error) {
      throw classifyKafkaError(error, "beginning a Kafka transaction");
    }
    try {
      for (const chunk of chunkByPartitionBytes(records)) {
        await transaction.sendBatch({ topicMessages: chunk, acks: -1, compression });
      }
      await transaction.sendBatch({ topicMessages: [offsetMessages], acks: -1, compression });
      faultPoint("before-commit");
      await transaction.commit();
      faultPoint("after-commit");
    } catch (error) {
      const failure = classifyKafkaError(error, "committing a Kafka transaction");
      await transaction.abort().catch(() => undefined);
      throw failure;
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}

/**
 * Groups records by topic into produce requests whose per-partition uncompressed size stays under
 * REQUEST_BYTES (a single larger record travels alone), keeping each partition's order.
 */
export function chunkByPartitionBytes(records: OutRecord[]): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current = new Map<string, TopicMessages>();
  const partitionBytes = new Map<string, number>();
  const flush = () => {
    if (current.size > 0) chunks.push([...current.values()]);
    current = new Map();
    partitionBytes.clear();
  };
  for (const record of records) {
    const slot = `${record.topic}\u0000${record.partition}`;
    const used = partitionBytes.get(slot) ?? 0;
    if (used > 0 && used + record.bytes > REQUEST_BYTES) flush();
    let topic = current.get(record.topic);
    if (!topic) {
      topic = { topic: record.topic, messages: [] };
      current.set(record.topic, topic);
    }
    topic.messages.push({ key: record.key, value: record.value, partition: record.partition });
    partitionBytes.set(slot, (partitionBytes.get(slot) ?? 0) + record.bytes);
  }
  flush();
  return chunks;
}
