// The fast path first: kafkajs must load with it (as in the runtime).
import "../../../runtime/sink/kafkajs-fast-path";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Kafka } from "kafkajs";
import { createKafka } from "../../../runtime/sink/kafka-client";
import { blockMessage, blockMessageList, encodeBlockBatch } from "../../../runtime/sink/kafkajs-produce-blocks";
import { buildBlockBatch, encodeRecords, unpackBlockBatch, type RecordBlock } from "../../../runtime/sink/record-blocks";
import type { OutRecord } from "../../../runtime/sink/producer";
import { useBench, type Bench } from "../../bench/services";
import { consume, uniqueName } from "../fixtures";
import { freshKafkajsModule } from "./kafkajs-originals";

const Long = require("kafkajs/src/utils/long") as { fromValue(v: unknown): unknown };
const crc32c = require("kafkajs/src/protocol/recordBatch/crc32C") as (b: Buffer) => number;

type Encoded = { buffer: Buffer };
const kafkajsRecord = freshKafkajsModule<(r: Record<string, unknown>) => Encoded>("kafkajs/src/protocol/recordBatch/record/v0");
const { RecordBatch } = freshKafkajsModule<{ RecordBatch: (args: Record<string, unknown>) => Promise<Encoded> }>("kafkajs/src/protocol/recordBatch/v0");
type RequestV3 = (args: Record<string, unknown>) => { encode: () => Promise<Encoded>; apiKey: number; apiVersion: number };
const installed = require("kafkajs/src/protocol/requests/produce/v3/request") as RequestV3;
const originalRequest = freshKafkajsModule<RequestV3>("kafkajs/src/protocol/requests/produce/v3/request");

function rec(topic: string, partition: number, key: string, value: string): OutRecord {
  return { topic, partition, key, value, bytes: Buffer.byteLength(key) + Buffer.byteLength(value) };
}

const T = 1_700_000_000_123;
const RECORDS = Array.from({ length: 300 }, (_, i) => rec("t", 0, `{"id":${i}}`, `{"v":"${"é€x".repeat(i % 40)}"}`));
const block = (records: OutRecord[], partition = 0): RecordBlock => ({
  topic: "t",
  partition,
  count: records.length,
  timestamp: T,
  codec: 0,
  bytes: records.reduce((s, r) => s + r.bytes, 0),
  records: encodeRecords(records),
});

describe("record batches from blocks", () => {
  for (const transactional of [true, false]) {
    test(`equal kafkajs's batch for the same records (${transactional ? "transactional" : "idempotent"})`, async () => {
      const ours = encodeBlockBatch(block(RECORDS), { producerId: 4242n, producerEpoch: 3, firstSequence: 77, transactional }, crc32c);
      const theirs = await RecordBatch({
        compression: 0,
        records: RECORDS.map((r, i) => kafkajsRecord({ key: r.key, value: r.value, offsetDelta: i, timestampDelta: 0 })),
        firstTimestamp: T,
        maxTimestamp: T,
        producerId: Long.fromValue(4242),
        producerEpoch: 3,
        firstSequence: 77,
        transactional,
        lastOffsetDelta: RECORDS.length - 1,
      });
      assert.ok(ours.equals(theirs.buffer));
    });
  }

  test("a produce request of blocks equals kafkajs's request for the same messages", async () => {
    const p0 = RECORDS.slice(0, 120);
    const p3 = RECORDS.slice(120).map((r) => ({ ...r, partition: 3 }));
    const common = { acks: -1, timeout: 30_000, transactionalId: "txn-1", producerId: Long.fromValue(99), producerEpoch: 1, compression: 0 };
    const theirs = await originalRequest({
      ...common,
      topicData: [{ topic: "t", partitions: [
        { partition: 0, firstSequence: 10, messages: p0.map((r) => ({ key: r.key, value: r.value, timestamp: T })) },
        { partition: 3, firstSequence: 0, messages: p3.map((r) => ({ key: r.key, value: r.value, timestamp: T })) },
      ] }],
    }).encode();
    const request = installed({
      ...common,
      topicData: [{ topic: "t", partitions: [
        { partition: 0, firstSequence: 10, messages: blockMessageList(block(p0)) },
        { partition: 3, firstSequence: 0, messages: blockMessageList(block(p3, 3)) },
      ] }],
    });
    assert.equal(request.apiKey, 0);
    assert.ok((await request.encode()).buffer.equals(theirs.buffer));
  });

  test("requests without blocks are kafkajs's own; a request mixing both is refused", async () => {
    const plain = { acks: -1, timeout: 30_000, transactionalId: null, compression: 0, topicData: [{ topic: "t", partitions: [{ partition: 0, firstSequence: 0, messages: [{ key: "k", value: "v", timestamp: T }] }] }] };
    assert.ok((await installed(plain).encode()).buffer.equals((await originalRequest(plain).encode()).buffer));
    assert.throws(
      () => installed({ ...plain, topicData: [{ topic: "t", partitions: [plain.topicData[0].partitions[0], { partition: 1, firstSequence: 0, messages: blockMessageList(block(RECORDS.slice(0, 2), 1)) }] }] }),
      /mixes record blocks and plain messages/,
    );
  });
});

describe("blocks through the real broker", () => {
  let bench: Bench;
  let kafka: Kafka;
  const topics: string[] = [];
  before(async () => {
    bench = await useBench({ kafka: true });
    kafka = createKafka({ brokers: bench.kafka.brokers, clientId: uniqueName("blocks-") });
  });
  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await bench.stop();
  });

  for (const compression of ["lz4", "gzip", "snappy", "zstd", "none"] as const) {
    test(`${compression}: blocks in two transactions arrive once each, in order, with their keys and partitions`, async () => {
      const topic = uniqueName(`blocks_${compression}_`);
      topics.push(topic);
      const admin = kafka.admin();
      await admin.connect();
      // compression.type=gzip: the broker decodes and recompresses every batch, so a batch in a
      // wrong wire format (or with a wrong CRC) is rejected.
      await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: "compression.type", value: "gzip" }] }], waitForLeaders: true });
      await admin.disconnect();
      const records = Array.from({ length: 3000 }, (_, i) => rec(topic, i % 2, `{"id":${i}}`, JSON.stringify({ i, text: `row ${i} ${"ü".repeat(i % 200)}` })));
      const producer = kafka.producer({ transactionalId: uniqueName("blocks-"), idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        for (const part of [records.slice(0, 1000), records.slice(1000)]) {
          const txn = await producer.transaction();
          // Two sends in one transaction: the partitions' sequence numbers must advance by each block's count.
          for (const half of [part.slice(0, part.length / 2), part.slice(part.length / 2)]) {
            const batch = unpackBlockBatch(await buildBlockBatch(half, compression));
            for (const request of batch) await txn.sendBatch({ topicMessages: [{ topic, messages: request.map((b) => blockMessage(b) as never) }] });
          }
          await txn.commit();
        }
      } finally {
        await producer.disconnect();
      }
      const read = await consume(kafka, [topic], (m) => m.length >= records.length, 30_000, 500);
      assert.equal(read.length, records.length);
      for (const partition of [0, 1]) {
        assert.deepEqual(
          read.filter((m) => m.partition === partition).map((m) => [m.key, m.value]),
          records.filter((r) => r.partition === partition).map((r) => [r.key, r.value]),
        );
      }
    });
  }
});
