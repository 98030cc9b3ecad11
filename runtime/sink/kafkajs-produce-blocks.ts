/**
 * Sending record blocks (record-blocks.ts) through kafkajs, so kafkajs keeps what it is good at
 * (connections, metadata, the idempotent/transactional producer's ids, sequences, retries and
 * transaction state) and does no per-record work.
 *
 * How a block travels: the sink gives sendBatch one message per block, {partition, value: null,
 * [BLOCK]: block}. The grouping helper (kafkajs-fast-path.ts) turns it into that partition's
 * message list: an empty array of the block's length (kafkajs advances the partition's sequence
 * number by that length) that carries the block. The produce request below then writes the block
 * as one record batch: Kafka's v2 batch header with the producer id, epoch and first sequence
 * kafkajs assigned, the CRC32C, and the block's records as they are.
 *
 * Produce requests v3 to v7 share one layout (kafkajs builds v4-v7 from its v3 encoder, which this
 * module replaces): requests whose partitions are all blocks are written here, any other request
 * by kafkajs's own encoder.
 */
import type { RecordBlock } from "./record-blocks";

export const BLOCK = Symbol.for("mysql-kafka-cdc.record-block");

export interface BlockMessage {
  partition: number;
  key: null;
  value: null;
  [BLOCK]: RecordBlock;
}

export function blockMessage(block: RecordBlock): BlockMessage {
  return { partition: block.partition, key: null, value: null, [BLOCK]: block };
}

export function blockOf(message: unknown): RecordBlock | undefined {
  return message !== null && typeof message === "object" ? (message as Partial<BlockMessage>)[BLOCK] : undefined;
}

/** A partition's message list standing for a block: `count` empty slots, carrying the block. */
export function blockMessageList(block: RecordBlock): unknown[] {
  const list: unknown[] & { [BLOCK]?: RecordBlock } = new Array(block.count);
  list[BLOCK] = block;
  return list;
}

export interface ProducerIds {
  producerId: bigint;
  producerEpoch: number;
  firstSequence: number;
  transactional: boolean;
}

const BATCH_HEADER_BYTES = 61; // baseOffset 8, length 4, leaderEpoch 4, magic 1, crc 4, then 40 up to the records
const TRANSACTIONAL_BIT = 16;

/**
 * One record batch (magic 2) around a block, as kafkajs writes it: base offset 0, partition leader
 * epoch 0, CreateTime timestamps.
 */
export function encodeBlockBatch(block: RecordBlock, ids: ProducerIds, crc32c: (data: Buffer) => number): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + block.records.length);
  out.writeBigInt64BE(0n, 0); // base offset
  out.writeInt32BE(out.length - 12, 8); // batch length: everything after this field
  out.writeInt32BE(0, 12); // partition leader epoch
  out.writeInt8(2, 16); // magic
  out.writeInt16BE(block.codec | (ids.transactional ? TRANSACTIONAL_BIT : 0), 21);
  out.writeInt32BE(block.count - 1, 23); // last offset delta
  out.writeBigInt64BE(BigInt(block.timestamp), 27); // first timestamp
  out.writeBigInt64BE(BigInt(block.timestamp), 35); // max timestamp
  out.writeBigInt64BE(ids.producerId, 43);
  out.writeInt16BE(ids.producerEpoch, 51);
  out.writeInt32BE(ids.firstSequence, 53);
  out.writeInt32BE(block.count, 57);
  block.records.copy(out, BATCH_HEADER_BYTES);
  out.writeUInt32BE(crc32c(out.subarray(21)), 17);
  return out;
}

interface PartitionData {
  partition: number;
  messages: unknown[] & { [BLOCK]?: RecordBlock };
  firstSequence?: number;
}

interface ProduceArgs {
  acks: number;
  timeout?: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: string; partitions: PartitionData[] }[];
}

interface ProduceRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse: () => boolean;
  encode: () => Promise<unknown>;
}

function stringBytes(value: string | null | undefined): number {
  return value === null || value === undefined ? 2 : 2 + Buffer.byteLength(value);
}

function writeString(out: Buffer, offset: number, value: string | null | undefined): number {
  if (value === null || value === undefined) return out.writeInt16BE(-1, offset);
  const length = Buffer.byteLength(value);
  out.writeInt16BE(length, offset);
  out.write(value, offset + 2, length, "utf8");
  return offset + 2 + length;
}

/** The body of a produce request (v3-v7) whose partitions are all blocks. */
export function encodeBlockProduceRequest(args: ProduceArgs, toBigInt: (id: unknown) => bigint, crc32c: (data: Buffer) => number): Buffer {
  const transactional = !!args.transactionalId;
  const producerId = args.producerId === undefined ? -1n : toBigInt(args.producerId);
  const batches = args.topicData.map(({ topic, partitions }) => ({
    topic,
    partitions: partitions.map((p) => ({
      partition: p.partition,
      batch: encodeBlockBatch(p.messages[BLOCK] as RecordBlock, { producerId, producerEpoch: args.producerEpoch ?? 0, firstSequence: p.firstSequence ?? 0, transactional }, crc32c),
    })),
  }));
  let size = stringBytes(args.transactionalId) + 2 + 4 + 4;
  for (const t of batches) {
    size += stringBytes(t.topic) + 4;
    for (const p of t.partitions) size += 8 + p.batch.length;
  }
  const out = Buffer.allocUnsafe(size);
  let offset = writeString(out, 0, args.transactionalId);
  offset = out.writeInt16BE(args.acks, offset);
  offset = out.writeInt32BE(args.timeout ?? 30_000, offset);
  offset = out.writeInt32BE(batches.length, offset);
  for (const t of batches) {
    offset = writeString(out, offset, t.topic);
    offset = out.writeInt32BE(t.partitions.length, offset);
    for (const p of t.partitions) {
      offset = out.writeInt32BE(p.partition, offset);
      offset = out.writeInt32BE(p.batch.length, offset);
      offset += p.batch.copy(out, offset);
    }
  }
  return out;
}

type RequestV3 = (args: ProduceArgs) => ProduceRequest;

/**
 * kafkajs's produce request v3 with blocks: `original` for requests without blocks. `asEncoder`
 * wraps finished bytes in kafkajs's Encoder type (what the request's encode() must return).
 */
export function produceRequestWithBlocks(
  original: RequestV3,
  helpers: { asEncoder: (bytes: Buffer) => unknown; toBigInt: (id: unknown) => bigint; crc32c: (data: Buffer) => number },
): RequestV3 {
  return (args) => {
    const partitions = args.topicData.flatMap((t) => t.partitions);
    const blocks = partitions.filter((p) => p.messages[BLOCK] !== undefined).length;
    if (blocks === 0) return original(args);
    if (blocks !== partitions.length) {
      throw new Error("a produce request mixes record blocks and plain messages: the sink sends them in separate requests");
    }
    return {
      apiKey: 0,
      apiVersion: 3,
      apiName: "Produce",
      expectResponse: () => args.acks !== 0,
      encode: async () => helpers.asEncoder(encodeBlockProduceRequest(args, helpers.toBigInt, helpers.crc32c)),
    };
  };
}
