/**
 * Record blocks: the records of one partition for one produce request, already in Kafka's wire
 * form (record format v2) and compressed, so the thread that talks to Kafka only adds the record
 * batch header (producer id, epoch, sequence, CRC) and sends them (kafkajs-produce-blocks.ts).
 * They are built in the connector's reader thread; this module does not load kafkajs.
 *
 * A block's records carry offsetDelta 0..count-1 and timestampDelta 0 (every record has the
 * block's timestamp as CreateTime), no attributes and no headers.
 *
 * Serialized form (BlockBatch, crossing threads): one ArrayBuffer holding every block's records
 * back to back, and per produce request the list of blocks {topic, partition, count, timestamp,
 * codec, bytes, offset, length} where offset/length locate its records in the buffer.
 */
import type { Compression } from "../contract/config";
import { CODEC_IDS, compressor } from "./compressors";
import type { OutRecord } from "./producer";

/** Largest uncompressed size per partition in one produce request (brokers default to a 1 MB batch limit). */
export const REQUEST_BYTES = 900 * 1024;

export interface RecordBlock {
  topic: string;
  partition: number;
  count: number;
  /** CreateTime of every record, ms. */
  timestamp: number;
  /** Kafka's compression codec id of `records`. */
  codec: number;
  /** Key + value bytes of the records, uncompressed (for metrics). */
  bytes: number;
  /** The records, compressed with codec. */
  records: Buffer;
}

export interface BlockDescriptor extends Omit<RecordBlock, "records"> {
  offset: number;
  length: number;
}

export interface BlockBatch {
  buffer: ArrayBuffer;
  requests: BlockDescriptor[][];
}

/** Zigzag varint size and writer, as Kafka's record format uses for lengths and deltas (32-bit values). */
export function varIntSize(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

export function writeVarInt(buffer: Buffer, offset: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buffer[offset++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buffer[offset++] = v;
  return offset;
}

/** UTF-8 length of a key or value. */
export function dataLength(data: string | Buffer): number {
  return typeof data === "string" ? Buffer.byteLength(data) : data.length;
}

/** Writes a key or value of `length` bytes at offset; returns the offset after it (throws if the length is wrong). */
export function writeData(buffer: Buffer, offset: number, data: string | Buffer, length: number): number {
  let written = length;
  if (typeof data === "string") written = buffer.write(data, offset, length, "utf8");
  else if (data.length !== length) written = data.length;
  // Buffer.copy's argument handling costs more than the copy for records of a few hundred bytes.
  else if (length > 32) buffer.set(data, offset);
  else for (let i = 0; i < length; i++) buffer[offset + i] = data[i];
  if (written !== length) throw new RangeError(`a record's key or value is ${written} bytes where ${length} were expected (its bytes do not match its key and value)`);
  return offset + length;
}

/** The records in wire form, uncompressed: offsetDelta = index, timestampDelta 0, no headers. */
export function encodeRecords(records: readonly OutRecord[]): Buffer {
  const keyLengths = new Int32Array(records.length);
  let size = 0;
  for (let i = 0; i < records.length; i++) {
    const keyLength = dataLength(records[i].key);
    const valueLength = records[i].bytes - keyLength;
    keyLengths[i] = keyLength;
    const body = 1 + 1 + varIntSize(i) + varIntSize(keyLength) + keyLength + varIntSize(valueLength) + valueLength + 1;
    size += varIntSize(body) + body;
  }
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  for (let i = 0; i < records.length; i++) {
    const { key, value, bytes } = records[i];
    const keyLength = keyLengths[i];
    const valueLength = bytes - keyLength;
    const body = 1 + 1 + varIntSize(i) + varIntSize(keyLength) + keyLength + varIntSize(valueLength) + valueLength + 1;
    offset = writeVarInt(buffer, offset, body);
    buffer[offset++] = 0; // attributes
    buffer[offset++] = 0; // timestampDelta 0 (zigzag varint)
    offset = writeVarInt(buffer, offset, i);
    offset = writeVarInt(buffer, offset, keyLength);
    offset = writeData(buffer, offset, key, keyLength);
    offset = writeVarInt(buffer, offset, valueLength);
    offset = writeData(buffer, offset, value, valueLength);
    buffer[offset++] = 0; // no headers
  }
  if (offset !== size) throw new RangeError(`encoded ${offset} bytes of records, expected ${size} (a record's bytes do not match its key and value)`);
  return buffer;
}

/**
 * Splits records (in commit order) into produce requests: per request at most one block per
 * partition and at most REQUEST_BYTES per block (a larger record travels alone), keeping each
 * partition's order. Returns, per request, the records of each (topic, partition).
 */
export function planRequests(records: readonly OutRecord[], maxBytes = REQUEST_BYTES): OutRecord[][][] {
  interface Slot {
    chunks: OutRecord[][];
    used: number;
  }
  const byTopic = new Map<string, Slot[]>();
  const slots: Slot[] = [];
  let lastTopic: string | undefined;
  let topicSlots: Slot[] = [];
  for (const record of records) {
    if (record.topic !== lastTopic) {
      lastTopic = record.topic;
      let found = byTopic.get(record.topic);
      if (!found) byTopic.set(record.topic, (found = []));
      topicSlots = found;
    }
    let slot = topicSlots[record.partition];
    if (!slot) {
      slot = topicSlots[record.partition] = { chunks: [[]], used: 0 };
      slots.push(slot);
    }
    if (slot.used > 0 && slot.used + record.bytes > maxBytes) {
      slot.chunks.push([]);
      slot.used = 0;
    }
    slot.chunks[slot.chunks.length - 1].push(record);
    slot.used += record.bytes;
  }
  const requests: OutRecord[][][] = [];
  for (const slot of slots) slot.chunks.forEach((chunk, i) => (requests[i] ??= []).push(chunk));
  return requests;
}

/** Encodes and compresses the records into blocks, per produce request, packed for a thread hand-off. */
export async function buildBlockBatch(records: readonly OutRecord[], compression: Compression, timestamp = Date.now()): Promise<BlockBatch> {
  const codec = CODEC_IDS[compression];
  const compress = compressor(compression);
  const planned = planRequests(records);
  const built: RecordBlock[][] = [];
  for (const request of planned) {
    built.push(
      await Promise.all(
        request.map(async (chunk) => ({
          topic: chunk[0].topic,
          partition: chunk[0].partition,
          count: chunk.length,
          timestamp,
          codec,
          bytes: chunk.reduce((sum, r) => sum + r.bytes, 0),
          records: await compress.compress(encodeRecords(chunk)),
        })),
      ),
    );
  }
  const total = built.flat().reduce((sum, b) => sum + b.records.length, 0);
  const out = Buffer.allocUnsafeSlow(total);
  let offset = 0;
  const requests = built.map((request) =>
    request.map(({ records: data, ...block }) => {
      data.copy(out, offset);
      const descriptor = { ...block, offset, length: data.length };
      offset += data.length;
      return descriptor;
    }),
  );
  return { buffer: out.buffer as ArrayBuffer, requests };
}

/** The blocks of a batch, their records as views into its buffer. */
export function unpackBlockBatch(batch: BlockBatch): RecordBlock[][] {
  return batch.requests.map((request) =>
    request.map(({ offset, length, ...block }) => ({ ...block, records: Buffer.from(batch.buffer, offset, length) })),
  );
}
