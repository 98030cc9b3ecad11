import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type mysql from "mysql2/promise";
import { tableTopic } from "../../runtime/contract/names";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, type Fixture } from "./fixtures";

// ALTER TABLE while a backlog is read: rows written before, between and after ALTERs are read
// only after all of them ran, and every row keeps the column names it was written with.
let bench: Bench;
let fx: Fixture;

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true });
  fx = await createFixture(bench, { tables: ["t"] });
});

after(async () => {
  await fx.cleanup();
  await bench.stop();
});

test("ADD COLUMN FIRST, DROP COLUMN and RENAME COLUMN in a backlog: column names stay right", async () => {
  await fx.sql("CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(10))");
  await fx.createTopics([{ table: "t", partitions: 6 }]);
  const [start] = (await fx.sql("SHOW MASTER STATUS")) as mysql.RowDataPacket[];
  await fx.sql("INSERT INTO t VALUES (1, 10, 'one')");
  await fx.sql("ALTER TABLE t ADD COLUMN z INT FIRST");
  await fx.sql("INSERT INTO t (z, id, a, b) VALUES (5, 2, 20, 'two')");
  await fx.sql("ALTER TABLE t DROP COLUMN b");
  await fx.sql("INSERT INTO t (z, id, a) VALUES (6, 3, 30)");
  await fx.sql("ALTER TABLE t RENAME COLUMN a TO c");
  await fx.sql("INSERT INTO t (z, id, c) VALUES (7, 4, 40)");
  await fx.sql("UPDATE t SET c = 11 WHERE id = 1");

  await fx.putConnector("alter-cdc", { startPosition: { file: start.File, pos: Number(start.Position) } });
  const runtime = await fx.startRuntime();
  const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "t")], (m) => m.length >= 5).catch((e) => {
    throw new Error(`${e.message}\n${runtime.logs().slice(-3000)}`);
  });
  const payloads = messages
    .map((m) => JSON.parse(m.value))
    .sort((x, y) => (BigInt(x.payload.sequenceId) < BigInt(y.payload.sequenceId) ? -1 : 1))
    .map((m) => ({
      op: m.payload.op,
      columns: m.schema.dataColumn.map((c: { name: string }) => c.name).join(","),
      before: m.payload.before?.dataColumn ?? null,
      after: m.payload.after?.dataColumn ?? null,
    }));
  assert.deepEqual(payloads, [
    { op: "INSERT", columns: "id,a,b", before: null, after: { id: 1, a: 10, b: "one" } },
    { op: "INSERT", columns: "z,id,a,b", before: null, after: { z: 5, id: 2, a: 20, b: "two" } },
    { op: "INSERT", columns: "z,id,a", before: null, after: { z: 6, id: 3, a: 30 } },
    { op: "INSERT", columns: "z,id,c", before: null, after: { z: 7, id: 4, c: 40 } },
    { op: "UPDATE", columns: "z,id,c", before: { z: null, id: 1, c: 10 }, after: { z: null, id: 1, c: 11 } },
  ]);
});
