import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { tableTopic } from "../../runtime/contract/names";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, SOURCE_FLAVORS, type Fixture, type RuntimeProcess } from "./fixtures";
import { deliveryProblems, idCounts, writeRows } from "./load";

// Exactly once across kill -9: 100k rows stream in while the runtime is killed at random points
// and restarted; a read_committed consumer must see every row once.
// Run on each source server of the bench: MariaDB, and MySQL 8.0 (the product's target).
for (const source of SOURCE_FLAVORS) {
  describe(`on ${source}`, () => {
    const ROWS = 100_000;
    let bench: Bench;
    let fx: Fixture;

    before(async () => {
      bench = await useBench({ [source]: true, kafka: true });
      fx = await createFixture(bench, { source, tables: ["events"] });
      await fx.sql("CREATE TABLE events (id INT PRIMARY KEY, payload VARCHAR(40))");
      await fx.createTopics([{ table: "events", partitions: 6 }]);
    });

    after(async () => {
      await fx.cleanup();
      await bench.stop();
    });

    const ENV = { CDC_SPLIT_ROWS: "5000", CDC_RETRY_BASE_MS: "200", CDC_RETRY_MAX_MS: "1000" };

    test("kill -9 at random points while 100k rows stream in: no loss, no duplicate", async () => {
      await fx.putConnector("events-cdc");
      let runtime: RuntimeProcess = await fx.startRuntime(ENV);
      await fx.waitForStatus("events-cdc", (s) => s.state === "RUNNING");
      const writer = await fx.server.adminConnection(fx.database);
      let written = 0;
      const writing = writeRows(writer, { table: "events", rows: ROWS, batch: 500, hugeTransaction: 30_000, rowsPerSecond: 15_000 }, (n) => (written = n));
      // Crash points: kill -9 from outside at random moments, and SIGKILL from inside at random
      // commits, right before a transaction commits and right after.
      const kills: string[] = [];
      const faults = [undefined, `before-commit:${2 + crypto.randomInt(15)}`, undefined, `after-commit:${2 + crypto.randomInt(15)}`, undefined];
      for (const fault of faults) {
        if (fault) {
          await runtime.kill("SIGKILL");
          runtime = await fx.startRuntime({ ...ENV, CDC_FAULTS: fault });
          const how = await runtime.exited(45_000);
          kills.push(`${fault} at ${written} rows (${how})`);
        } else {
          await new Promise((r) => setTimeout(r, 300 + crypto.randomInt(1200)));
          kills.push(`kill -9 at ${written} rows`);
        }
        await runtime.kill("SIGKILL");
        runtime = await fx.startRuntime(ENV);
      }
      await writing;
      await writer.end();
      const topic = tableTopic(fx.prefix, "events");
      let distinct = 0;
      // Once every id arrived, keep reading 3 s more: a duplicate committed late would show.
      const all = await consume(
        fx.kafka,
        [topic],
        (m) => {
          distinct = new Set(m.map((x) => x.key)).size;
          return distinct >= ROWS;
        },
        240_000,
        3_000,
      ).catch((e) => {
        throw new Error(`${e.message} (distinct ${distinct}; ${kills.join("; ")})\n${runtime.logs().slice(-3000)}`);
      });
      const counts = idCounts(all.map((m) => m.value));
      const { missing, duplicated } = deliveryProblems(counts, ROWS);
      assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] });
      assert.equal(all.length, ROWS);
      assert.ok(kills.some((k) => k.includes("(SIGKILL)")), `a fault point killed the runtime: ${kills.join("; ")}`);
      await runtime.kill("SIGTERM");
    });

    test("a crash inside a huge transaction split over Kafka transactions resumes with its row-skip counter", async () => {
      await fx.sql("CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(40))");
      await fx.createTopics([{ table: "big", partitions: 3 }]);
      await fx.putConnector("big-cdc", { source: { tables: ["big"] } });
      // One Kafka transaction per checkpoint, so the fault points land inside the MySQL transaction.
      const env = { ...ENV, CDC_SPLIT_ROWS: "2000", CDC_TRANSACTION_BYTES: "1" };
      let runtime = await fx.startRuntime(env);
      await fx.waitForStatus("big-cdc", (s) => s.state === "RUNNING");
      await runtime.kill("SIGKILL");
      // One 30k-row MySQL transaction: 15 Kafka transactions of 2,000 rows.
      const writer = await fx.server.adminConnection(fx.database);
      await writeRows(writer, { table: "big", rows: 30_000, batch: 1000, hugeTransaction: 30_000, hugeTransactionAfter: 0 });
      await writer.end();
      const crashes: string[] = [];
      for (const fault of ["before-commit:5", "after-commit:4", "before-commit:3"]) {
        runtime = await fx.startRuntime({ ...env, CDC_FAULTS: fault });
        crashes.push(`${fault}: ${await runtime.exited(60_000)}`);
        await runtime.kill("SIGKILL");
      }
      assert.deepEqual(crashes, ["before-commit:5: SIGKILL", "after-commit:4: SIGKILL", "before-commit:3: SIGKILL"]);
      runtime = await fx.startRuntime(env);
      const all = await consume(fx.kafka, [tableTopic(fx.prefix, "big")], (m) => new Set(m.map((x) => x.key)).size >= 30_000, 120_000, 3_000).catch((e) => {
        throw new Error(`${e.message} (${crashes.join("; ")})\n${runtime.logs().split("\n").filter((l) => !l.includes('"level":"debug"')).join("\n").slice(-4000)}`);
      });
      const { missing, duplicated } = deliveryProblems(idCounts(all.map((m) => m.value)), 30_000);
      assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] });
      assert.equal(all.length, 30_000);
      await runtime.kill("SIGTERM");
    });
  });
}
