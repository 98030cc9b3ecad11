/**
 * BinlogSource on MySQL 8.0: the events zongji cannot decode. A transaction written with
 * binlog_transaction_compression=ON fails the connector with BINLOG_UNSUPPORTED_EVENT; rows
 * before it arrive, and nothing after it is committed (its position is never passed). The
 * prechecks read both settings from the server. checkpointTime at a first start is the first
 * source transaction's time (a quiet server is needed to know which transaction that is). On a
 * private MySQL: the setting is a session's,
 * but its transaction is in the server's one binlog, where it would fail every other test's
 * MySQL connector too (its tables cannot be known without decompressing it).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { tableTopic } from "../../../runtime/contract/names";
import { fetchSettings } from "../../../runtime/source/prechecks";
import type { MariaDbInstance } from "../../bench/mariadb";
import { startMySql } from "../../bench/mysql";
import { useBench, type Bench } from "../../bench/services";
import { consume, createFixture, metric, type Fixture, type RuntimeProcess } from "../fixtures";

let bench: Bench;
let fx: Fixture;
let runtime: RuntimeProcess;
let mysqlServer: MariaDbInstance;

before(async () => {
  [bench, mysqlServer] = await Promise.all([useBench({ mariadb: true, kafka: true }), startMySql()]);
  fx = await createFixture(Object.create(bench, { mysql: { value: mysqlServer } }) as Bench, { tables: ["items"], source: "mysql" });
  await fx.sql("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
  await fx.createTopics([{ table: "items", partitions: 1 }]);
  runtime = await fx.startRuntime({ CDC_RETRY_BASE_MS: "100", CDC_RETRY_MAX_MS: "500" });
});

after(async () => {
  await fx?.cleanup();
  await mysqlServer?.stop({ remove: true });
  await bench?.stop();
});

test("the prechecks read binlog_transaction_compression and binlog_row_value_options on MySQL; MariaDB has neither", async () => {
  const access = (server: typeof bench.mysql) => ({ host: server.host, port: server.port, user: server.cdc.user, password: server.cdc.password, database: fx.database, tables: [], tls: { mode: "required" as const } });
  const mysql = await fetchSettings(access(mysqlServer));
  assert.equal(mysql.binlogTransactionCompression, "OFF");
  assert.equal(mysql.binlogRowValueOptions, "");
  const mariadb = await fetchSettings(access(bench.mariadb));
  assert.equal(mariadb.binlogTransactionCompression, undefined);
  assert.equal(mariadb.binlogRowValueOptions, undefined);
});

test("a compressed transaction fails the connector with BINLOG_UNSUPPORTED_EVENT; the rows before it arrive, nothing after it is committed", async () => {
  await fx.putConnector("items-cdc");
  await fx.waitForStatus("items-cdc", (s) => s.state === "RUNNING");
  await fx.sql("INSERT INTO items VALUES (1, 'before')");
  const topic = tableTopic(fx.prefix, "items");
  await consume(fx.kafka, [topic], (m) => m.length >= 1);

  await fx.sql("SET SESSION binlog_transaction_compression = ON");
  await fx.sql("INSERT INTO items VALUES (2, 'compressed')");
  await fx.sql("SET SESSION binlog_transaction_compression = OFF");
  await fx.sql("INSERT INTO items VALUES (3, 'after')");

  const status = await fx.waitForStatus("items-cdc", (s) => s.state === "FAILED", 30_000);
  assert.equal(status.errorCode, "BINLOG_UNSUPPORTED_EVENT");
  assert.match(status.reason ?? "", /compressed transaction \(TRANSACTION_PAYLOAD_EVENT\): binlog_transaction_compression is ON/);
  assert.match(status.reason ?? "", /SET GLOBAL binlog_transaction_compression = OFF/);
  // Only row 1 ever reaches the topic: 2 cannot be read, and 3 comes after it in the binlog.
  await new Promise((r) => setTimeout(r, 2_000));
  const messages = await consume(fx.kafka, [topic], (m) => m.length >= 1);
  assert.deepEqual(messages.map((m) => JSON.parse(m.key).id), [1]);
  // A restart meets the same transaction again: the committed position stayed before it.
  await fx.putConnector("items-cdc", { revision: "r2" });
  const again = await fx.waitForStatus("items-cdc", (s) => s.revision === "r2" && s.state === "FAILED", 30_000).catch((e) => {
    throw new Error(`${e.message}\n${runtime.logs().slice(-3000)}`);
  });
  assert.equal(again.errorCode, "BINLOG_UNSUPPORTED_EVENT");
});

test("checkpointTime at a first start is the first source transaction's event time, not the runtime's clock", async () => {
  // This file's private server has no other writer, so the first transaction after the start is
  // this one, written with a source time far from the clock's (on the shared servers another
  // test's transaction may come first, and its time is then the checkpoint's, as it should be).
  await fx.sql("CREATE TABLE stamped (id INT PRIMARY KEY)");
  await fx.createTopics([{ table: "stamped", partitions: 1 }]);
  await fx.putConnector("stamped-cdc", { source: { tables: ["stamped"] } });
  await fx.waitForStatus("stamped-cdc", (s) => s.state === "RUNNING");
  await fx.sql("SET TIMESTAMP = 1700000000");
  await fx.sql("INSERT INTO stamped VALUES (1), (2)");
  await fx.sql("SET TIMESTAMP = DEFAULT");
  await fx.sql("INSERT INTO stamped VALUES (3)");
  const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "stamped")], (m) => m.length >= 3);
  const times = messages.map((m) => JSON.parse(m.value).payload).sort((a, b) => a.after.dataColumn.id - b.after.dataColumn.id).map((p) => [p.timestamp.eventTime, p.timestamp.checkpointTime]);
  assert.deepEqual(times.slice(0, 2), [[1700000000000, 1700000000000], [1700000000000, 1700000000000]]);
  // The next change's checkpoint is the first transaction's commit, its own time is now.
  assert.equal(times[2][1], 1700000000000);
  assert.ok(Math.abs(times[2][0] - Date.now()) < 120_000, `the last row's eventTime ${times[2][0]} is now`);
});

/** A MariaDB transaction with savepoints: rows, SAVEPOINT a, rows, ROLLBACK TO a, rows, SAVEPOINT b, rows, COMMIT. */
async function savepointTransaction(fx: Fixture, from: number): Promise<number[]> {
  const values = (start: number) => Array.from({ length: 500 }, (_, i) => `(${start + i}, 'r${start + i}')`).join(",");
  const kept = [from, from + 1000, from + 1500].flatMap((start) => Array.from({ length: 500 }, (_, i) => start + i));
  const db = await fx.server.adminConnection(fx.database);
  try {
    await db.query("START TRANSACTION");
    await db.query(`INSERT INTO saved VALUES ${values(from)}`);
    await db.query("SAVEPOINT a");
    await db.query(`INSERT INTO saved VALUES ${values(from + 500)}`);
    await db.query("ROLLBACK TO SAVEPOINT a");
    await db.query(`INSERT INTO saved VALUES ${values(from + 1000)}`);
    await db.query("SAVEPOINT b");
    await db.query(`INSERT INTO saved VALUES ${values(from + 1500)}`);
    await db.query("COMMIT");
  } finally {
    await db.end();
  }
  return kept;
}

test("MariaDB: a SAVEPOINT inside a transaction is not a commit point or a DDL; kill -9 inside such a transaction loses and repeats nothing", async () => {
  const maria = await createFixture(bench, { tables: ["saved"] });
  try {
    await maria.sql("CREATE TABLE saved (id INT PRIMARY KEY, v VARCHAR(10))");
    await maria.createTopics([{ table: "saved", partitions: 3 }]);
    const ddlTopic = `${maria.prefix}_ddl`;
    // Paced, so the transaction's 1,500 rows take about 1.5 s: a commit at a savepoint would show.
    await maria.putConnector("saved-cdc", { throttle: { rowsPerSecond: 1000 }, ddlTopic });
    const paced = await maria.startRuntime();
    await maria.waitForStatus("saved-cdc", (s) => s.state === "RUNNING");
    const first = await savepointTransaction(maria, 1);
    const seen = new Set<number>();
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      const committed = await metric(paced, "cdc_rows_total");
      seen.add(committed);
      if (committed >= first.length) break;
    }
    assert.deepEqual([...seen].filter((n) => n > 0), [first.length], `committed rows seen while the transaction streamed: ${[...seen].join(", ")}`);

    // The same again, and kill -9 while the paced runtime is inside it; then resume unpaced.
    const second = await savepointTransaction(maria, 10_001);
    await new Promise((r) => setTimeout(r, 800));
    await paced.kill("SIGKILL");
    await maria.putConnector("saved-cdc", { ddlTopic, revision: "unpaced" });
    await maria.startRuntime();
    const topic = tableTopic(maria.prefix, "saved");
    const messages = await consume(maria.kafka, [topic], (m) => m.length >= first.length + second.length);
    await new Promise((r) => setTimeout(r, 1_000));
    const all = await consume(maria.kafka, [topic, ddlTopic], (m) => m.length >= first.length + second.length);
    const ids = all.filter((m) => m.topic === topic).map((m) => JSON.parse(m.key).id as number).sort((a, b) => a - b);
    assert.equal(messages.length >= first.length + second.length, true);
    assert.deepEqual(ids, [...first, ...second]);
    assert.deepEqual(all.filter((m) => m.topic === ddlTopic).map((m) => m.value), [], "no DDL message for SAVEPOINT or ROLLBACK TO");
  } finally {
    await maria.cleanup();
  }
});
