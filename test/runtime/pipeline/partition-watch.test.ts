import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { tableTopic } from "../../../runtime/contract/names";
import { choosePartition } from "../../../runtime/sink/partitioner";
import type { Bench } from "../../bench/services";
import { consume, setUpTables, tearDown, type Fixture, type RuntimeProcess } from "../fixtures";

// Partitions added to a table's topic while its connector runs (a TopicSet raising them) are used
// without a restart, every row once, each in the partition its key hashes to over the new count.
let bench: Bench;
let fx: Fixture;
let runtime: RuntimeProcess;

before(async () => {
  ({ bench, fx, runtime } = await setUpTables([{ name: "grows", ddl: "CREATE TABLE grows (id INT PRIMARY KEY, v VARCHAR(20))", partitions: 2 }], { CDC_PARTITION_CHECK_MS: "300" }));
});

after(() => tearDown(bench, fx));

async function insert(from: number, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => `(${from + i}, 'row ${from + i}')`).join(",");
  await fx.sql(`INSERT INTO grows VALUES ${rows}`);
}

test("a running connector spreads rows over partitions added to its topic, without a restart and without losing a row", async () => {
  const topic = tableTopic(fx.prefix, "grows");
  await fx.putConnector("grows-cdc", { heartbeatSeconds: 0 });
  const running = await fx.waitForStatus("grows-cdc", (s) => s.state === "RUNNING");
  await insert(1, 200);
  const admin = fx.kafka.admin();
  await admin.connect();
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count: 6 }] });
  } finally {
    await admin.disconnect();
  }
  const deadline = Date.now() + 30_000;
  while (!runtime.logs().includes("partitions were added to a topic: later records use all of them") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.match(runtime.logs(), /"msg":"partitions were added to a topic: later records use all of them".*"from":2,"to":6/);
  await insert(201, 200);
  const messages = await consume(fx.kafka, [topic], (m) => m.length >= 400, 60_000, 1_000);
  const ids = messages.map((m) => (JSON.parse(m.key) as { id: number }).id).sort((a, b) => a - b);
  assert.deepEqual(ids, Array.from({ length: 400 }, (_, i) => i + 1), "every row once");
  for (const m of messages) {
    const id = (JSON.parse(m.key) as { id: number }).id;
    const count = id <= 200 ? 2 : 6;
    assert.equal(m.partition, choosePartition("primary-key-hash", count, m.key, `${fx.database}.grows`, true), `row ${id} in the partition its key hashes to over ${count}`);
  }
  assert.ok(messages.some((m) => m.partition >= 2), "the new partitions are written");
  // Still the same run: the connector was not restarted.
  const now = await fx.waitForStatus("grows-cdc", (s) => s.state === "RUNNING");
  assert.equal(now.at, running.at);
  assert.doesNotMatch(runtime.logs(), /connector reconfigured/);
});
