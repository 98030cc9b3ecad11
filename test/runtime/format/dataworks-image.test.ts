import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type mysql from "mysql2/promise";
import { ByteWriter } from "../../../runtime/format/byte-writer";
import { dataWorksMessage } from "../../../runtime/format/dataworks";
import { messageKey, type Row } from "../../../runtime/format/table";
import { createLogger } from "../../../runtime/log";
import { Position } from "../../../runtime/position";
import { BinlogSource } from "../../../runtime/source/binlog-source";
import type { RowsEvent, SourceEvent } from "../../../runtime/source/events";
import { useBench, type Bench } from "../../bench/services";
import { uniqueName } from "../fixtures";

// The fast path writes DataWorks messages straight from binlog row images. Its output must be the
// very bytes the zongji path writes: the same changes are read twice from a real server's binlog,
// once as row images and once decoded by zongji, and every message and key is compared.
let bench: Bench;
let admin: mysql.Connection;
let database: string;
let start: Position;
let fast: RowsEvent[];
let decoded: RowsEvent[];

const OFFSET_MINUTES = 480; // the connector's source timezone +08:00: DATETIME and DATE are read there

const FAST_TABLE = `CREATE TABLE fast (
  id BIGINT PRIMARY KEY, k VARCHAR(8) NOT NULL, i8 TINYINT, u8 TINYINT UNSIGNED, i16 SMALLINT, u16 SMALLINT UNSIGNED,
  i24 MEDIUMINT, u24 MEDIUMINT UNSIGNED, i32 INT, u32 INT UNSIGNED, i64 BIGINT, u64 BIGINT UNSIGNED,
  f FLOAT, dbl DOUBLE, d65 DECIMAL(65,30), d10 DECIMAL(10,2), d5 DECIMAL(5,0), d18 DECIMAL(18,9), d9 DECIMAL(9,9),
  dt0 DATETIME, dt1 DATETIME(1), dt3 DATETIME(3), dt5 DATETIME(5), dt6 DATETIME(6),
  ts0 TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, ts6 TIMESTAMP(6) NULL, dte DATE, yr YEAR,
  b1 BIT(1), b5 BIT(5), b64 BIT(64),
  v VARCHAR(20), v300 VARCHAR(300), v3 VARCHAR(10) CHARACTER SET utf8mb3, ch CHAR(10), txt TEXT, mtxt MEDIUMTEXT,
  vb VARBINARY(10), blb BLOB, tblb TINYBLOB, lblb LONGBLOB, n INT NULL)`;

const MAX_U64 = "18446744073709551615";
const MIN_I64 = "-9223372036854775808";

function rowSql(id: number, values: Record<string, string>): string {
  const columns = ["id", "k", ...Object.keys(values)];
  const all: Record<string, string> = { id: String(id), k: `'k${id}'`, ...values };
  return `INSERT INTO fast (${columns.join(", ")}) VALUES (${columns.map((c) => all[c]).join(", ")})`;
}

const ROWS: Record<string, string>[] = [
  {
    i8: "-128", u8: "255", i16: "-32768", u16: "65535", i24: "-8388608", u24: "16777215", i32: "-2147483648", u32: "4294967295",
    i64: MIN_I64, u64: MAX_U64, f: "0.1", dbl: "0.1", d65: "'-12345678901234567890123456789012345.123456789012345678901234567890'",
    d10: "'-0.50'", d5: "-99999", d18: "'1.000000001'", d9: "'0.123456789'", dt0: "'0000-00-00 00:00:00'", dt1: "'2024-02-29 23:59:58.1'",
    dt3: "'0099-12-31 23:59:59.999'", dt5: "'2024-00-10 10:00:00.12345'", dt6: "'1000-01-01 00:00:00.000001'", ts0: "'0000-00-00 00:00:00'",
    ts3: "'2038-01-19 03:14:07.999'", ts6: "'1970-01-01 00:00:01.000001'", dte: "'0000-00-00'", yr: "0", b1: "b'1'", b5: "b'10101'",
    b64: `b'${"1".repeat(64)}'`, v: `'q"uo\\\\te\\n\\t\\r'`, v300: `'${"é".repeat(150)}🥨'`, v3: "'中文ab'", ch: "'ab'",
    txt: "CONCAT('ctl', CHAR(1), CHAR(31), CHAR(127), CHAR(8), CHAR(12))", mtxt: "REPEAT('m', 70000)",
    vb: "X'00FF10'", blb: "X'DEADBEEF'", tblb: "X''", lblb: "REPEAT(X'01', 300)",
  },
  {
    i8: "127", u8: "0", i16: "32767", u16: "0", i24: "8388607", u24: "0", i32: "2147483647", u32: "0",
    i64: "9223372036854775807", u64: "9007199254740993", f: "3.4e38", dbl: "-1e308", d65: "'0'", d10: "'12345678.90'", d5: "0",
    d18: "'-999999999.999999999'", d9: "'-0.000000001'", dt0: "'9999-12-31 23:59:59'", dt1: "'2023-02-30 00:00:00.0'",
    dt3: "'2026-11-21 10:00:00.123'", dt5: "'2026-11-21 10:00:00.00001'", dt6: "'2026-11-21 10:00:00.123000'",
    ts0: "'1970-01-01 00:00:01'", ts3: "'2026-11-21 10:00:00.500'", ts6: "'2026-11-21 10:00:00.999999'", dte: "'2024-02-29'",
    yr: "2155", b1: "b'0'", b5: "b'0'", b64: "b'0'", v: "''", v300: "REPEAT('x', 300)", v3: "'€'", ch: "'日本語'",
    txt: "''", mtxt: "'\\\\\\\\'", vb: "X''", blb: "X'00'", tblb: "X'FF'", lblb: "X''",
  },
  { i64: "9007199254740992", u64: "9007199254740992", f: "1e-45", dbl: "5e-324", d10: "'0.00'", dt6: "'2026-11-21 10:00:00.000000'", yr: "1901", dte: "'0001-01-01'" },
  { i64: "-9007199254740993", dbl: "0.3333333333333333", dt0: "'2024-02-29 12:00:00'" },
  {},
];

/** Reads the binlog from `from` until `until`, as row images (rowImages) or as zongji's decoded rows. */
async function readRows(rowImages: boolean, from: Position, until: Position): Promise<RowsEvent[]> {
  const m = bench.mariadb;
  const events: RowsEvent[] = [];
  const source = new BinlogSource({
    host: m.host,
    port: m.port,
    user: m.cdc.user,
    password: m.cdc.password,
    database,
    serverId: 100_000 + Math.floor(Math.random() * 100_000),
    offsetMinutes: OFFSET_MINUTES,
    tables: ["fast", "keyless", "latin"],
    autoAdd: false,
    includeTable: () => true,
    rowImages,
    logger: createLogger({ level: "error", write: () => {} }),
  });
  await new Promise<void>((resolve, reject) => {
    const onEvent = (event: SourceEvent) => {
      if (event.kind === "rows") events.push(event);
      if (event.kind === "commit" && event.file === until.file && event.pos >= until.pos) resolve();
    };
    source.start(from, { onEvent, onError: reject }).catch(reject);
  });
  await source.stop();
  return events;
}

async function binlogEnd(): Promise<Position> {
  const [rows] = await admin.query("SHOW MASTER STATUS");
  const status = (rows as { File: string; Position: number }[])[0];
  return Position.of(status.File, Number(status.Position));
}

before(async () => {
  bench = await useBench({ mariadb: true });
  admin = await bench.mariadb.adminConnection();
  database = uniqueName("cdc_");
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`USE ${database}`);
  await admin.query(FAST_TABLE);
  await admin.query("CREATE TABLE keyless (a INT, b VARCHAR(10))");
  await admin.query("CREATE TABLE latin (id INT PRIMARY KEY, l VARCHAR(10) CHARACTER SET latin1)");
  await admin.query("SET SESSION sql_mode = 'ALLOW_INVALID_DATES', time_zone = '+00:00'");
  start = await binlogEnd();
  for (const [i, values] of ROWS.entries()) await admin.query(rowSql(i + 1, values));
  await admin.query("UPDATE fast SET v = 'changed', dt6 = '2026-11-21 10:00:00.654321', n = 7 WHERE id = 1");
  await admin.query("UPDATE fast SET u64 = u64 - 1");
  await admin.query("DELETE FROM fast WHERE id = 2");
  await admin.query("INSERT INTO keyless VALUES (1, 'a'), (NULL, NULL)");
  await admin.query("UPDATE keyless SET b = 'z'");
  await admin.query("DELETE FROM keyless WHERE a = 1");
  await admin.query("INSERT INTO latin VALUES (1, 'café')");
  const end = await binlogEnd();
  [fast, decoded] = await Promise.all([readRows(true, start, end), readRows(false, start, end)]);
});

after(async () => {
  await admin?.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin?.end();
  await bench?.stop();
});

/** Every row of the events as [key, message], with fixed times so the two paths can be compared byte for byte. */
function messages(events: RowsEvent[]): [string, string][] {
  const out = new ByteWriter(256); // small chunks: records cross chunk boundaries
  const result: [string, string][] = [];
  let sequence = 0;
  for (const event of events) {
    if (event.images) {
      const { data, writer } = event.images;
      let offset = 0;
      while (offset < data.length) {
        writer.write(data, offset, event.op, BigInt(++sequence), event.eventTime, 1, 2, out);
        const w = writer.written;
        result.push([out.view(w.keyStart, w.keyEnd).toString(), out.view(0, w.valueEnd).toString()]);
        offset = w.next;
      }
      continue;
    }
    for (const { before, after } of event.rows) {
      const meta = { sequenceId: String(++sequence), eventTime: event.eventTime, systemTime: 1, checkpointTime: 2 };
      result.push([messageKey(event.shape, (after ?? before) as Row), dataWorksMessage(event.shape, event.op, before, after, meta)]);
    }
  }
  return result;
}

test("tables whose columns all have a row-image reader come as row images; others as zongji's rows", () => {
  const tableOf = (e: RowsEvent) => e.shape.table;
  assert.deepEqual([...new Set(fast.filter((e) => e.images).map(tableOf))].sort(), ["fast", "keyless"]);
  assert.deepEqual([...new Set(fast.filter((e) => !e.images).map(tableOf))], ["latin"]);
  assert.ok(fast.every((e) => (e.images ? e.rows.length === 0 : e.rows.length > 0)));
  assert.ok(decoded.every((e) => !e.images));
});

test("messages and keys written from row images are byte for byte those of the zongji path", () => {
  const expected = messages(decoded);
  const actual = messages(fast);
  // fast: 5 inserts, 1 + 3 updates (u64 - 1 leaves the NULLs unchanged: not logged), 1 delete;
  // keyless: 2 inserts, 2 updates, 1 delete; latin: 1 insert.
  assert.equal(expected.length, 5 + 4 + 1 + 5 + 1);
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(actual[i][0], expected[i][0], `key of message ${i + 1}`);
    assert.equal(actual[i][1], expected[i][1], `message ${i + 1}`);
    JSON.parse(actual[i][1]);
  }
});

test("the values a consumer reads: exact digits, dates at the source offset, text and bytes", () => {
  const [key, value] = messages(fast)[0];
  assert.equal(key, '{"id":1}');
  const after = JSON.parse(value.replace(/([:[,])(-?\d{16,})(?=[,}\]])/g, '$1"$2"')).payload.after;
  const c = after.dataColumn;
  assert.equal(c.i64, MIN_I64);
  assert.equal(c.u64, MAX_U64);
  assert.equal(c.d65, "-12345678901234567890123456789012345.123456789012345678901234567890");
  assert.equal(c.d10, "-0.50");
  assert.equal(c.f, 0.1);
  assert.equal(c.dt1, Date.UTC(2024, 1, 29, 23, 59, 58, 100) - OFFSET_MINUTES * 60_000);
  assert.equal(c.dt0, null);
  assert.equal(c.ts6, 1000);
  assert.equal(c.v, 'q"uo\\te\n\t\r');
  assert.equal(c.v300, `${"é".repeat(150)}🥨`);
  assert.equal(c.txt, "ctl\u0001\u001f\u007f\b\f");
  assert.equal(c.mtxt.length, 70000);
  assert.equal(c.vb, "AP8Q");
  assert.equal(c.b64, MAX_U64);
  assert.equal(c.b1, true);
  assert.deepEqual(after.exact, {
    dt0: "0000-00-00 00:00:00",
    dt5: "2024-00-10 10:00:00.12345",
    dt6: "1000-01-01 00:00:00.000001",
    ts0: "0000-00-00 00:00:00",
    ts6: "1970-01-01 00:00:01.000001",
    dte: "0000-00-00",
  });
});
