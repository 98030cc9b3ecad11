import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { T, type RawColumn } from "../../../runtime/format/columns";
import { buildTableShape, messageKey } from "../../../runtime/format/table";
import { raw } from "./shapes";


const ORDERS: RawColumn[] = [
  raw("id", T.LONG, "int(11)"),
  raw("item", T.VARCHAR, "varchar(40)", { charset: "utf8mb4" }),
  raw("region", T.VARCHAR, "varchar(8)", { charset: "utf8mb4" }),
  raw("created", T.DATETIME2, "datetime(6)"),
];

describe("buildTableShape", () => {
  test("the DataWorks schema object, columns and canal constants", () => {
    const shape = buildTableShape("shop", "orders", ORDERS, [0], 0);
    assert.equal(shape.database, "shop");
    assert.equal(shape.table, "orders");
    assert.equal(shape.qualifiedName, "shop.orders");
    assert.deepEqual(shape.primaryKey, ["id"]);
    assert.deepEqual(shape.keyColumns, [0]);
    assert.deepEqual(
      shape.columns.map((c) => c.name),
      ["id", "item", "region", "created"],
    );
    assert.equal(
      shape.dataWorksSchema,
      '{"dataColumn":[{"name":"id","type":"LONG"},{"name":"item","type":"STRING"},{"name":"region","type":"STRING"},{"name":"created","type":"DATE"}],' +
        '"primaryKey":["id"],"source":{"dbType":"MySQL","dbName":"shop","tableName":"orders"}}',
    );
    assert.deepEqual(shape.canal, {
      database: '"shop"',
      table: '"orders"',
      pkNames: '["id"]',
      sqlType: '{"id":4,"item":12,"region":12,"created":93}',
      mysqlType: '{"id":"int(11)","item":"varchar(40)","region":"varchar(8)","created":"datetime(6)"}',
    });
  });

  test("composite key: primaryKey in key order, keyColumns in column order", () => {
    const shape = buildTableShape("shop", "orders", ORDERS, [2, 0], 0);
    assert.deepEqual(shape.primaryKey, ["region", "id"]);
    assert.deepEqual(shape.keyColumns, [0, 2]);
    assert.equal(JSON.parse(shape.dataWorksSchema).primaryKey.join(","), "region,id");
    assert.equal(shape.canal.pkNames, '["region","id"]');
  });

  test("a table without a primary key", () => {
    const shape = buildTableShape("shop", "notes", [raw("body", T.BLOB, "text", { charset: "utf8mb4" })], [], 0);
    assert.deepEqual(shape.primaryKey, []);
    assert.deepEqual(shape.keyColumns, []);
    assert.equal(shape.canal.pkNames, "[]");
    assert.equal(
      shape.dataWorksSchema,
      '{"dataColumn":[{"name":"body","type":"STRING"}],"primaryKey":[],"source":{"dbType":"MySQL","dbName":"shop","tableName":"notes"}}',
    );
  });

  test("names that need JSON escaping are escaped", () => {
    const shape = buildTableShape('we"ird', "t\\1", [raw('c"1', T.LONG, "int")], [0], 0);
    assert.deepEqual(JSON.parse(shape.dataWorksSchema).source, { dbType: "MySQL", dbName: 'we"ird', tableName: "t\\1" });
    assert.equal(JSON.parse(shape.canal.database), 'we"ird');
    assert.deepEqual(JSON.parse(shape.canal.sqlType), { 'c"1': 4 });
  });

  test("the offset is applied to the DATETIME columns", () => {
    const shape = buildTableShape("shop", "orders", ORDERS, [0], 480);
    assert.equal(shape.columns[3].json("2024-01-01 08:00:00"), String(Date.UTC(2024, 0, 1, 0)));
  });
});

describe("messageKey", () => {
  test("a single key: {\"id\":7}", () => {
    const shape = buildTableShape("shop", "orders", ORDERS, [0], 0);
    assert.equal(messageKey(shape, { id: 7, item: "apple", region: "eu", created: "2024-01-01 00:00:00" }), '{"id":7}');
  });

  test("a composite key lists its columns in column order, typed", () => {
    const shape = buildTableShape("shop", "orders", ORDERS, [2, 0], 0);
    assert.equal(messageKey(shape, { id: 7, item: "apple", region: "eu", created: null }), '{"id":7,"region":"eu"}');
  });

  test("key values use the column's JSON encoder (BIGINT UNSIGNED, DATETIME, bytes)", () => {
    const columns = [
      raw("ts", T.DATETIME2, "datetime(6)"),
      raw("big", T.LONGLONG, "bigint(20) unsigned", { unsigned: true }),
      raw("bin", T.STRING, "binary(2)"),
    ];
    const shape = buildTableShape("shop", "k", columns, [1, 0, 2], 0);
    assert.equal(
      messageKey(shape, { ts: "1970-01-01 00:00:01.000000", big: "18446744073709551615", bin: Buffer.from([0xff, 0xfe]) }),
      '{"ts":1000,"big":18446744073709551615,"bin":"//4="}',
    );
  });

  test("a null or missing key part is null", () => {
    const shape = buildTableShape("shop", "orders", ORDERS, [2, 0], 0);
    assert.equal(messageKey(shape, { id: 1, region: null }), '{"id":1,"region":null}');
    assert.equal(messageKey(shape, {}), '{"id":null,"region":null}');
  });

  test("without a primary key the key is <db>.<table>", () => {
    const shape = buildTableShape("shop", "notes", [raw("body", T.BLOB, "text", { charset: "utf8mb4" })], [], 0);
    assert.equal(messageKey(shape, { body: "anything" }), "shop.notes");
  });
});
