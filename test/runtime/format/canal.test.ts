import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { T } from "../../../runtime/format/columns";
import { buildTableShape } from "../../../runtime/format/table";
import { ordersShape, raw } from "./shapes";
import { canalMessage, type CanalMeta } from "../../../runtime/format/canal";

const ORDERS = ordersShape(480);

const META: CanalMeta = { sequenceId: "42", eventTime: 1700000000000, systemTime: 1700000000123, gtid: "0-1-42" };
const HEAD =
  '{"id":42,"database":"shop","table":"orders","pkNames":["id"],"isDdl":false,';
const TYPES =
  '"sqlType":{"id":4,"item":12,"qty":4,"price":3,"created":93},' +
  '"mysqlType":{"id":"int(11)","item":"varchar(40)","qty":"int(11)","price":"decimal(10,2)","created":"datetime(6)"},';
const ROW1 = { id: 1, item: "apple", qty: 3, price: "1.50", created: "2024-01-02 03:04:05.123456" };
const ROW1_TEXT = '{"id":"1","item":"apple","qty":"3","price":"1.50","created":"2024-01-02 03:04:05.123456"}';

describe("canalMessage", () => {
  test("INSERT: string values, old null", () => {
    assert.equal(
      canalMessage(ORDERS, "INSERT", null, ROW1, META),
      `${HEAD}"type":"INSERT","es":1700000000000,"ts":1700000000123,"sql":"",${TYPES}"data":[${ROW1_TEXT}],"old":null,"gtid":"0-1-42"}`,
    );
  });

  test("UPDATE: data is the after image, old holds only the changed columns' previous values", () => {
    const after = { ...ROW1, qty: 4, price: "2.00" };
    assert.equal(
      canalMessage(ORDERS, "UPDATE", ROW1, after, META),
      `${HEAD}"type":"UPDATE","es":1700000000000,"ts":1700000000123,"sql":"",${TYPES}` +
        `"data":[{"id":"1","item":"apple","qty":"4","price":"2.00","created":"2024-01-02 03:04:05.123456"}],` +
        `"old":[{"qty":"3","price":"1.50"}],"gtid":"0-1-42"}`,
    );
  });

  test("UPDATE from or to NULL counts as a change", () => {
    const before = { ...ROW1, item: null };
    const after = { ...ROW1, qty: null };
    const message = JSON.parse(canalMessage(ORDERS, "UPDATE", before, after, META));
    assert.deepEqual(message.old, [{ item: null, qty: "3" }]);
    assert.deepEqual(message.data, [{ id: "1", item: "apple", qty: null, price: "1.50", created: "2024-01-02 03:04:05.123456" }]);
  });

  test("UPDATE compares the written text: 1.50 and 1.50 are unchanged", () => {
    const message = JSON.parse(canalMessage(ORDERS, "UPDATE", ROW1, { ...ROW1, item: "pear" }, META));
    assert.deepEqual(message.old, [{ item: "apple" }]);
  });

  test("DELETE: data is the before image", () => {
    assert.equal(
      canalMessage(ORDERS, "DELETE", ROW1, null, META),
      `${HEAD}"type":"DELETE","es":1700000000000,"ts":1700000000123,"sql":"",${TYPES}"data":[${ROW1_TEXT}],"old":null,"gtid":"0-1-42"}`,
    );
  });

  test("gtid null is written as null", () => {
    const message = JSON.parse(canalMessage(ORDERS, "INSERT", null, ROW1, { ...META, gtid: null }));
    assert.equal(message.gtid, null);
    assert.equal(message.id, 42);
  });

  test("a table without a primary key has empty pkNames", () => {
    const shape = buildTableShape("shop", "notes", [raw("body", T.BLOB, "text", { charset: "utf8mb4" })], [], 0);
    const message = JSON.parse(canalMessage(shape, "INSERT", null, { body: "x" }, META));
    assert.deepEqual(message.pkNames, []);
    assert.deepEqual(message.data, [{ body: "x" }]);
    assert.deepEqual(message.sqlType, { body: -1 });
    assert.deepEqual(message.mysqlType, { body: "text" });
  });

  test("every type is written as canal's string form", () => {
    const shape = buildTableShape(
      "shop",
      "wide",
      [
        raw("id", T.LONGLONG, "bigint(20) unsigned", { unsigned: true }),
        raw("flag", T.BIT, "bit(1)", { metadata: { bits: 1 } }),
        raw("bin", T.VARCHAR, "varbinary(4)"),
        raw("ratio", T.FLOAT, "float"),
        raw("yr", T.YEAR, "year(4)"),
        raw("doc", T.JSON, "json"),
        raw("d", T.DATE, "date"),
        raw("zero", T.DATETIME2, "datetime"),
      ],
      [0],
      0,
    );
    const message = JSON.parse(
      canalMessage(
        shape,
        "INSERT",
        null,
        {
          id: "18446744073709551615",
          flag: Buffer.from([1]),
          bin: Buffer.from([0x41, 0xe9]),
          ratio: 0.10000000149011612,
          yr: 1900,
          doc: { a: 1 },
          d: "2024-02-29",
          zero: "0000-00-00 00:00:00",
        },
        META,
      ),
    );
    assert.deepEqual(message.data, [
      {
        id: "18446744073709551615",
        flag: "1",
        bin: "A\u00e9",
        ratio: "0.1",
        yr: "0000",
        doc: '{"a":1}',
        d: "2024-02-29",
        zero: "0000-00-00 00:00:00",
      },
    ]);
    assert.deepEqual(message.sqlType, { id: 3, flag: -7, bin: -3, ratio: 7, yr: 12, doc: -1, d: 91, zero: 93 });
    assert.deepEqual(message.mysqlType, {
      id: "bigint(20) unsigned",
      flag: "bit(1)",
      bin: "varbinary(4)",
      ratio: "float",
      yr: "year(4)",
      doc: "json",
      d: "date",
      zero: "datetime",
    });
    assert.deepEqual(message.pkNames, ["id"]);
  });

  test("sequence ids are written as a number", () => {
    const text = canalMessage(ORDERS, "INSERT", null, ROW1, { ...META, sequenceId: "9007199254740993" });
    assert.ok(text.startsWith('{"id":9007199254740993,'), text);
  });
});
