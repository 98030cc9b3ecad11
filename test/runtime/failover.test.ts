import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { tableTopic } from "../../runtime/contract/names";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, type Fixture, type RuntimeProcess } from "./fixtures";
import { deliveryProblems, idCounts, writeRows } from "./load";

// Two runtime workers serve one resource group: each connector runs on the worker holding its
// lease (consumer group connect-<name> on the leases topic).
const ROWS = 100_000;
const SESSION_MS = 6_000; // the broker's smallest session timeout
let bench: Bench;
let fx: Fixture;

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true });
  fx = await createFixture(bench, { tables: ["events", "others"] });
  await fx.sql("CREATE TABLE events (id INT PRIMARY KEY, payload VARCHAR(40))");
  await fx.sql("CREATE TABLE others (id INT PRIMARY KEY, payload VARCHAR(40))");
  await fx.createTopics([{ table: "events", partitions: 6 }, { table: "others", partitions: 1 }]);
});

after(async () => {
  await fx.cleanup();
  await bench.stop();
});

const suffix = Math.random().toString(16).slice(2, 8);
const EVENTS = `fo-events-${suffix}`;
const OTHERS = `fo-others-${suffix}`;
const STALL = `fo-stall-${suffix}`;

const env = (worker: string) => ({ CDC_WORKER_ID: worker, CDC_LEASE_SESSION_MS: String(SESSION_MS), CDC_RETRY_BASE_MS: "200", CDC_RETRY_MAX_MS: "1000" });

test("two workers: connectors spread one per worker; kill -9 the one streaming 100k rows and the other takes over with no loss and no duplicate", async () => {
  await fx.putConnector(EVENTS, { source: { tables: ["events"] } });
  await fx.putConnector(OTHERS, { source: { tables: ["others"] } });
  const workers: Record<string, RuntimeProcess> = { "worker-a": await fx.startRuntime(env("worker-a")), "worker-b": await fx.startRuntime(env("worker-b")) };
  const logsOf = (all: Record<string, RuntimeProcess>) =>
    Object.entries(all).map(([name, w]) => `--- ${name}:\n${w.logs().split("\n").filter((l) => !l.includes('"level":"debug"')).join("\n")}`).join("\n");
  const withLogs = (error: Error) => {
    throw new Error(`${error.message}\n${logsOf(workers)}`);
  };
  // Both connectors run, on different workers (spread), and each exactly once.
  const events = await fx.waitForStatus(EVENTS, (s) => s.state === "RUNNING").catch(withLogs);
  const others = await fx.waitForStatus(OTHERS, (s) => s.state === "RUNNING").catch(withLogs);
  const settle = Date.now() + 2 * SESSION_MS;
  let spread: string[] = [];
  for (;;) {
    const [e, o] = [await fx.waitForStatus(EVENTS, () => true), await fx.waitForStatus(OTHERS, () => true)];
    spread = [e.worker ?? "", o.worker ?? ""];
    if ((e.state === "RUNNING" && o.state === "RUNNING" && spread[0] !== spread[1]) || Date.now() > settle) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.notEqual(spread[0], spread[1], `connectors spread over the workers (first statuses: ${events.worker}, ${others.worker})`);
  const running = (logs: string, connector: string) => (logs.match(new RegExp(`"msg":"lease acquired[^\\n]*"connector":"${connector}"`, "g")) ?? []).length;
  assert.equal(running(workers["worker-a"].logs(), EVENTS) + running(workers["worker-b"].logs(), EVENTS), 1, "one worker holds the events lease");

  // Stream 100k rows; kill -9 the worker holding events-cdc in the middle.
  const holder = spread[0];
  const standby = holder === "worker-a" ? "worker-b" : "worker-a";
  const writer = await bench.mariadb.adminConnection(fx.database);
  let written = 0;
  const writing = writeRows(writer, { table: "events", rows: ROWS, batch: 500, hugeTransaction: 20_000, rowsPerSecond: 15_000 }, (n) => (written = n));
  while (written < ROWS / 3) await new Promise((r) => setTimeout(r, 50));
  const killedAt = written;
  await workers[holder].kill("SIGKILL");
  const killed = Date.now();
  const takeover = await fx.waitForStatus(EVENTS, (s) => s.state === "RUNNING" && s.worker === standby, 60_000).catch(withLogs);
  const takeoverMs = Date.now() - killed;
  await writing;
  await writer.end();
  assert.ok(takeoverMs < SESSION_MS + 15_000, `the standby took over in ${takeoverMs} ms`);

  const topic = tableTopic(fx.prefix, "events");
  let distinct = 0;
  const all = await consume(fx.kafka, [topic], (m) => (distinct = new Set(m.map((x) => x.key)).size) >= ROWS, 240_000, 3_000).catch((e) => {
    throw new Error(`${e.message} (distinct ${distinct}, killed at ${killedAt} rows)\n${workers[standby].logs().slice(-3000)}`);
  });
  const { missing, duplicated } = deliveryProblems(idCounts(all.map((m) => m.value)), ROWS);
  assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] });
  assert.equal(all.length, ROWS);
  assert.equal(takeover.worker, standby);
  // The standby now runs both connectors.
  const stillOthers = await fx.waitForStatus(OTHERS, (s) => s.state === "RUNNING" && s.worker === standby, 60_000);
  assert.equal(stillOthers.worker, standby);
});

test("a stalled holder (SIGSTOP) loses its lease; resumed, it is fenced and waits for the group before running again: no loss, no duplicate", async () => {
  const stalled = await createFixture(bench, { tables: ["events"] });
  try {
    await stalled.sql("CREATE TABLE events (id INT PRIMARY KEY, payload VARCHAR(40))");
    await stalled.createTopics([{ table: "events", partitions: 3 }]);
    await stalled.putConnector(STALL);
    const workers: Record<string, RuntimeProcess> = { "worker-a": await stalled.startRuntime(env("worker-a")), "worker-b": await stalled.startRuntime(env("worker-b")) };
    const first = await stalled.waitForStatus(STALL, (s) => s.state === "RUNNING");
    const holder = first.worker as string;
    const standby = holder === "worker-a" ? "worker-b" : "worker-a";
    const rows = 30_000;
    const writer = await bench.mariadb.adminConnection(stalled.database);
    let written = 0;
    const writing = writeRows(writer, { table: "events", rows, batch: 500, rowsPerSecond: 5_000 }, (n) => (written = n));
    while (written < rows / 4) await new Promise((r) => setTimeout(r, 50));
    workers[holder].child.kill("SIGSTOP");
    try {
      await stalled.waitForStatus(STALL, (s) => s.state === "RUNNING" && s.worker === standby, 60_000);
    } finally {
      workers[holder].child.kill("SIGCONT");
    }
    await writing;
    await writer.end();
    // Back from the stall, its binlog reader was replaced by the standby's and its producer fenced:
    // it does not fight back; the group settles who runs the connector.
    const settled = /"msg":"(fenced by another worker|lease lost|waiting for the group to confirm)/;
    const deadline = Date.now() + 30_000;
    while (!settled.test(workers[holder].logs()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.match(workers[holder].logs(), settled);
    const all = await consume(stalled.kafka, [tableTopic(stalled.prefix, "events")], (m) => new Set(m.map((x) => x.key)).size >= rows, 120_000, 3_000);
    const { missing, duplicated } = deliveryProblems(idCounts(all.map((m) => m.value)), rows);
    const logs = Object.entries(workers).map(([name, w]) => `--- ${name}:\n${w.logs().split("\n").filter((l) => !l.includes('"level":"debug"')).join("\n")}`).join("\n");
    assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] }, logs);
    assert.equal(all.length, rows);
    // The connector settles RUNNING on one worker (which one is the lease's choice).
    await stalled.waitForStatus(STALL, (s) => s.state === "RUNNING");
  } finally {
    await stalled.cleanup();
  }
});
