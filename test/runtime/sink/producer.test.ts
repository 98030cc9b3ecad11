import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createKafka } from "../../../runtime/sink/kafka-client";
import { chunkByPartitionBytes, KafkaSink, type OutRecord } from "../../../runtime/sink/producer";
import { encodeRecords } from "../../../runtime/sink/record-blocks";
import { useBench } from "../../bench/services";
import { consume, kafkaOf, uniqueName } from "../fixtures";

const KiB = 1024;
const LIMIT = 900 * KiB;

function rec(topic: string, partition: number, id: string, bytes: number): OutRecord {
  return { topic, partition, key: `k-${id}`, value: `v-${id}`, bytes };
}

/** The ids of each chunk, as "topic/partition:id", in the order sent. */
function layout(chunks: ReturnType<typeof chunkByPartitionBytes>): string[][] {
  return chunks.map((chunk) => chunk.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.partition}:${String(m.key).slice(2)}`)));
}

describe("chunkByPartitionBytes", () => {
  test("no records, no chunks", () => {
    assert.deepEqual(chunkByPartitionBytes([]), []);
  });

  test("small records make one chunk, grouped by topic, messages carrying key, value and partition", () => {
    const chunks = chunkByPartitionBytes([rec("a", 0, "1", 100), rec("b", 1, "2", 100), rec("a", 1, "3", 100), rec("a", 0, "4", 100)]);
    assert.deepEqual(chunks, [
      [
        {
          topic: "a",
          messages: [
            { key: "k-1", value: "v-1", partition: 0 },
            { key: "k-3", value: "v-3", partition: 1 },
            { key: "k-4", value: "v-4", partition: 0 },
          ],
        },
        { topic: "b", messages: [{ key: "k-2", value: "v-2", partition: 1 }] },
      ],
    ]);
  });

  test("a partition over 900 KiB starts a new chunk", () => {
    const chunks = chunkByPartitionBytes([rec("a", 0, "1", 400 * KiB), rec("a", 0, "2", 400 * KiB), rec("a", 0, "3", 400 * KiB)]);
    assert.deepEqual(layout(chunks), [["a/0:1", "a/0:2"], ["a/0:3"]]);
  });

  test("exactly 900 KiB in a partition still fits; one byte more does not", () => {
    const chunks = chunkByPartitionBytes([rec("a", 0, "1", LIMIT / 2), rec("a", 0, "2", LIMIT / 2), rec("a", 0, "3", 1)]);
    assert.deepEqual(layout(chunks), [["a/0:1", "a/0:2"], ["a/0:3"]]);
  });

  test("the limit is per partition: other partitions fill up independently", () => {
    const chunks = chunkByPartitionBytes([
      rec("a", 0, "1", 800 * KiB),
      rec("a", 1, "2", 800 * KiB),
      rec("b", 0, "3", 800 * KiB),
      rec("a", 1, "4", 200 * KiB),
    ]);
    assert.deepEqual(layout(chunks), [["a/0:1", "a/1:2", "b/0:3"], ["a/1:4"]]);
  });

  test("a single record larger than the limit travels alone in its partition", () => {
    const chunks = chunkByPartitionBytes([rec("a", 0, "small1", KiB), rec("a", 0, "huge", 5 * 1024 * KiB), rec("a", 0, "small2", KiB)]);
    assert.deepEqual(layout(chunks), [["a/0:small1"], ["a/0:huge"], ["a/0:small2"]]);
  });

  test("a huge first record is not preceded by an empty chunk", () => {
    const chunks = chunkByPartitionBytes([rec("a", 0, "huge", 2 * LIMIT)]);
    assert.deepEqual(layout(chunks), [["a/0:huge"]]);
  });

  test("order within each partition is kept across chunks", () => {
    const input: OutRecord[] = [];
    for (let i = 0; i < 60; i++) input.push(rec(i % 3 === 0 ? "b" : "a", i % 4, String(i), (100 + ((i * 37) % 300)) * KiB));
    const chunks = chunkByPartitionBytes(input);
    assert.ok(chunks.length > 1);
    const sent = layout(chunks).flat();
    assert.equal(sent.length, 60);
    for (const slot of ["a/0", "a/1", "a/2", "a/3", "b/0", "b/1", "b/2", "b/3"]) {
      const expected = input.filter((r) => `${r.topic}/${r.partition}` === slot).map((r) => `${slot}:${r.key.slice(2)}`);
      assert.deepEqual(sent.filter((s) => s.startsWith(`${slot}:`)), expected, slot);
    }
    // and no partition carries more than the limit in one chunk unless a single record does
    for (const chunk of chunks) {
      const perSlot = new Map<string, { bytes: number; count: number }>();
      for (const t of chunk) {
        for (const m of t.messages) {
          const r = input.find((x) => x.key === m.key)!;
          const slot = `${t.topic}/${m.partition}`;
          const s = perSlot.get(slot) ?? { bytes: 0, count: 0 };
          perSlot.set(slot, { bytes: s.bytes + r.bytes, count: s.count + 1 });
        }
      }
      for (const [slot, s] of perSlot) assert.ok(s.bytes <= LIMIT || s.count === 1, `${slot}: ${s.bytes} bytes in ${s.count}`);
    }
  });
});

describe("KafkaSink against the broker", () => {
  test("records for partitions added after the producer connected are written, not dropped (kafkajs's metadata is refreshed)", async () => {
    const bench = await useBench({ kafka: true });
    const kafka = kafkaOf(bench);
    const topic = uniqueName("grow-");
    const offsets = uniqueName("offsets-");
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }, { topic: offsets, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const sink = new KafkaSink(createKafka({ brokers: bench.kafka.brokers, clientId: uniqueName("sink-") }), { transactionalId: uniqueName("txn-"), compression: "none", acks: "all" });
    try {
      await sink.connect();
      const offset = { topic: offsets, key: "c", value: Buffer.from("{}") };
      const record = (partition: number, id: string): OutRecord => ({ topic, partition, key: id, value: `v-${id}`, bytes: 2 + id.length * 2 });
      await sink.commit([record(0, "a"), record(1, "b")], offset);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
      await sink.commit([record(2, "c"), record(3, "d"), record(0, "e")], offset);
      await sink.commitBlocks(
        [[{ topic, partition: 3, count: 1, timestamp: Date.now(), codec: 0, bytes: 2, records: encodeRecords([record(3, "f")]) }]],
        offset,
      );
      const messages = await consume(kafka, [topic], (m) => m.length >= 6, 30_000, 500);
      assert.deepEqual(messages.map((m) => `${m.partition}:${m.key}`).sort(), ["0:a", "0:e", "1:b", "2:c", "3:d", "3:f"]);
    } finally {
      await sink.disconnect();
      await admin.deleteTopics({ topics: [topic, offsets] }).catch(() => undefined);
      await admin.disconnect();
      await bench.stop();
    }
  });
});
