import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { tableTopic } from "../../runtime/contract/names";
import { hashPartition } from "../../runtime/sink/partitioner";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, SOURCE_FLAVORS, type Fixture, type RuntimeProcess } from "./fixtures";

// The runtime as a real process: config record in, row changes out, DataWorks JSON by default.
// Run on each source server of the bench: MariaDB, and MySQL 8.0 (the product's target).
for (const source of SOURCE_FLAVORS) {
  describe(`on ${source}`, () => {
    let bench: Bench;
    let fx: Fixture;
    let runtime: RuntimeProcess;

    before(async () => {
      bench = await useBench({ [source]: true, kafka: true });
      fx = await createFixture(bench, { source, tables: ["orders", "notes"] });
      await fx.sql("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40), qty INT, price DECIMAL(10,2))");
      await fx.sql("CREATE TABLE notes (body TEXT)");
      await fx.createTopics([{ table: "orders", partitions: 6 }, { table: "notes", partitions: 1 }]);
      await fx.putConnector("orders-cdc");
      runtime = await fx.startRuntime();
    });

    after(async () => {
      await fx.cleanup();
      await bench.stop();
    });

    test("inserts, updates and deletes arrive as DataWorks messages, keyed by primary key", async () => {
      const started = await fx.waitForStatus("orders-cdc", (s) => s.state === "RUNNING" || s.state === "FAILED");
      assert.equal(started.state, "RUNNING", JSON.stringify(started));
      await fx.sql("INSERT INTO orders VALUES (1, 'apple', 3, 1.50), (2, 'pear', 1, 0.99)");
      await fx.sql("UPDATE orders SET qty = 4 WHERE id = 1");
      await fx.sql("DELETE FROM orders WHERE id = 2");
      await fx.sql("INSERT INTO notes VALUES ('no primary key')");
      const topic = tableTopic(fx.prefix, "orders");
      const notesTopic = tableTopic(fx.prefix, "notes");
      const messages = await consume(fx.kafka, [topic, notesTopic], (m) => m.length >= 5, 60_000).catch((e) => {
        throw new Error(`${e.message}\n${runtime.logs()}`);
      });
      const orders = messages.filter((m) => m.topic === topic);
      const byOp = orders.map((m) => ({ key: m.key, ...JSON.parse(m.value).payload }));
      const ops = byOp.map((p) => `${p.op} ${p.key}`).sort();
      assert.deepEqual(ops, ['DELETE {"id":2}', 'INSERT {"id":1}', 'INSERT {"id":2}', 'UPDATE {"id":1}']);
      const update = JSON.parse(orders.find((m) => JSON.parse(m.value).payload.op === "UPDATE")!.value);
      assert.deepEqual(update.schema, {
        dataColumn: [
          { name: "id", type: "LONG" },
          { name: "item", type: "STRING" },
          { name: "qty", type: "LONG" },
          { name: "price", type: "STRING" },
        ],
        primaryKey: ["id"],
        source: { dbType: "MySQL", dbName: fx.database, tableName: "orders" },
      });
      assert.deepEqual(update.payload.before, { dataColumn: { id: 1, item: "apple", qty: 3, price: "1.50" } });
      assert.deepEqual(update.payload.after, { dataColumn: { id: 1, item: "apple", qty: 4, price: "1.50" } });
      assert.equal(update.payload.ddl, null);
      assert.equal(update.version, "0.0.1");
      const note = messages.find((m) => m.topic === notesTopic)!;
      assert.equal(note.key, `${fx.database}.notes`);
      assert.equal(note.partition, 0);
      const sequenceIds = messages.map((m) => BigInt(JSON.parse(m.value).payload.sequenceId));
      assert.equal(new Set(sequenceIds.map(String)).size, 5, "sequenceIds are unique");
    });

    test("order: every change of a row arrives in one partition, in commit order", async () => {
      await fx.sql("CREATE TABLE counters (id INT PRIMARY KEY, n INT)");
      await fx.createTopics([{ table: "counters", partitions: 6 }]);
      await fx.putConnector("counters-cdc", { source: { tables: ["counters"] } });
      await fx.waitForStatus("counters-cdc", (s) => s.state === "RUNNING");
      const ROWS = 40;
      const ROUNDS = 25;
      await fx.sql(`INSERT INTO counters VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 0)`).join(",")}`);
      for (let round = 1; round <= ROUNDS; round++) {
        // Alternate single-row transactions and one statement touching every row.
        if (round % 2) await fx.sql("UPDATE counters SET n = n + 1");
        else for (let id = 1; id <= ROWS; id += 7) await fx.sql("UPDATE counters SET n = n + 1 WHERE id BETWEEN ? AND ?", [id, id + 6]);
      }
      const topic = tableTopic(fx.prefix, "counters");
      const messages = await consume(fx.kafka, [topic], (m) => m.length >= ROWS * (ROUNDS + 1), 60_000);
      const byKey = new Map<string, { partitions: Set<number>; values: number[] }>();
      for (const m of messages) {
        const entry = byKey.get(m.key) ?? { partitions: new Set(), values: [] };
        entry.partitions.add(m.partition);
        entry.values.push(JSON.parse(m.value).payload.after.dataColumn.n);
        byKey.set(m.key, entry);
      }
      assert.equal(byKey.size, ROWS);
      const expected = Array.from({ length: ROUNDS + 1 }, (_, i) => i);
      for (const [key, { partitions, values }] of byKey) {
        assert.equal(partitions.size, 1, `${key} in one partition`);
        assert.deepEqual(values, expected, `${key} in commit order`);
      }
      assert.ok(new Set(messages.map((m) => m.partition)).size > 1, "keys spread over partitions");
    });

    test("/healthz and /metrics report the connectors, committed rows, position and lag", async () => {
      const health = await fetch(`http://127.0.0.1:${runtime.httpPort}/healthz`);
      assert.equal(health.status, 200);
      const body = (await health.json()) as { status: string; connectors: Record<string, string> };
      assert.equal(body.status, "ok");
      assert.equal(body.connectors["orders-cdc"], "RUNNING");
      const metrics = await (await fetch(`http://127.0.0.1:${runtime.httpPort}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name}\\{connector="orders-cdc"[^}]*\\} ([0-9.]+)$`, "m").exec(metrics)?.[1]);
      assert.equal(value("cdc_rows_total"), 5, "4 order changes and 1 note");
      assert.ok(value("cdc_bytes_total") > 500);
      assert.ok(value("cdc_committed_position") > 4);
      assert.ok(value("cdc_lag_seconds") >= 0);
      assert.equal(value("cdc_queue_bytes"), 0);
      assert.match(metrics, /^# TYPE cdc_rows_per_second gauge$/m);
      assert.match(metrics, /^cdc_connector_up\{connector="orders-cdc",state="RUNNING"\} 1$/m);
      assert.equal((await fetch(`http://127.0.0.1:${runtime.httpPort}/nope`)).status, 404);
    });

    test("the source password appears in no Kafka topic and no log line", async () => {
      const password = fx.server.cdc.password;
      const kadmin = fx.kafka.admin();
      await kadmin.connect();
      const topics = (await kadmin.listTopics()).filter((t) => t.startsWith(`cdc-${fx.group}-`) || t.startsWith(`${fx.prefix}_`));
      await kadmin.disconnect();
      assert.ok(topics.length >= 5, `group and table topics: ${topics.join(", ")}`);
      const all = await consume(fx.kafka, topics, (m) => m.length > 0, 20_000, 2_000);
      const raw = all.map((m) => `${m.key} ${m.value}`).join("\n");
      assert.ok(raw.includes('"passwordEncrypted"'), "the config record carries the encrypted password");
      assert.ok(!raw.includes(password), "no plaintext password in any topic");
      assert.ok(!runtime.logs().includes(password), "no plaintext password in the runtime's logs");
    });

    test("with the kafkajs fast path off (CDC_KAFKAJS_FAST_PATH=0), rows travel as plain records and arrive the same", async () => {
      const plain = await createFixture(bench, { source, tables: ["items"] });
      try {
        await plain.sql("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
        await plain.createTopics([{ table: "items", partitions: 6 }]);
        await plain.putConnector("items-cdc");
        const slow = await plain.startRuntime({ CDC_KAFKAJS_FAST_PATH: "0" });
        assert.match(slow.logs(), /"kafkajsFastPath":"disabled"/);
        const started = await plain.waitForStatus("items-cdc", (s) => s.state === "RUNNING" || s.state === "FAILED");
        assert.equal(started.state, "RUNNING", JSON.stringify(started));
        await plain.sql(`INSERT INTO items VALUES ${Array.from({ length: 50 }, (_, i) => `(${i + 1}, 'item ${i + 1}')`).join(",")}`);
        await plain.sql("UPDATE items SET name = 'renamed' WHERE id = 7");
        const messages = await consume(plain.kafka, [tableTopic(plain.prefix, "items")], (m) => m.length >= 51, 60_000, 500);
        assert.equal(messages.length, 51);
        for (const m of messages) assert.equal(m.partition, hashPartition(m.key, 6), `partition of ${m.key}`);
        const update = messages.find((m) => JSON.parse(m.value).payload.op === "UPDATE")!;
        assert.equal(update.key, '{"id":7}');
        assert.deepEqual(JSON.parse(update.value).payload.after, { dataColumn: { id: 7, name: "renamed" } });
      } finally {
        await plain.cleanup();
      }
    });
  });
}
