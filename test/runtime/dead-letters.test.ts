import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { tableTopic } from "../../runtime/contract/names";
import type { Bench } from "../bench/services";
import { consume, metric, setUpTables, tearDown, type Fixture, type RuntimeProcess } from "./fixtures";

// A record over maxRecordBytes goes to the dead letter topic (key, table, position, size; no
// body), is counted in /metrics, and the stream goes on.
let bench: Bench;
let fx: Fixture;
let runtime: RuntimeProcess;

before(async () => {
  ({ bench, fx, runtime } = await setUpTables([{ name: "docs", ddl: "CREATE TABLE docs (id INT PRIMARY KEY, body LONGTEXT)", partitions: 3 }]));
});

after(() => tearDown(bench, fx));

test("a 12 MB row goes to the dead letter topic with its key, table, position and size, and the stream continues", async () => {
  await fx.putConnector("docs-cdc");
  const started = await fx.waitForStatus("docs-cdc", (s) => s.state === "RUNNING" || s.state === "FAILED");
  assert.equal(started.state, "RUNNING", JSON.stringify(started));
  const db = await bench.mariadb.adminConnection(fx.database);
  try {
    await db.query("SET SESSION max_allowed_packet = 67108864").catch(() => undefined);
    await db.query("INSERT INTO docs VALUES (1, 'small before')");
    await db.query("INSERT INTO docs VALUES (2, ?)", ["x".repeat(12 * 1024 * 1024)]);
    await db.query("INSERT INTO docs VALUES (3, 'small after')");
  } finally {
    await db.end();
  }
  const deadTopic = `${fx.prefix}_dead_letter`;
  const topic = tableTopic(fx.prefix, "docs");
  const messages = await consume(fx.kafka, [topic, deadTopic], (m) => m.length >= 3, 90_000).catch((e) => {
    throw new Error(`${e.message}\n${runtime.logs().slice(-3000)}`);
  });
  const data = messages.filter((m) => m.topic === topic).map((m) => JSON.parse(m.value).payload.after.dataColumn);
  assert.deepEqual(data, [{ id: 1, body: "small before" }, { id: 3, body: "small after" }]);
  const dead = messages.filter((m) => m.topic === deadTopic);
  assert.equal(dead.length, 1);
  assert.equal(dead[0].key, '{"id":2}');
  const letter = JSON.parse(dead[0].value);
  assert.equal(letter.connector, "docs-cdc");
  assert.equal(letter.reason, "RECORD_TOO_LARGE");
  assert.deepEqual([letter.database, letter.table, letter.topic, letter.op, letter.key], [fx.database, "docs", topic, "INSERT", '{"id":2}']);
  assert.ok(letter.bytes > 12 * 1024 * 1024, `size ${letter.bytes}`);
  assert.equal(letter.maxRecordBytes, 10 * 1024 * 1024);
  assert.match(letter.position.file, /\.\d+$/);
  assert.equal(typeof letter.position.pos, "number");
  assert.equal(letter.position.skipRows, 0);
  assert.ok(dead[0].value.length < 2000, "the body is not in the dead letter");
  assert.equal(await metric(runtime, "cdc_dead_letters_total"), 1);
  const status = await fx.waitForStatus("docs-cdc", () => true);
  assert.equal(status.state, "RUNNING");
});
