import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { tableTopic } from "../../runtime/contract/names";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, type Consumed, type Fixture, type RuntimeProcess } from "./fixtures";

// Every column type is inserted, updated and deleted, then checked value by value in both formats
// (two connectors on the same table: one DataWorks, one canal).
let bench: Bench;
let fx: Fixture;
let runtime: RuntimeProcess;
let dataworks: Consumed[];
let canal: Consumed[];

const MAX_U64 = "18446744073709551615";
const MIN_I64 = "-9223372036854775808";
const BIG_DECIMAL = "-12345678901234567890123456789012345.123456789012345678901234567890";

/** JSON.parse that keeps integers of 16+ digits as strings, so every digit can be compared. */
function parseExact(text: string): any {
  return JSON.parse(text.replace(/([:[,])(-?\d{16,})(?=[,}\]])/g, '$1"$2"'));
}

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true });
  fx = await createFixture(bench, { tables: ["alltypes"] });
  await fx.sql(`CREATE TABLE alltypes (
    id BIGINT UNSIGNED PRIMARY KEY, i8 TINYINT, u8 TINYINT UNSIGNED, i16 SMALLINT, i24 MEDIUMINT, i32 INT, i64 BIGINT,
    d DECIMAL(65,30), f FLOAT, dbl DOUBLE, dt6 DATETIME(6), dt DATETIME, ts3 TIMESTAMP(3) NULL, dte DATE, tm TIME(6), yr YEAR,
    b1 BIT(1), b64 BIT(64), j JSON, e ENUM('a','b,c','x'), s SET('p','q','r'), v VARCHAR(20), txt TEXT, ch CHAR(3),
    bin VARBINARY(10), blb BLOB, n INT NULL)`);
  await fx.createTopics([{ table: "alltypes", partitions: 6 }]);
  const canalPrefix = `${fx.prefix}c`;
  const kadmin = fx.kafka.admin();
  await kadmin.connect();
  await kadmin.createTopics({ topics: [{ topic: tableTopic(canalPrefix, "alltypes"), numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  await kadmin.disconnect();
  await fx.putConnector("types-dw");
  await fx.putConnector("types-canal", { format: "canal", topicPrefix: canalPrefix, compression: "none" });
  runtime = await fx.startRuntime();
  await fx.waitForStatus("types-dw", (s) => s.state === "RUNNING");
  await fx.waitForStatus("types-canal", (s) => s.state === "RUNNING");

  await fx.sql("SET SESSION sql_mode = '', time_zone = '+00:00'");
  await fx.sql(`INSERT INTO alltypes VALUES (${MAX_U64}, -128, 255, -32768, -8388608, -2147483648, ${MIN_I64},
    '${BIG_DECIMAL}', 0.1, 0.1, '2024-02-29 23:59:58.123456', '0000-00-00 00:00:00', '2038-01-19 03:14:07.999', '0000-00-00',
    '-838:59:59.000000', 0, b'1', b'${"1".repeat(64)}', '{"a": [1, 2.50, "x"]}', 'b,c', 'p,r', 'héllo 🥨', 'long text', 'ab',
    X'00FF10', X'DEADBEEF', NULL)`);
  await fx.sql("INSERT INTO alltypes (id, yr, dt6, dte, b1) VALUES (2, 2155, '1000-01-01 00:00:00.000001', '9999-12-31', b'0')");
  await fx.sql("UPDATE alltypes SET v = 'x', f = -3.25 WHERE id = 2");
  await fx.sql(`DELETE FROM alltypes WHERE id = ${MAX_U64}`);
  const messages = await consume(fx.kafka, [tableTopic(fx.prefix, "alltypes"), tableTopic(canalPrefix, "alltypes")], (m) => m.length >= 8).catch((e) => {
    throw new Error(`${e.message}\n${runtime.logs().slice(-5000)}`);
  });
  const order = (m: Consumed) => BigInt(parseExact(m.value).payload?.sequenceId ?? parseExact(m.value).id);
  dataworks = messages.filter((m) => m.topic === tableTopic(fx.prefix, "alltypes")).sort((a, b) => (order(a) < order(b) ? -1 : 1));
  canal = messages.filter((m) => m.topic === tableTopic(canalPrefix, "alltypes")).sort((a, b) => (order(a) < order(b) ? -1 : 1));
});

after(async () => {
  await fx.cleanup();
  await bench.stop();
});

const ROW1_DATAWORKS = {
  id: MAX_U64, i8: -128, u8: 255, i16: -32768, i24: -8388608, i32: -2147483648, i64: MIN_I64,
  d: BIG_DECIMAL, f: 0.1, dbl: 0.1, dt6: Date.UTC(2024, 1, 29, 23, 59, 58, 123), dt: null, ts3: Date.UTC(2038, 0, 19, 3, 14, 7, 999),
  dte: null, tm: "-838:59:59.000000", yr: 0, b1: true, b64: MAX_U64, j: '{"a": [1, 2.50, "x"]}', e: "b,c", s: "p,r",
  v: "héllo 🥨", txt: "long text", ch: "ab", bin: Buffer.from([0x00, 0xff, 0x10]).toString("base64"), blb: "3q2+7w==", n: null,
};
const ROW1_EXACT = { dt6: "2024-02-29 23:59:58.123456", dt: "0000-00-00 00:00:00", dte: "0000-00-00" };

test("DataWorks: every column type of an INSERT, value by value, with every digit and the exact source text", () => {
  assert.equal(dataworks.length, 4);
  const insert = parseExact(dataworks[0].value);
  assert.equal(insert.payload.op, "INSERT");
  assert.equal(insert.payload.before, null);
  assert.deepEqual(insert.payload.after.dataColumn, ROW1_DATAWORKS);
  assert.deepEqual(insert.payload.after.exact, ROW1_EXACT);
  // The raw text carries the 64-bit values as JSON numbers with every digit.
  assert.match(dataworks[0].value, new RegExp(`"id":${MAX_U64},`));
  assert.match(dataworks[0].value, new RegExp(`"i64":${MIN_I64},`));
  assert.match(dataworks[0].value, new RegExp(`"b64":${MAX_U64},`));
  assert.equal(dataworks[0].key, `{"id":${MAX_U64}}`);
  assert.deepEqual(
    insert.schema.dataColumn.map((c: { name: string; type: string }) => `${c.name}:${c.type}`),
    ["id:LONG", "i8:LONG", "u8:LONG", "i16:LONG", "i24:LONG", "i32:LONG", "i64:LONG", "d:STRING", "f:DOUBLE", "dbl:DOUBLE", "dt6:DATE",
      "dt:DATE", "ts3:DATE", "dte:DATE", "tm:STRING", "yr:LONG", "b1:BOOLEAN", "b64:LONG", "j:STRING", "e:STRING", "s:STRING",
      "v:STRING", "txt:STRING", "ch:STRING", "bin:BYTES", "blb:BYTES", "n:LONG"],
  );
  assert.deepEqual(insert.schema.primaryKey, ["id"]);
  assert.equal(typeof insert.payload.sequenceId, "string");
  assert.ok(insert.payload.timestamp.eventTime > Date.now() - 600_000 && insert.payload.timestamp.eventTime % 1000 === 0);
  assert.ok(insert.payload.timestamp.systemTime >= insert.payload.timestamp.eventTime);
});

test("DataWorks: NULLs, range limits, UPDATE before/after and DELETE", () => {
  const second = parseExact(dataworks[1].value);
  assert.deepEqual(second.payload.after.dataColumn, {
    ...Object.fromEntries(Object.keys(ROW1_DATAWORKS).map((k) => [k, null])),
    id: 2, yr: 2155, dt6: Date.UTC(1000, 0, 1, 0, 0, 0, 0), dte: Date.UTC(9999, 11, 31), b1: false,
  });
  assert.deepEqual(second.payload.after.exact, { dt6: "1000-01-01 00:00:00.000001" });
  const update = parseExact(dataworks[2].value);
  assert.equal(update.payload.op, "UPDATE");
  assert.equal(update.payload.before.dataColumn.v, null);
  assert.equal(update.payload.before.dataColumn.f, null);
  assert.equal(update.payload.after.dataColumn.v, "x");
  assert.equal(update.payload.after.dataColumn.f, -3.25);
  const del = parseExact(dataworks[3].value);
  assert.equal(del.payload.op, "DELETE");
  assert.equal(del.payload.after, null);
  assert.deepEqual(del.payload.before.dataColumn, ROW1_DATAWORKS);
  const ids = dataworks.map((m) => BigInt(parseExact(m.value).payload.sequenceId));
  assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), "sequenceIds increase");
});

test("canal: every column type as canal text, old[] with changed columns only, DELETE data = before image", () => {
  assert.equal(canal.length, 4);
  const insert = parseExact(canal[0].value);
  assert.equal(insert.type, "INSERT");
  assert.equal(insert.isDdl, false);
  assert.equal(insert.database, fx.database);
  assert.equal(insert.table, "alltypes");
  assert.deepEqual(insert.pkNames, ["id"]);
  assert.equal(insert.old, null);
  assert.equal(insert.sql, "");
  assert.match(insert.gtid, /^0-1-\d+$/);
  assert.deepEqual(insert.data, [{
    id: MAX_U64, i8: "-128", u8: "255", i16: "-32768", i24: "-8388608", i32: "-2147483648", i64: MIN_I64, d: BIG_DECIMAL,
    f: "0.1", dbl: "0.1", dt6: "2024-02-29 23:59:58.123456", dt: "0000-00-00 00:00:00", ts3: "2038-01-19 03:14:07.999", dte: "0000-00-00",
    tm: "-838:59:59.000000", yr: "0000", b1: "1", b64: MAX_U64, j: '{"a": [1, 2.50, "x"]}', e: "b,c", s: "p,r", v: "héllo 🥨",
    txt: "long text", ch: "ab", bin: "\u0000\u00ff\u0010", blb: "\u00de\u00ad\u00be\u00ef", n: null,
  }]);
  assert.deepEqual(insert.mysqlType, {
    id: "bigint unsigned", i8: "tinyint", u8: "tinyint unsigned", i16: "smallint", i24: "mediumint", i32: "int", i64: "bigint",
    d: "decimal(65,30)", f: "float", dbl: "double", dt6: "datetime(6)", dt: "datetime", ts3: "timestamp(3)", dte: "date", tm: "time(6)",
    yr: "year", b1: "bit(1)", b64: "bit(64)", j: "longtext", e: "enum('a','b,c','x')", s: "set('p','q','r')", v: "varchar(20)",
    txt: "text", ch: "char(3)", bin: "varbinary(10)", blb: "blob", n: "int",
  });
  assert.deepEqual(
    [insert.sqlType.id, insert.sqlType.i64, insert.sqlType.d, insert.sqlType.f, insert.sqlType.dt6, insert.sqlType.dte, insert.sqlType.tm, insert.sqlType.b1, insert.sqlType.bin, insert.sqlType.blb, insert.sqlType.txt],
    [3, -5, 3, 7, 93, 91, 92, -7, -3, -4, -1],
  );
  assert.ok(typeof insert.es === "number" && typeof insert.ts === "number" && insert.ts >= insert.es);
  const update = parseExact(canal[2].value);
  assert.equal(update.type, "UPDATE");
  assert.deepEqual(update.old, [{ f: null, v: null }]);
  assert.equal(update.data[0].v, "x");
  assert.equal(update.data[0].f, "-3.25");
  const del = parseExact(canal[3].value);
  assert.equal(del.type, "DELETE");
  assert.equal(del.old, null);
  assert.deepEqual(del.data, insert.data);
});
