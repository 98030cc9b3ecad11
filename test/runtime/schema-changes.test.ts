import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type mysql from "mysql2/promise";
import { tableTopic } from "../../runtime/contract/names";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, SOURCE_FLAVORS, inSequence, type Fixture } from "./fixtures";

// ALTER TABLE while a backlog is read: rows written before, between and after ALTERs are read
// only after all of them ran, and every row keeps the column names it was written with. DDL on
// included tables arrives as DDL messages (payload.ddl), in binlog order.
// Run on each source server of the bench: MariaDB, and MySQL 8.0 (the product's target).
for (const source of SOURCE_FLAVORS) {
  describe(`on ${source}`, () => {
    let bench: Bench;
    let fx: Fixture;

    before(async () => {
      bench = await useBench({ [source]: true, kafka: true });
      fx = await createFixture(bench, { source, tables: ["t"] });
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
      const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "t")], (m) => m.length >= 8).catch((e) => {
        throw new Error(`${e.message}\n${runtime.logs().slice(-3000)}`);
      });
      // The next test starts its own runtime in the same group: two workers would share its connector.
      await runtime.kill("SIGTERM");
      const payloads = inSequence(messages).map((m) => ({
        op: m.payload.op,
        columns: m.schema.dataColumn.map((c: { name: string }) => c.name).join(","),
        before: m.payload.before?.dataColumn ?? null,
        after: m.payload.after?.dataColumn ?? null,
        ...(m.payload.ddl ? { ddl: m.payload.ddl } : {}),
      }));
      // The DDL statements arrive too (payload.ddl set, DataWorks op ALTER), in binlog order.
      assert.deepEqual(payloads, [
        { op: "INSERT", columns: "id,a,b", before: null, after: { id: 1, a: 10, b: "one" } },
        { op: "ALTER", columns: "", before: null, after: null, ddl: "ALTER TABLE t ADD COLUMN z INT FIRST" },
        { op: "INSERT", columns: "z,id,a,b", before: null, after: { z: 5, id: 2, a: 20, b: "two" } },
        { op: "ALTER", columns: "", before: null, after: null, ddl: "ALTER TABLE t DROP COLUMN b" },
        { op: "INSERT", columns: "z,id,a", before: null, after: { z: 6, id: 3, a: 30 } },
        { op: "ALTER", columns: "", before: null, after: null, ddl: "ALTER TABLE t RENAME COLUMN a TO c" },
        { op: "INSERT", columns: "z,id,c", before: null, after: { z: 7, id: 4, c: 40 } },
        { op: "UPDATE", columns: "z,id,c", before: { z: null, id: 1, c: 10 }, after: { z: null, id: 1, c: 11 } },
      ]);
    });

    test("DDL mid-stream: TRUNCATE, RENAME TABLE, CREATE, DROP each give their message; a renamed-away table stops streaming", async () => {
      await fx.sql("CREATE TABLE t2 (id INT PRIMARY KEY, v INT)");
      await fx.createTopics([{ table: "t2", partitions: 3 }]);
      await fx.putConnector("ddl-cdc", { source: { tables: ["t2"] } });
      const runtime = await fx.startRuntime();
      await fx.waitForStatus("ddl-cdc", (s) => s.state === "RUNNING");
      await fx.sql("INSERT INTO t2 VALUES (1, 1)");
      await fx.sql("TRUNCATE TABLE t2");
      await fx.sql("INSERT INTO t2 VALUES (2, 2)");
      await fx.sql("RENAME TABLE t2 TO t2_old");
      await fx.sql("INSERT INTO t2_old VALUES (3, 3)"); // not included any more: not streamed
      await fx.sql("CREATE TABLE t2 (id INT PRIMARY KEY, w VARCHAR(5))");
      await fx.sql("INSERT INTO t2 VALUES (4, 'four')");
      await fx.sql("DROP TABLE t2");
      const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "t2")], (m) => m.length >= 7, 60_000, 1_000).catch((e) => {
        throw new Error(`${e.message}\n${runtime.logs().slice(-3000)}`);
      });
      const seen = inSequence(messages).map((m) => (m.payload.ddl ? `${m.payload.op} ${m.key}: ${m.payload.ddl}` : `${m.payload.op} ${m.key}`));
      assert.deepEqual(seen, [
        'INSERT {"id":1}',
        `TRUNCATE ${fx.database}.t2: TRUNCATE TABLE t2`,
        'INSERT {"id":2}',
        `RENAME ${fx.database}.t2: RENAME TABLE t2 TO t2_old`,
        `CREATE ${fx.database}.t2: CREATE TABLE t2 (id INT PRIMARY KEY, w VARCHAR(5))`,
        'INSERT {"id":4}',
        `ERASE ${fx.database}.t2: DROP TABLE \`t2\` /* generated by server */`,
      ]);
    });

    test("a table renamed away while the connector was stopped: the restart delivers its changes up to the rename and keeps running", async () => {
      await fx.sql("CREATE TABLE kept (id INT PRIMARY KEY)");
      await fx.sql("CREATE TABLE gone (id INT PRIMARY KEY)");
      await fx.createTopics([
        { table: "kept", partitions: 1 },
        { table: "gone", partitions: 1 },
      ]);
      await fx.putConnector("gone-cdc", { source: { tables: ["kept", "gone"] } });
      const first = await fx.startRuntime({ CDC_WORKER_ID: "first" });
      await fx.waitForStatus("gone-cdc", (s) => s.state === "RUNNING" && s.worker === "first");
      await fx.sql("INSERT INTO kept VALUES (1)");
      await fx.sql("INSERT INTO gone VALUES (1)");
      const [kept, gone] = [tableTopic(fx.prefix, "kept"), tableTopic(fx.prefix, "gone")];
      await consume(fx.kafka, [kept, gone], (m) => m.length >= 2);
      await first.kill("SIGTERM");

      // While it is stopped: a change, then the table goes; its binlog still holds both.
      await fx.sql("INSERT INTO gone VALUES (2)");
      await fx.sql("RENAME TABLE gone TO gone_old");
      await fx.sql("INSERT INTO gone_old VALUES (3)");
      await fx.sql("INSERT INTO kept VALUES (2)");
      const second = await fx.startRuntime({ CDC_WORKER_ID: "second" });
      await fx.waitForStatus("gone-cdc", (s) => s.state === "RUNNING" && s.worker === "second");
      const messages = await consume(fx.kafka, [kept, gone], (m) => m.length >= 5, 60_000, 1_000).catch((e) => {
        throw new Error(`${e.message}\n${second.logs().slice(-3000)}`);
      });
      const seen = (topic: string) => inSequence(messages, topic).map((m) => `${m.payload.op} ${m.payload.ddl ?? JSON.stringify(m.payload.after.dataColumn)}`);
      assert.deepEqual(seen(kept), ['INSERT {"id":1}', 'INSERT {"id":2}']);
      assert.deepEqual(seen(gone), ['INSERT {"id":1}', 'INSERT {"id":2}', "RENAME RENAME TABLE gone TO gone_old"]);
      const status = await fx.waitForStatus("gone-cdc", () => true);
      assert.equal(status.state, "RUNNING", JSON.stringify(status));
      // In the status too, so the provider's read (pulumi refresh) shows it.
      assert.deepEqual(status.warnings, [
        `database ${fx.database} has no table gone any more (dropped or renamed since the connector started): its changes up to then are still delivered from the committed position. Remove it from the Connector's tables.`,
      ]);
      assert.match(second.logs(), new RegExp(`database ${fx.database} has no table gone any more \\(dropped or renamed since the connector started\\)`));
      await second.kill("SIGTERM");
    });
  });
}
