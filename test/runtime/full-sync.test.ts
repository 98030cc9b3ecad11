import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import type mysql from "mysql2/promise";
import { tableTopic } from "../../runtime/contract/names";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, SOURCE_FLAVORS, inSequence, type Consumed, type Fixture } from "./fixtures";

// initialSync: every included table is copied, then the binlog is streamed from before the copy.
// Applying the messages in sequenceId order (INSERT/UPDATE: upsert the after image; DELETE: remove
// the key) gives the source table, even with writes during the copy.
// Run on each source server of the bench: MariaDB, and MySQL 8.0 (the product's target).
for (const source of SOURCE_FLAVORS) {
  describe(`on ${source}`, () => {
    let bench: Bench;
    let fx: Fixture;

    before(async () => {
      bench = await useBench({ [source]: true, kafka: true });
      fx = await createFixture(bench, { source, tables: ["fs", "crash", "nokey"] });
    });

    after(async () => {
      await fx.cleanup();
      await bench.stop();
    });

    async function bulkInsert(db: mysql.Connection, table: string, from: number, count: number): Promise<void> {
      for (let start = from; start < from + count; start += 5000) {
        const values: string[] = [];
        for (let id = start; id < Math.min(start + 5000, from + count); id++) values.push(`(${id}, ${id % 1000}, 'row ${id}')`);
        await db.query(`INSERT INTO ${table} VALUES ${values.join(",")}`);
      }
    }

    /** The table as the messages describe it, merged by the documented rule. */
    function merge(messages: Consumed[]): Map<number, { v: number; note: string }> {
      const state = new Map<number, { v: number; note: string }>();
      for (const { payload: p } of inSequence(messages)) {
        if (p.op === "DELETE") state.delete(p.before.dataColumn.id);
        else if (p.after) state.set(p.after.dataColumn.id, { v: p.after.dataColumn.v, note: p.after.dataColumn.note });
      }
      return state;
    }

    test("full sync under load: 200k rows copied while writes continue; the merged messages equal the source table", async () => {
      await fx.sql("CREATE TABLE fs (id INT PRIMARY KEY, v INT, note VARCHAR(20))");
      await fx.createTopics([{ table: "fs", partitions: 6 }]);
      const db = await fx.server.adminConnection(fx.database);
      await bulkInsert(db, "fs", 1, 200_000);
      await fx.putConnector("fs-cdc", { source: { tables: ["fs"] }, initialSync: true });
      const runtime = await fx.startRuntime();
      await fx.waitForStatus("fs-cdc", (s) => s.state === "RUNNING");
      // Writes while the copy runs: updates, inserts and deletes, one row each.
      let writes = 0;
      for (let i = 0; i < 1500; i++) {
        const id = 1 + crypto.randomInt(200_000);
        if (i % 3 === 0) await db.query("UPDATE fs SET v = v + 1, note = 'updated' WHERE id = ?", [id]);
        else if (i % 3 === 1) await db.query("INSERT INTO fs VALUES (?, 7, 'new')", [200_000 + i]);
        else await db.query("DELETE FROM fs WHERE id = ?", [id]);
        writes += 1;
      }
      const [[{ n }]] = (await db.query("SELECT COUNT(*) AS n FROM fs")) as unknown as [{ n: number }[]];
      const [sourceRows] = (await db.query("SELECT id, v, note FROM fs")) as unknown as [{ id: number; v: number; note: string }[]];
      await db.end();
      // 200k copied rows, plus one message per write that changed a row (a delete of an id deleted
      // before changes nothing and writes nothing to the binlog).
      const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "fs")], (m) => m.length >= 200_000 + writes - 600, 240_000, 5_000).catch((e) => {
        throw new Error(`${e.message}\n${runtime.logs().split("\n").filter((l) => !l.includes('"debug"')).join("\n").slice(-3000)}`);
      });
      const merged = merge(messages);
      assert.equal(merged.size, Number(n));
      const mismatches = sourceRows.filter((r) => merged.get(r.id)?.v !== r.v || merged.get(r.id)?.note !== r.note);
      assert.deepEqual(mismatches.slice(0, 5), []);
      const snapshotRows = messages.filter((m) => JSON.parse(m.value).payload.op === "INSERT" && Number(JSON.parse(m.value).payload.after.dataColumn.id) <= 200_000);
      assert.ok(snapshotRows.length >= 200_000 - 600, `copied ${snapshotRows.length} rows`);
      await runtime.kill("SIGTERM");
    });

    test("a crash in the middle of a full sync resumes from the last chunk: every row once", async () => {
      await fx.sql("CREATE TABLE crash (id INT PRIMARY KEY, v INT, note VARCHAR(20))");
      await fx.createTopics([{ table: "crash", partitions: 3 }]);
      const db = await fx.server.adminConnection(fx.database);
      await bulkInsert(db, "crash", 1, 50_000);
      await db.end();
      await fx.putConnector("crash-cdc", { source: { tables: ["crash"] }, initialSync: true });
      // Commit 1 pins the start; the chunks are 2,000-row commits: killed right after the 10th commit.
      let runtime = await fx.startRuntime({ CDC_FAULTS: "after-commit:10" });
      assert.equal(await runtime.exited(60_000), "SIGKILL");
      runtime = await fx.startRuntime();
      const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "crash")], (m) => m.length >= 50_000, 120_000, 3_000);
      const ids = messages.map((m) => Number(JSON.parse(m.value).payload.after.dataColumn.id));
      assert.equal(ids.length, 50_000, "no row twice");
      assert.equal(new Set(ids).size, 50_000, "no row missing");
      // The second run went on from the chunk after the last one committed (the fault point counts
      // every commit of the process, heartbeats and the group's other connectors included).
      const resumedAt = Number(/"msg":"initial full sync".*"rowsSoFar":(\d+)/.exec(runtime.logs())?.[1]);
      assert.ok(resumedAt > 0 && resumedAt < 50_000 && resumedAt % 2_000 === 0, `resumed after ${resumedAt} rows`);
      await runtime.kill("SIGTERM");
    });

    test("a table without a primary key is copied in one pass", async () => {
      await fx.sql("CREATE TABLE nokey (id INT, v INT, note VARCHAR(20))");
      await fx.createTopics([{ table: "nokey", partitions: 1 }]);
      const db = await fx.server.adminConnection(fx.database);
      await bulkInsert(db, "nokey", 1, 5_000);
      await db.end();
      await fx.putConnector("nokey-cdc", { source: { tables: ["nokey"] }, initialSync: true });
      const runtime = await fx.startRuntime();
      const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "nokey")], (m) => m.length >= 5_000, 60_000, 2_000);
      assert.equal(messages.length, 5_000);
      assert.ok(messages.every((m) => m.key === `${fx.database}.nokey`));
      await runtime.kill("SIGTERM");
    });
  });
}
