/**
 * A RecordFrame carries a batch of finished Kafka records from the binlog reader thread to the
 * thread that writes to Kafka, as one transferable ArrayBuffer (no per-record structured clone).
 *
 * Serialized form: `topics` (the distinct topic names, in first-use order) beside `buffer`, which
 * holds `count` records back to back, each:
 *
 *   u16 topic index (into topics) | u32 partition | u32 key length | u32 value length | key | value
 *
 * integers little-endian, key and value UTF-8. `bytes` is the sum of key + value lengths (the size
 * the queue bound and the metrics count).
 */
import type { OutRecord } from "../sink/producer";
import { dataLength, writeData } from "../sink/record-blocks";

export interface RecordFrame {
  buffer: ArrayBuffer;
  topics: string[];
  count: number;
  bytes: number;
}

const HEADER_BYTES = 14;

/** Packs records (key and value as strings or buffers) into one frame. */
export function packRecords(records: readonly OutRecord[]): RecordFrame {
  let size = 0;
  let bytes = 0;
  for (const record of records) {
    size += HEADER_BYTES + record.bytes;
    bytes += record.bytes;
  }
  const buffer = Buffer.allocUnsafeSlow(size);
  const topics: string[] = [];
  const topicIndex = new Map<string, number>();
  let offset = 0;
  for (const record of records) {
    let index = topicIndex.get(record.topic);
    if (index === undefined) {
      index = topics.push(record.topic) - 1;
      if (index > 0xffff) throw new RangeError("a record frame holds at most 65,536 topics");
      topicIndex.set(record.topic, index);
    }
    const keyLength = dataLength(record.key);
    const valueLength = dataLength(record.value);
    if (keyLength + valueLength !== record.bytes) {
      throw new RangeError(`a record's bytes (${record.bytes}) differ from its key and value lengths (${keyLength} + ${valueLength})`);
    }
    buffer.writeUInt16LE(index, offset);
    buffer.writeUInt32LE(record.partition, offset + 2);
    writeData(buffer, writeData(buffer, offset + HEADER_BYTES, record.key, keyLength), record.value, valueLength);
    buffer.writeUInt32LE(keyLength, offset + 6);
    buffer.writeUInt32LE(valueLength, offset + 10);
    offset += HEADER_BYTES + keyLength + valueLength;
  }
  return { buffer: buffer.buffer as ArrayBuffer, topics, count: records.length, bytes };
}

/** The records of a frame; keys and values are views into the frame's buffer (no copy). */
export function unpackRecords(frame: RecordFrame): OutRecord[] {
  const buffer = Buffer.from(frame.buffer);
  const records: OutRecord[] = new Array(frame.count);
  let offset = 0;
  for (let i = 0; i < frame.count; i++) {
    const topic = frame.topics[buffer.readUInt16LE(offset)];
    const partition = buffer.readUInt32LE(offset + 2);
    const keyLength = buffer.readUInt32LE(offset + 6);
    const valueLength = buffer.readUInt32LE(offset + 10);
    const keyStart = offset + HEADER_BYTES;
    const valueStart = keyStart + keyLength;
    offset = valueStart + valueLength;
    if (topic === undefined || offset > buffer.length) throw new RangeError(`record frame is corrupt at record ${i}`);
    records[i] = {
      topic,
      partition,
      key: buffer.subarray(keyStart, valueStart),
      value: buffer.subarray(valueStart, offset),
      bytes: keyLength + valueLength,
    };
  }
  if (offset !== buffer.length) throw new RangeError(`record frame has ${buffer.length - offset} bytes after its ${frame.count} records`);
  return records;
}
