/**
 * Values zongji 0.9 decodes wrong, streamed by the runtime in both formats from MariaDB and from
 * MySQL 8.0, and compared with what SQL reads back from the same rows (runtime/source/zongji-internals.ts repairs them):
 * negative TIMEs with zero seconds and fraction, an ENUM holding '' (index 0), and latin1 text
 * with every byte value, including the five cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type mysql from "mysql2/promise";
import { tableTopic } from "../../runtime/contract/names";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, SOURCE_FLAVORS, type Consumed, type Fixture } from "./fixtures";

const TIMES = ["-00:01:00", "-01:00:00", "-838:00:00", "-00:00:01", "-12:34:56", "-00:59:00", "-63:00:00", "00:00:00", "838:59:59"];
const LATIN1_BYTES = Buffer.from(Array.from({ length: 224 }, (_, i) => i + 32)); // 0x20–0xFF
const COLUMNS = ["tm", "tm3", "e", "l1", "lt"] as const;

/** The row images of a DataWorks message: [before, after], each column's value or undefined when the image is absent. */
function dataworksImages(m: Consumed): [Record<string, unknown> | null, Record<string, unknown> | null] {
  const payload = JSON.parse(m.value).payload;
  return [payload.before?.dataColumn ?? null, payload.after?.dataColumn ?? null];
}

for (const source of SOURCE_FLAVORS) {
  describe(`on ${source}`, () => {
    let bench: Bench;
    let fx: Fixture;
    let dataworks: Consumed[];
    let canal: Consumed[];
    /** What SQL reads back for each id, as text (the truth the messages must match). */
    let truth: Map<number, Record<string, string | null>>;

    before(async () => {
      bench = await useBench({ [source]: true, kafka: true });
      fx = await createFixture(bench, { tables: ["exact"], source });
      await fx.sql(`CREATE TABLE exact (id INT PRIMARY KEY, tm TIME, tm3 TIME(3), e ENUM('a','b'),
        l1 VARCHAR(300) CHARACTER SET latin1, lt TEXT CHARACTER SET latin1)`);
      await fx.createTopics([{ table: "exact", partitions: 1 }]);
      const canalPrefix = `${fx.prefix}c`;
      const kadmin = fx.kafka.admin();
      await kadmin.connect();
      await kadmin.createTopics({ topics: [{ topic: tableTopic(canalPrefix, "exact"), numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      await kadmin.disconnect();
      await fx.putConnector("exact-dw");
      await fx.putConnector("exact-canal", { format: "canal", topicPrefix: canalPrefix, compression: "none" });
      const runtime = await fx.startRuntime();
      await fx.waitForStatus("exact-dw", (s) => s.state === "RUNNING");
      await fx.waitForStatus("exact-canal", (s) => s.state === "RUNNING");

      // A non-strict sql_mode stores a non-member ENUM value as '' (index 0), with a warning.
      await fx.sql("SET SESSION sql_mode = ''");
      const hex = LATIN1_BYTES.toString("hex");
      for (const [i, time] of TIMES.entries()) {
        const e = i === 0 ? "'zzz'" : i === 1 ? "NULL" : "'b'";
        await fx.sql(`INSERT INTO exact VALUES (${i + 1}, '${time}', '${time}.000', ${e}, _latin1 X'${hex}', _latin1 X'${hex}${hex}')`);
      }
      // An UPDATE whose before and after images both need the repairs.
      await fx.sql("UPDATE exact SET tm = '-02:00:00', e = 'nope' WHERE id = 3");
      await fx.sql("DELETE FROM exact WHERE id = 2");

      const admin = await fx.server.adminConnection(fx.database);
      try {
        const [rows] = await admin.query<mysql.RowDataPacket[]>("SELECT id, CAST(tm AS CHAR) AS tm, CAST(tm3 AS CHAR) AS tm3, e, l1, lt FROM exact ORDER BY id");
        truth = new Map(rows.map((r) => [r.id as number, { tm: r.tm, tm3: r.tm3, e: r.e, l1: r.l1, lt: r.lt }]));
      } finally {
        await admin.end();
      }
      const expected = TIMES.length + 2;
      const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "exact"), tableTopic(canalPrefix, "exact")], (m) => m.length >= 2 * expected).catch((e) => {
        throw new Error(`${e.message}\n${runtime.logs().slice(-5000)}`);
      });
      dataworks = messages.filter((m) => m.topic === tableTopic(fx.prefix, "exact"));
      canal = messages.filter((m) => m.topic === tableTopic(canalPrefix, "exact"));
    });

    after(async () => {
      await fx.cleanup();
      await bench.stop();
    });

    test("SQL itself reads the values the test expects (the server is the reference)", () => {
      assert.deepEqual(truth.get(1), { tm: "-00:01:00", tm3: "-00:01:00.000", e: "", l1: truth.get(1)?.l1, lt: truth.get(1)?.lt });
      assert.equal(truth.get(3)?.tm, "-02:00:00");
      assert.equal(truth.get(3)?.e, "");
      // MySQL's latin1 is cp1252 with its five holes mapped to the same code points: 224 characters, none U+FFFD.
      const l1 = truth.get(1)?.l1 ?? "";
      assert.equal(l1.length, 224);
      assert.equal(l1.includes("\ufffd"), false);
      assert.equal(l1.charCodeAt(0x80 - 32), 0x20ac);
      for (const byte of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) assert.equal(l1.charCodeAt(byte - 32), byte);
    });

    test("DataWorks: negative TIMEs, the '' ENUM and every latin1 byte are what SQL reads, in inserts, an update's both images and a delete", () => {
      assert.equal(dataworks.length, TIMES.length + 2);
      const inserts = dataworks.slice(0, TIMES.length).map((m) => dataworksImages(m)[1] as Record<string, unknown>);
      for (const [i, row] of inserts.entries()) {
        const id = i + 1;
        assert.equal(row.tm, TIMES[i], `id ${id} tm`);
        assert.equal(row.tm3, `${TIMES[i]}.000`, `id ${id} tm3`);
        assert.equal(row.e, id === 1 ? "" : id === 2 ? null : "b", `id ${id} e`);
        assert.equal(row.l1, truth.get(1)?.l1, `id ${id} l1`);
        assert.equal(row.lt, truth.get(1)?.lt, `id ${id} lt`);
      }
      const [before, afterImage] = dataworksImages(dataworks[TIMES.length]);
      assert.deepEqual([before?.tm, before?.e], ["-838:00:00", "b"]);
      assert.deepEqual(
        Object.fromEntries(COLUMNS.map((c) => [c, afterImage?.[c]])),
        truth.get(3),
      );
      const [deleted] = dataworksImages(dataworks[TIMES.length + 1]);
      assert.deepEqual([deleted?.id, deleted?.tm, deleted?.e], [2, "-01:00:00", null]);
    });

    test("canal: the same values as canal text, old[] naming the update's changed columns with their old values", () => {
      assert.equal(canal.length, TIMES.length + 2);
      for (const [i, m] of canal.slice(0, TIMES.length).entries()) {
        const id = i + 1;
        const row = JSON.parse(m.value).data[0];
        // As inserted: SQL's latin1 text (the same in every row), the '' ENUM in row 1, NULL in row 2.
        assert.deepEqual(Object.fromEntries(COLUMNS.map((c) => [c, row[c]])), {
          tm: TIMES[i],
          tm3: `${TIMES[i]}.000`,
          e: id === 1 ? "" : id === 2 ? null : "b",
          l1: truth.get(1)?.l1,
          lt: truth.get(1)?.lt,
        }, `id ${id}`);
      }
      const update = JSON.parse(canal[TIMES.length].value);
      assert.deepEqual(Object.fromEntries(COLUMNS.map((c) => [c, update.data[0][c]])), truth.get(3));
      assert.deepEqual(update.old, [{ tm: "-838:00:00", e: "b" }]);
    });
  });
}
