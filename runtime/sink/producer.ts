/**
 * The Kafka sink: our adapter around kafkajs's producer. With acks=all (the default) every commit
 * is one Kafka transaction holding the data records and the connector's offset record, under one
 * transactional.id per connector: a consumer reading read_committed sees each change exactly once,
 * and a stale worker using the same id is fenced. With acks 1 or 0 (no transactions are possible)
 * the data is sent first and the offset after it: at-least-once.
 */
// Before kafkajs loads: it swaps two of kafkajs's slow internal helpers (see the module).
import "./kafkajs-fast-path";
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from "kafkajs";
import type { Acks, Compression } from "../contract/config";
import { CdcError, classifyKafkaError } from "../errors";
import { faultPoint } from "../faults";
import { CODEC_IDS } from "./compressors";
import { blockMessage } from "./kafkajs-produce-blocks";
import { encodeRecords, REQUEST_BYTES, type RecordBlock } from "./record-blocks";

export interface OutRecord {
  topic: string;
  partition: number;
  /** Strings where the record is built; views into a RecordFrame where it is written to Kafka. */
  key: string | Buffer;
  value: string | Buffer;
  /** key + value bytes (UTF-8). */
  bytes: number;
  /** A dead letter standing for a record over maxRecordBytes (counted in /metrics). */
  deadLetter?: boolean;
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

interface Send {
  topicMessages: TopicMessages[];
  compression?: CompressionTypes;
}

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
      // kafkajs registers the transactional.id (InitProducerId) only when the first transaction
      // begins, not on connect. Register it now, before the caller reads the committed offset:
      // that bumps the epoch, so an older producer with this id (a worker that stalled, or one
      // that died mid-transaction) is fenced, and its open transaction is finished (aborted, or
      // its commit completed) before anything is read. An empty transaction sends nothing.
      if (this.transactional) await (await this.producer.transaction()).abort();
    } catch (error) {
      throw classifyKafkaError(error, "connecting the producer");
    }
  }

  /** Writes the records and the offset record atomically (or data-then-offset without transactions). */
  async commit(records: OutRecord[], offset: OffsetWrite): Promise<void> {
    const compression = COMPRESSION_TYPES[this.options.compression];
    const offsetMessages: TopicMessages = { topic: offset.topic, messages: [{ key: offset.key, value: offset.value, partition: 0 }] };
    await this.write(
      chunkByPartitionBytes(records).map((topicMessages) => ({ topicMessages, compression })),
      { topicMessages: [offsetMessages], compression },
    );
  }

  /**
   * The same with records already encoded and compressed in blocks (record-blocks.ts), one list of
   * blocks per produce request. With transactions the offset record rides in the last request.
   */
  async commitBlocks(requests: RecordBlock[][], offset: OffsetWrite): Promise<void> {
    const offsetBlock = blockMessage({
      topic: offset.topic,
      partition: 0,
      count: 1,
      timestamp: Date.now(),
      codec: CODEC_IDS.none,
      bytes: Buffer.byteLength(offset.key) + offset.value.length,
      records: encodeRecords([{ topic: offset.topic, partition: 0, key: offset.key, value: offset.value, bytes: Buffer.byteLength(offset.key) + offset.value.length }]),
    });
    const sends = requests.map((blocks) => {
      const byTopic = new Map<string, TopicMessages>();
      for (const block of blocks) {
        let topic = byTopic.get(block.topic);
        if (!topic) byTopic.set(block.topic, (topic = { topic: block.topic, messages: [] }));
        topic.messages.push(blockMessage(block) as unknown as Message);
      }
      return { topicMessages: [...byTopic.values()] };
    });
    const offsetSend = { topicMessages: [{ topic: offset.topic, messages: [offsetBlock as unknown as Message] }] };
    if (this.transactional && sends.length > 0 && !sends[sends.length - 1].topicMessages.some((t) => t.topic === offset.topic)) {
      sends[sends.length - 1].topicMessages.push(offsetSend.topicMessages[0]);
      await this.write(sends, undefined);
    } else {
      await this.write(sends, offsetSend);
    }
  }

  /**
   * Sends the data requests then the offset request: in one Kafka transaction (acks all), or one
   * after the other (acks 1 or 0: the offset is written with acks all once the data is written).
   */
  private async write(sends: Send[], offset: Send | undefined): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new CdcError("INTERNAL", "the sink was used before connect().");
    if (!this.transactional) {
      try {
        for (const send of sends) await producer.sendBatch({ ...send, acks: ACKS[this.options.acks] });
        if (offset) await producer.sendBatch({ ...offset, acks: -1 });
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
      for (const send of sends) await transaction.sendBatch({ ...send, acks: -1 });
      if (offset) await transaction.sendBatch({ ...offset, acks: -1 });
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
