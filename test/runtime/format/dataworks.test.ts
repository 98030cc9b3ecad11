import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { T } from "../../../runtime/format/columns";
import { buildTableShape } from "../../../runtime/format/table";
import { ordersShape, raw } from "./shapes";
import { dataWorksMessage, type RecordMeta } from "../../../runtime/format/dataworks";

const ORDERS = ordersShape(0);

const SCHEMA =
  '{"dataColumn":[{"name":"id","type":"LONG"},{"name":"item","type":"STRING"},{"name":"qty","type":"LONG"},' +
  '{"name":"price","type":"STRING"},{"name":"created","type":"DATE"}],"primaryKey":["id"],' +
  '"source":{"dbType":"MySQL","dbName":"shop","tableName":"orders"}}';

const META: RecordMeta = { sequenceId: "1614748790461000000", eventTime: 1700000000000, systemTime: 1700000000123, checkpointTime: 1699999999000 };
const TAIL = ',"sequenceId":"1614748790461000000","timestamp":{"eventTime":1700000000000,"systemTime":1700000000123,"checkpointTime":1699999999000}';

const CREATED_MS = Date.UTC(2024, 0, 2, 3, 4, 5); // 1704164645000
const ROW1 = { id: 1, item: "apple", qty: 3, price: "1.50", created: "2024-01-02 03:04:05.000000" };
const ROW1_IMAGE = `{"dataColumn":{"id":1,"item":"apple","qty":3,"price":"1.50","created":${CREATED_MS}}}`;

describe("dataWorksMessage layout", () => {
  test("INSERT: before null, after image, exact text", () => {
    const text = dataWorksMessage(ORDERS, "INSERT", null, ROW1, META);
    assert.equal(CREATED_MS, 1704164645000);
    assert.equal(
      text,
      `{"schema":${SCHEMA},"payload":{"before":null,"after":${ROW1_IMAGE}${TAIL},"op":"INSERT","ddl":null},"version":"0.0.1"}`,
    );
  });

  test("INSERT parses to the documented structure", () => {
    const message = JSON.parse(dataWorksMessage(ORDERS, "INSERT", null, ROW1, META));
    assert.deepEqual(Object.keys(message), ["schema", "payload", "version"]);
    assert.deepEqual(Object.keys(message.schema), ["dataColumn", "primaryKey", "source"]);
    assert.deepEqual(Object.keys(message.payload), ["before", "after", "sequenceId", "timestamp", "op", "ddl"]);
    assert.deepEqual(message.payload.timestamp, { eventTime: 1700000000000, systemTime: 1700000000123, checkpointTime: 1699999999000 });
    assert.equal(typeof message.payload.sequenceId, "string");
    assert.equal(message.version, "0.0.1");
    assert.equal(message.payload.ddl, null);
    assert.deepEqual(message.payload.after, { dataColumn: { id: 1, item: "apple", qty: 3, price: "1.50", created: 1704164645000 } });
  });

  test("UPDATE carries both images", () => {
    const after = { ...ROW1, qty: 4 };
    const text = dataWorksMessage(ORDERS, "UPDATE", ROW1, after, META);
    assert.equal(
      text,
      `{"schema":${SCHEMA},"payload":{"before":${ROW1_IMAGE},` +
        `"after":{"dataColumn":{"id":1,"item":"apple","qty":4,"price":"1.50","created":${CREATED_MS}}}${TAIL},"op":"UPDATE","ddl":null},"version":"0.0.1"}`,
    );
  });

  test("DELETE: before image, after null", () => {
    const text = dataWorksMessage(ORDERS, "DELETE", ROW1, null, META);
    assert.equal(
      text,
      `{"schema":${SCHEMA},"payload":{"before":${ROW1_IMAGE},"after":null${TAIL},"op":"DELETE","ddl":null},"version":"0.0.1"}`,
    );
  });

  test("NULL and missing columns are null", () => {
    const text = dataWorksMessage(ORDERS, "INSERT", null, { id: 2, item: null, qty: null, price: null }, META);
    assert.ok(text.includes('"after":{"dataColumn":{"id":2,"item":null,"qty":null,"price":null,"created":null}}'), text);
  });

  test("strings are JSON-escaped", () => {
    const text = dataWorksMessage(ORDERS, "INSERT", null, { ...ROW1, item: 'say "hi"\n\u2028' }, META);
    assert.equal(JSON.parse(text).payload.after.dataColumn.item, 'say "hi"\n\u2028');
  });
});

describe("the exact sibling", () => {
  test("DATETIME(6) with microseconds carries its source text", () => {
    const row = { ...ROW1, created: "2024-01-02 03:04:05.123456" };
    const text = dataWorksMessage(ORDERS, "INSERT", null, row, META);
    assert.ok(
      text.includes(
        `"after":{"dataColumn":{"id":1,"item":"apple","qty":3,"price":"1.50","created":1704164645123},"exact":{"created":"2024-01-02 03:04:05.123456"}}`,
      ),
      text,
    );
  });

  test("a zero date is null in dataColumn with its text in exact", () => {
    const row = { ...ROW1, created: "0000-00-00 00:00:00.000000" };
    const message = JSON.parse(dataWorksMessage(ORDERS, "UPDATE", ROW1, row, META));
    assert.equal(message.payload.after.dataColumn.created, null);
    assert.deepEqual(message.payload.after.exact, { created: "0000-00-00 00:00:00.000000" });
    assert.equal(message.payload.before.exact, undefined);
  });

  test("no exact object when every value fits", () => {
    const text = dataWorksMessage(ORDERS, "INSERT", null, { ...ROW1, created: "2024-01-02 03:04:05.123000" }, META);
    assert.ok(!text.includes('"exact"'), text);
  });

  test("several exact columns are listed in column order", () => {
    const shape = buildTableShape(
      "shop",
      "times",
      [raw("a", T.DATETIME2, "datetime(6)"), raw("b", T.LONG, "int"), raw("c", T.TIMESTAMP2, "timestamp(6)"), raw("d", T.DATE, "date")],
      [1],
      0,
    );
    const message = JSON.parse(
      dataWorksMessage(shape, "INSERT", null, { a: "2024-01-01 00:00:00.000001", b: 1, c: "2024-01-01 00:00:00.999999", d: "0000-00-00" }, META),
    );
    assert.deepEqual(message.payload.after, {
      dataColumn: { a: Date.UTC(2024, 0, 1), b: 1, c: Date.UTC(2024, 0, 1, 0, 0, 0, 999), d: null },
      exact: { a: "2024-01-01 00:00:00.000001", c: "2024-01-01 00:00:00.999999", d: "0000-00-00" },
    });
  });
});

describe("wide types", () => {
  const shape = buildTableShape(
    "shop",
    "wide",
    [
      raw("id", T.LONGLONG, "bigint(20) unsigned", { unsigned: true }),
      raw("flag", T.BIT, "bit(1)", { metadata: { bits: 1 } }),
      raw("bits", T.BIT, "bit(10)", { metadata: { bits: 10 } }),
      raw("payload", T.BLOB, "blob"),
      raw("ratio", T.FLOAT, "float"),
      raw("yr", T.YEAR, "year(4)"),
      raw("doc", T.JSON, "json"),
      raw("amount", T.NEWDECIMAL, "decimal(65,30)"),
    ],
    [0],
    0,
  );
  const row = {
    id: "18446744073709551615",
    flag: Buffer.from([1]),
    bits: Buffer.from([0x03, 0xff]),
    payload: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    ratio: 0.10000000149011612,
    yr: 1900,
    doc: { k: [1, "two"] },
    amount: "99999999999999999999999999999999999.999999999999999999999999999999",
  };

  test("schema types", () => {
    assert.deepEqual(
      JSON.parse(shape.dataWorksSchema).dataColumn,
      [
        { name: "id", type: "LONG" },
        { name: "flag", type: "BOOLEAN" },
        { name: "bits", type: "LONG" },
        { name: "payload", type: "BYTES" },
        { name: "ratio", type: "DOUBLE" },
        { name: "yr", type: "LONG" },
        { name: "doc", type: "STRING" },
        { name: "amount", type: "STRING" },
      ],
    );
  });

  test("exact raw text: BIGINT UNSIGNED max verbatim, BIT(1) boolean, BYTES base64", () => {
    const text = dataWorksMessage(shape, "INSERT", null, row, META);
    assert.ok(
      text.includes(
        '"after":{"dataColumn":{"id":18446744073709551615,"flag":true,"bits":1023,"payload":"3q2+7w==","ratio":0.1,"yr":0,' +
          '"doc":"{\\"k\\":[1,\\"two\\"]}","amount":"99999999999999999999999999999999999.999999999999999999999999999999"}}',
      ),
      text,
    );
  });

  test("BIT(1) zero is false", () => {
    const text = dataWorksMessage(shape, "INSERT", null, { ...row, flag: Buffer.from([0]) }, META);
    assert.ok(text.includes('"flag":false'), text);
  });
});
