import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { groupTopics, tableTopic } from "../../runtime/contract/names";
import { startKafka, type KafkaBroker } from "../bench/kafka";
import { startMariaDb, type MariaDbInstance } from "../bench/mariadb";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, type Fixture } from "./fixtures";
import { deliveryProblems, idCounts, writeRows } from "./load";

// Exactly once across a restart of the source database and of the Kafka broker, mid-stream.
// Each uses a private instance, so no other test sees the restart.
const HALF = 50_000;
const ENV = { CDC_RETRY_BASE_MS: "200", CDC_RETRY_MAX_MS: "2000" };
let bench: Bench;

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true });
});

after(async () => {
  await bench.stop();
});

/** A bench whose MariaDB or Kafka is replaced by a private instance. */
function withPrivate(parts: { mariadb?: MariaDbInstance; kafka?: KafkaBroker }): Bench {
  return {
    runDir: bench.runDir,
    state: bench.state,
    mariadb: parts.mariadb ?? bench.mariadb,
    get mysql() {
      return bench.mysql;
    },
    kafka: parts.kafka ?? bench.kafka,
    pulumiBin: "",
    stop: async () => undefined,
  };
}

async function streamAcrossRestart(fx: Fixture, restart: () => Promise<void>, writerOf: () => Promise<import("mysql2/promise").Connection>) {
  await fx.sql("CREATE TABLE events (id INT PRIMARY KEY, payload VARCHAR(40))");
  await fx.createTopics([{ table: "events", partitions: 6 }]);
  await fx.putConnector("events-cdc");
  const runtime = await fx.startRuntime(ENV);
  await fx.waitForStatus("events-cdc", (s) => s.state === "RUNNING");
  let writer = await writerOf();
  // The first half lands at once: the runtime is still streaming it when the restart begins.
  await writeRows(writer, { table: "events", rows: HALF, batch: 500, hugeTransaction: 10_000 });
  await writer.end();
  await restart();
  writer = await writerOf();
  await writer.query(`INSERT INTO events (id, payload) SELECT id + ${HALF}, CONCAT('row-', id + ${HALF}) FROM events WHERE id <= ${HALF}`);
  await writer.end();
  const topic = tableTopic(fx.prefix, "events");
  const all = await consume(fx.kafka, [topic], (m) => new Set(m.map((x) => x.key)).size >= 2 * HALF, 180_000, 3_000).catch(async (e) => {
    const status = await fx.waitForStatus("events-cdc", () => true, 10_000).catch(() => undefined);
    const logs = runtime.logs().split("\n").filter((l) => /"level":"(info|error)"|"code":/.test(l));
    throw new Error(`${e.message}; status ${JSON.stringify(status)}\n${logs.slice(-40).join("\n")}`);
  });
  const { missing, duplicated } = deliveryProblems(idCounts(all.map((m) => m.value)), 2 * HALF);
  assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] });
  assert.equal(all.length, 2 * HALF);
  return runtime;
}

/**
 * Every status the connector published while the service was away (the status topic is
 * compacted, but not yet at this size): a retriable failure must be ridden out inside the retry
 * window, never reported as FAILED.
 */
async function statesSeen(fx: Fixture, connector: string): Promise<string[]> {
  const records = await consume(fx.kafka, [groupTopics(fx.group).status], (m) => m.some((r) => r.key === connector), 30_000, 1_000);
  return records.filter((r) => r.key === connector && r.value).map((r) => (JSON.parse(r.value) as { state: string }).state);
}

test("restarting MariaDB mid-stream: the connector reconnects and delivers every row once", async () => {
  const db = await startMariaDb({ parentDir: bench.runDir, serverId: 11 });
  const fx = await createFixture(withPrivate({ mariadb: db }), { tables: ["events"] });
  try {
    const runtime = await streamAcrossRestart(fx, () => db.restart(), () => db.adminConnection(fx.database));
    assert.match(runtime.logs(), /"code":"SOURCE_CONNECTION_LOST"|"code":"SOURCE_UNREACHABLE"/, "the runtime saw the database go away and retried");
    const states = await statesSeen(fx, "events-cdc");
    assert.ok(states.includes("RUNNING"), `states: ${states.join(", ")}`);
    assert.ok(!states.includes("FAILED"), `the connector never reported FAILED while MariaDB restarted; states: ${states.join(", ")}`);
  } finally {
    await fx.cleanup();
    await db.stop({ remove: true });
  }
});

test("restarting the Kafka broker mid-stream: the connector retries and delivers every row once", async () => {
  const broker = await startKafka({ parentDir: bench.runDir });
  const fx = await createFixture(withPrivate({ kafka: broker }), { tables: ["events"] });
  try {
    const runtime = await streamAcrossRestart(fx, () => broker.restart(), () => bench.mariadb.adminConnection(fx.database));
    // The same process rode it out (kafkajs reconnects; a failed commit restarts the task).
    assert.equal(runtime.child.exitCode, null);
    const states = await statesSeen(fx, "events-cdc");
    assert.ok(states.includes("RUNNING"), `states: ${states.join(", ")}`);
    assert.ok(!states.includes("FAILED"), `the connector never reported FAILED while the broker restarted; states: ${states.join(", ")}`);
  } finally {
    await fx.cleanup();
    await broker.stop({ remove: true });
  }
});
