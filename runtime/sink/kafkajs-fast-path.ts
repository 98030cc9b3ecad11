/**
 * Three of kafkajs 2.2.4's internals cost the runtime more CPU per record than anything it does
 * itself (V8 profile of `npm run bench`); this module swaps them, before kafkajs loads, for
 * equivalents that give the same result:
 *
 * - producer/groupMessagesPerPartition copies a partition's array for every message it adds
 *   (`[...current, message]`): quadratic in the messages per partition of one send. Ours appends.
 * - protocol/recordBatch/record/v0 encodes every record through a growing Encoder and converts the
 *   key and value strings twice (size, then bytes): ~6 µs a record. Ours writes each record into
 *   one exact-size buffer: ~1 µs, byte for byte the same.
 * - protocol/requests/produce/v3/request (also behind v4-v7) builds every record again, in the
 *   thread that talks to Kafka. Ours also accepts record blocks, records encoded and compressed in
 *   the connector's reader thread (kafkajs-produce-blocks.ts); other requests go to kafkajs's.
 *
 * Guarded: only for the pinned kafkajs 2.2.4, only if kafkajs's producer has not loaded yet (the
 * grouping helper is captured when it loads), and only when our record bytes equal the original's
 * on a sample checked at install. CDC_KAFKAJS_FAST_PATH=0 leaves kafkajs as it is.
 * Import this module before anything that imports kafkajs (kafka-client.ts and codecs.ts do).
 */
import Module from "node:module";
import { blockMessageList, blockOf, produceRequestWithBlocks } from "./kafkajs-produce-blocks";
import { dataLength, varIntSize, writeData, writeVarInt } from "./record-blocks";

const PINNED_VERSION = "2.2.4";

interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: string | Buffer | null;
  value?: string | Buffer | null;
  headers?: Record<string, unknown>;
}

interface EncodedRecord {
  buf: Buffer;
  buffer: Buffer;
}

type RecordEncoder = (record: RecordInput) => EncodedRecord;

/** A record field's length on the wire: -1 for null. */
function byteLength(data: string | Buffer | null | undefined): number {
  return data === null || data === undefined ? -1 : dataLength(data);
}

/**
 * A record (Kafka's record format v2): length, attributes, timestampDelta, offsetDelta, key,
 * value, headers. Records with headers or deltas beyond 32 bits go to the original encoder.
 */
export function fastRecordEncoder(original: RecordEncoder): RecordEncoder {
  return (record) => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = record;
    if ((headers && Object.keys(headers).length > 0) || Math.abs(timestampDelta) > 0x3fffffff || offsetDelta > 0x3fffffff) return original(record);
    const keyLength = byteLength(key);
    const valueLength = byteLength(value);
    const body =
      1 + varIntSize(timestampDelta) + varIntSize(offsetDelta) + varIntSize(keyLength) + Math.max(keyLength, 0) +
      varIntSize(valueLength) + Math.max(valueLength, 0) + 1; // the last byte: zero headers
    const buf = Buffer.allocUnsafe(varIntSize(body) + body);
    let offset = writeVarInt(buf, 0, body);
    buf[offset++] = 0; // attributes: none per record
    offset = writeVarInt(buf, offset, timestampDelta);
    offset = writeVarInt(buf, offset, offsetDelta);
    offset = writeVarInt(buf, offset, keyLength);
    if (keyLength > 0) offset = writeData(buf, offset, key as string | Buffer, keyLength);
    offset = writeVarInt(buf, offset, valueLength);
    if (valueLength > 0) offset = writeData(buf, offset, value as string | Buffer, valueLength);
    buf[offset] = 0;
    return { buf, buffer: buf };
  };
}

type Partitioner = (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;

/**
 * What kafkajs's sender takes for stale metadata: it refreshes the cluster's metadata and sends
 * again (producer/sendMessages.js retries on this error's name).
 */
export class StalePartitionMetadata extends Error {
  override readonly name = "KafkaJSMetadataNotLoaded";
  readonly retriable = true;
}

/**
 * kafkajs's grouping, linear: the same object of partition -> messages in their order. A block
 * message (kafkajs-produce-blocks.ts) becomes its partition's whole list.
 *
 * Unlike kafkajs's, it refuses a partition its metadata does not list: kafkajs would find no
 * leader for it and leave its records out of the request without a word, and the transaction
 * would commit without them. That happens when partitions were added to a topic since kafkajs
 * last read its metadata (every 5 minutes); the refusal makes kafkajs read it again and resend.
 */
export function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: Partitioner;
}): Record<number, unknown[]> {
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  const listed = new Set(partitionMetadata.map((p) => (p as { partitionId: number }).partitionId));
  for (const message of messages) {
    const block = blockOf(message);
    const partition = block ? block.partition : partitioner({ topic, partitionMetadata, message });
    if (result[partition] === undefined && !listed.has(partition)) {
      throw new StalePartitionMetadata(`partition ${partition} of topic ${topic} is not in the producer's metadata yet`);
    }
    if (block) {
      if (result[block.partition]) throw new Error(`two record blocks, or a block and messages, for partition ${block.partition} of ${topic} in one send`);
      result[block.partition] = blockMessageList(block);
      continue;
    }
    (result[partition] ??= []).push(message);
  }
  return result;
}

export type FastPathState = "installed" | "disabled" | "kafkajs-already-loaded" | "other-version" | "bytes-differ";

let state: FastPathState | undefined;

function sameBytes(a: RecordEncoder, b: RecordEncoder): boolean {
  const samples: RecordInput[] = [
    { key: '{"id":1}', value: JSON.stringify({ é: "ü€𝄞", n: 1 }), offsetDelta: 0, timestampDelta: 0 },
    { key: null, value: "x".repeat(300), offsetDelta: 1999, timestampDelta: 12345 },
    { key: Buffer.from("k"), value: Buffer.alloc(70_000, 1), offsetDelta: 70, timestampDelta: -5 },
    { key: "", value: null, offsetDelta: 3, timestampDelta: 64 },
  ];
  return samples.every((s) => a(s).buffer.equals(b(s).buffer));
}

/** Whether record blocks can be sent (the fast path carries them); the sink falls back to messages otherwise. */
export function recordBlocksSupported(): boolean {
  return installKafkajsFastPath() === "installed";
}

/** Installs the fast path once; returns what happened (logged by the runtime at start). */
export function installKafkajsFastPath(): FastPathState {
  if (state) return state;
  if (process.env.CDC_KAFKAJS_FAST_PATH === "0") return (state = "disabled");
  const version = (require("kafkajs/package.json") as { version: string }).version;
  if (version !== PINNED_VERSION) return (state = "other-version");
  const groupFile = require.resolve("kafkajs/src/producer/groupMessagesPerPartition");
  const produceFile = require.resolve("kafkajs/src/protocol/requests/produce/v3/request");
  if (require.cache[require.resolve("kafkajs/src/producer/sendMessages")] || require.cache[produceFile]) return (state = "kafkajs-already-loaded");
  const recordFile = require.resolve("kafkajs/src/protocol/recordBatch/record/v0");
  const original = require(recordFile) as RecordEncoder;
  const fast = fastRecordEncoder(original);
  if (!sameBytes(original, fast)) return (state = "bytes-differ");
  (require.cache[recordFile] as NodeJS.Module).exports = fast;
  const grouping = new Module(groupFile, module);
  grouping.filename = groupFile;
  grouping.loaded = true;
  grouping.exports = groupMessagesPerPartition;
  require.cache[groupFile] = grouping;
  const Encoder = require("kafkajs/src/protocol/encoder") as new () => { buf: Buffer; offset: number };
  const Long = require("kafkajs/src/utils/long") as { fromValue(v: unknown): { toString(): string } };
  const crc32c = require("kafkajs/src/protocol/recordBatch/crc32C") as (data: Buffer) => number;
  const produce = require(produceFile);
  // (narrowed to undefined by the load-order check above; it is loaded now)
  (require.cache[produceFile] as unknown as NodeJS.Module).exports = produceRequestWithBlocks(produce, {
    asEncoder: (bytes) => Object.assign(new Encoder(), { buf: bytes, offset: bytes.length }),
    toBigInt: (id) => (typeof id === "bigint" ? id : BigInt(Long.fromValue(id).toString())),
    crc32c,
  });
  return (state = "installed");
}

installKafkajsFastPath();
