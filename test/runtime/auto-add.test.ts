import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { defaultDeadLetterTopic, groupTopics, heartbeatTopic, tableTopic } from "../../runtime/contract/names";
import { claimsOf } from "../../runtime/contract/records";
import { readTopicToEnd } from "../../runtime/sink/topic-reader";
import type { Bench } from "../bench/services";
import { consume, inSequence, setUpTables, tearDown, type Fixture, type RuntimeProcess } from "./fixtures";

// autoAddTables: a CREATE TABLE whose name matches gets its topic (6 partitions with a primary
// key, 1 without) and is streamed from then on, without a restart; a restart keeps streaming it.
let bench: Bench;
let fx: Fixture;
let runtime: RuntimeProcess;

before(async () => {
  ({ bench, fx, runtime } = await setUpTables([{ name: "base", ddl: "CREATE TABLE base (id INT PRIMARY KEY)", partitions: 1 }]));
});

after(() => tearDown(bench, fx));

async function partitionCount(topic: string): Promise<number | undefined> {
  const admin = fx.kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    return metadata?.topics[0]?.partitions.length;
  } finally {
    await admin.disconnect();
  }
}

test("a CREATE TABLE matching autoAddTables gets its topic and its rows arrive; others are left alone", async () => {
  await fx.putConnector("auto-cdc", { source: { tables: ["base"], autoAddTables: "auto_.*" } });
  await fx.waitForStatus("auto-cdc", (s) => s.state === "RUNNING");
  await fx.sql("CREATE TABLE auto_orders (id INT PRIMARY KEY, v INT)");
  await fx.sql("INSERT INTO auto_orders VALUES (1, 10), (2, 20)");
  await fx.sql("CREATE TABLE auto_log (msg VARCHAR(20))");
  await fx.sql("INSERT INTO auto_log VALUES ('hello')");
  await fx.sql("CREATE TABLE other_x (id INT PRIMARY KEY)");
  await fx.sql("INSERT INTO other_x VALUES (1)");
  await fx.sql("UPDATE auto_orders SET v = 11 WHERE id = 1");
  const orders = tableTopic(fx.prefix, "auto_orders");
  const log = tableTopic(fx.prefix, "auto_log");
  // The runtime makes the topics; read them once they exist.
  const deadline = Date.now() + 30_000;
  while ((!(await partitionCount(orders)) || !(await partitionCount(log))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const messages = await consume(fx.kafka, [orders, log], (m) => m.length >= 6, 60_000, 1_000).catch((e) => {
    throw new Error(`${e.message}\n${runtime.logs().slice(-3000)}`);
  });
  const seen = (topic: string) => inSequence(messages, topic).map((m) => `${m.payload.op} ${JSON.stringify(m.payload.after?.dataColumn ?? m.payload.ddl)}`);
  assert.deepEqual(seen(orders), [
    'CREATE "CREATE TABLE auto_orders (id INT PRIMARY KEY, v INT)"',
    'INSERT {"id":1,"v":10}',
    'INSERT {"id":2,"v":20}',
    'UPDATE {"id":1,"v":11}',
  ]);
  assert.deepEqual(seen(log), ['CREATE "CREATE TABLE auto_log (msg VARCHAR(20))"', 'INSERT {"msg":"hello"}']);
  assert.equal(await partitionCount(orders), 6, "a table with a primary key gets 6 partitions");
  assert.equal(await partitionCount(log), 1, "a table without one gets 1");
  assert.equal(await partitionCount(tableTopic(fx.prefix, "other_x")), undefined, "a table that does not match gets no topic");
  // Every topic the runtime made is claimed for the connector (the Connector deletes them with it);
  // the table topic it was given (made by the test, as a TopicSet would) is not.
  const claims = claimsOf(await readTopicToEnd(fx.kafka, groupTopics(fx.group).status), "auto-cdc");
  assert.deepEqual(claims.map((c) => `${c.kind} ${c.topic}${c.table ? ` ${c.table}` : ""}`).sort(), [
    `deadLetter ${defaultDeadLetterTopic(fx.prefix)}`,
    `heartbeat ${heartbeatTopic(fx.prefix)}`,
    `table ${log} auto_log`,
    `table ${orders} auto_orders`,
  ]);

  // After a restart the added tables are still streamed (they match and exist).
  await runtime.kill("SIGKILL");
  runtime = await fx.startRuntime();
  await fx.sql("INSERT INTO auto_orders VALUES (3, 30)");
  const after = await consume(fx.kafka, [orders], (m) => m.some((x) => x.key === '{"id":3}'), 60_000).catch((e) => {
    throw new Error(`${e.message}\n${runtime.logs().slice(-3000)}`);
  });
  assert.equal(after.filter((m) => m.key === '{"id":3}').length, 1);
});
