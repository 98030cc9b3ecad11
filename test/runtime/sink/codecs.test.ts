import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CompressionCodecs, CompressionTypes, type Kafka } from "kafkajs";
import { registerCompressionCodecs } from "../../../runtime/sink/codecs";
import { createKafka } from "../../../runtime/sink/kafka-client";
import { COMPRESSION_TYPES } from "../../../runtime/sink/producer";
import { useBench, type Bench } from "../../bench/services";
import { consume, uniqueName } from "../fixtures";

// Each compression the connector offers, through the real broker. The topics are created with
// compression.type=gzip, so the broker itself must decode every batch and recompress it: a batch
// in the wrong wire format is rejected.
let bench: Bench;
let kafka: Kafka;
const topics: string[] = [];

before(async () => {
  bench = await useBench({ kafka: true });
  kafka = createKafka({ brokers: bench.kafka.brokers, clientId: uniqueName("codecs-") });
});

after(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
  await bench.stop();
});

for (const compression of ["lz4", "snappy", "zstd", "gzip", "none"] as const) {
  test(`${compression}: a transactional batch is accepted, recompressed by the broker and read back`, async () => {
    const topic = uniqueName(`codec_${compression}_`);
    topics.push(topic);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: "compression.type", value: "gzip" }] }], waitForLeaders: true });
    await admin.disconnect();
    const values = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: i, text: `row ${i} ${"x".repeat(i % 300)}` }));
    const producer = kafka.producer({ transactionalId: uniqueName("codec-"), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.sendBatch({ topicMessages: [{ topic, messages: values.map((value, i) => ({ key: String(i), value })) }], compression: COMPRESSION_TYPES[compression] });
    await txn.commit();
    await producer.disconnect();
    const read = await consume(kafka, [topic], (m) => m.length >= values.length, 30_000);
    assert.deepEqual(read.map((m) => m.value), values);
  });
}

test("snappy: xerial-framed batches, as the Java client writes them, are unwrapped", async () => {
  registerCompressionCodecs();
  const snappy = require("snappy") as { compress(b: Buffer): Promise<Buffer> };
  const parts = [Buffer.from("first chunk, "), Buffer.from("second chunk")];
  const chunks = await Promise.all(parts.map((p) => snappy.compress(p)));
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const framed = Buffer.concat([header, ...chunks.flatMap((c) => [Buffer.from([0, 0, (c.length >> 8) & 0xff, c.length & 0xff]), c])]);
  const codec = CompressionCodecs[CompressionTypes.Snappy]() as { decompress(b: Buffer): Promise<Buffer> };
  assert.equal((await codec.decompress(framed)).toString(), "first chunk, second chunk");
  assert.equal((await codec.decompress(chunks[0])).toString(), "first chunk, ");
});
