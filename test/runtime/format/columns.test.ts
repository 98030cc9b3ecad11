import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { T, columnSpec, type ColumnSpec, type RawColumn } from "../../../runtime/format/columns";
import { raw } from "./shapes";


function spec(typeCode: number, columnType: string, options: Partial<RawColumn> = {}, offset = 0): ColumnSpec {
  return columnSpec(raw("c", typeCode, columnType, options), offset);
}

const UTF8 = { charset: "utf8mb4" };

describe("columnSpec: integers", () => {
  test("TINYINT, SMALLINT, MEDIUMINT, INT", () => {
    const cases: [number, string, number][] = [
      [T.TINY, "tinyint(4)", -6],
      [T.SHORT, "smallint(6)", 5],
      [T.INT24, "mediumint(9)", 4],
      [T.LONG, "int(11)", 4],
    ];
    for (const [code, type, sqlType] of cases) {
      const s = spec(code, type);
      assert.equal(s.name, "c");
      assert.equal(s.dataWorksType, "LONG", type);
      assert.equal(s.sqlType, sqlType, type);
      assert.equal(s.mysqlType, type);
      assert.equal(s.json(-5), "-5");
      assert.equal(s.text(-5), "-5");
      assert.equal(s.exact, undefined);
    }
  });

  test("BIGINT keeps every digit", () => {
    const s = spec(T.LONGLONG, "bigint(20)");
    assert.equal(s.dataWorksType, "LONG");
    assert.equal(s.sqlType, -5);
    assert.equal(s.json("-9223372036854775808"), "-9223372036854775808");
    assert.equal(s.json(123), "123");
    assert.equal(s.text("9223372036854775807"), "9223372036854775807");
  });

  test("BIGINT UNSIGNED is DECIMAL for canal and keeps its 20 digits", () => {
    const s = spec(T.LONGLONG, "bigint(20) unsigned", { unsigned: true });
    assert.equal(s.dataWorksType, "LONG");
    assert.equal(s.sqlType, 3);
    assert.equal(s.mysqlType, "bigint(20) unsigned");
    assert.equal(s.json("18446744073709551615"), "18446744073709551615");
    assert.equal(s.text("18446744073709551615"), "18446744073709551615");
    assert.equal(s.json(42), "42");
  });
});

describe("columnSpec: floating point and decimal", () => {
  test("FLOAT is written as MySQL shows it", () => {
    const s = spec(T.FLOAT, "float");
    assert.equal(s.dataWorksType, "DOUBLE");
    assert.equal(s.sqlType, 7);
    assert.equal(s.json(0.10000000149011612), "0.1");
    assert.equal(s.text(0.10000000149011612), "0.1");
    assert.equal(s.json(Number.NaN), "null");
  });

  test("DOUBLE", () => {
    const s = spec(T.DOUBLE, "double");
    assert.equal(s.dataWorksType, "DOUBLE");
    assert.equal(s.sqlType, 8);
    assert.equal(s.json(0.1), "0.1");
    assert.equal(s.text(1e21), "1e+21");
  });

  test("DECIMAL(65,30) is a string with every digit", () => {
    const digits = "12345678901234567890123456789012345.123456789012345678901234567890";
    for (const code of [T.NEWDECIMAL, T.DECIMAL]) {
      const s = spec(code, "decimal(65,30)");
      assert.equal(s.dataWorksType, "STRING");
      assert.equal(s.sqlType, 3);
      assert.equal(s.json(digits), `"${digits}"`);
      assert.equal(s.text(digits), digits);
    }
  });
});

describe("columnSpec: YEAR", () => {
  test("YEAR 0000 (1900 from zongji) is 0, padded for canal", () => {
    const s = spec(T.YEAR, "year(4)");
    assert.equal(s.dataWorksType, "LONG");
    assert.equal(s.sqlType, 12);
    assert.equal(s.json(1900), "0");
    assert.equal(s.text(1900), "0000");
    assert.equal(s.json(2024), "2024");
    assert.equal(s.text(2024), "2024");
  });
});

describe("columnSpec: dates and times", () => {
  test("DATE at the source offset", () => {
    const s = spec(T.DATE, "date", {}, 480);
    assert.equal(s.dataWorksType, "DATE");
    assert.equal(s.sqlType, 91);
    assert.equal(s.json("2024-01-02"), String(Date.UTC(2024, 0, 1, 16)));
    assert.equal(s.text("2024-01-02"), "2024-01-02");
    assert.equal(s.exact?.("2024-01-02"), undefined);
  });

  test("a zero DATE is null with its exact text", () => {
    const s = spec(T.NEWDATE, "date");
    assert.equal(s.json("0000-00-00"), "null");
    assert.equal(s.exact?.("0000-00-00"), "0000-00-00");
    assert.equal(s.text("0000-00-00"), "0000-00-00");
  });

  test("DATETIME(6) with microseconds: ms value plus exact text", () => {
    const s = spec(T.DATETIME2, "datetime(6)");
    assert.equal(s.dataWorksType, "DATE");
    assert.equal(s.sqlType, 93);
    assert.equal(s.json("2024-01-02 03:04:05.123456"), String(Date.UTC(2024, 0, 2, 3, 4, 5, 123)));
    assert.equal(s.exact?.("2024-01-02 03:04:05.123456"), "2024-01-02 03:04:05.123456");
    assert.equal(s.exact?.("2024-01-02 03:04:05.123000"), undefined);
    assert.equal(s.text("2024-01-02 03:04:05.123456"), "2024-01-02 03:04:05.123456");
  });

  test("DATETIME is read at the source offset, TIMESTAMP is always UTC", () => {
    const datetime = spec(T.DATETIME2, "datetime", {}, 480);
    const timestamp = spec(T.TIMESTAMP2, "timestamp", {}, 480);
    assert.equal(datetime.json("2024-01-01 08:00:00"), String(Date.UTC(2024, 0, 1, 0)));
    assert.equal(timestamp.json("2024-01-01 08:00:00"), String(Date.UTC(2024, 0, 1, 8)));
    assert.equal(spec(T.TIMESTAMP, "timestamp", {}, -60).json("1970-01-01 00:00:01"), "1000");
    assert.equal(spec(T.DATETIME, "datetime", {}, -60).json("1970-01-01 00:00:00"), "3600000");
  });

  test("a zero DATETIME is null with its exact text", () => {
    const s = spec(T.DATETIME2, "datetime");
    assert.equal(s.json("0000-00-00 00:00:00"), "null");
    assert.equal(s.exact?.("0000-00-00 00:00:00"), "0000-00-00 00:00:00");
  });

  test("TIME is a string", () => {
    for (const code of [T.TIME, T.TIME2]) {
      const s = spec(code, "time(3)");
      assert.equal(s.dataWorksType, "STRING");
      assert.equal(s.sqlType, 92);
      assert.equal(s.json("-838:59:59.000"), '"-838:59:59.000"');
      assert.equal(s.text("12:00:00.500"), "12:00:00.500");
    }
  });
});

describe("columnSpec: BIT", () => {
  test("BIT(1) is BOOLEAN", () => {
    const s = spec(T.BIT, "bit(1)", { metadata: { bits: 1 } });
    assert.equal(s.dataWorksType, "BOOLEAN");
    assert.equal(s.sqlType, -7);
    assert.equal(s.json(Buffer.from([1])), "true");
    assert.equal(s.json(Buffer.from([0])), "false");
    assert.equal(s.text(Buffer.from([1])), "1");
    assert.equal(s.text(Buffer.from([0])), "0");
  });

  test("BIT without metadata is taken as BIT(1)", () => {
    assert.equal(spec(T.BIT, "bit(1)").dataWorksType, "BOOLEAN");
  });

  test("BIT(n>1) is its unsigned value", () => {
    const s = spec(T.BIT, "bit(12)", { metadata: { bits: 12 } });
    assert.equal(s.dataWorksType, "LONG");
    assert.equal(s.sqlType, -7);
    assert.equal(s.json(Buffer.from([0x0f, 0xff])), "4095");
    assert.equal(s.text(Buffer.from([0x0f, 0xff])), "4095");
    const b64 = spec(T.BIT, "bit(64)", { metadata: { bits: 64 } });
    assert.equal(b64.json(Buffer.alloc(8, 0xff)), "18446744073709551615");
  });
});

describe("columnSpec: strings and bytes", () => {
  test("VARCHAR with a charset is STRING, JSON-escaped", () => {
    const s = spec(T.VARCHAR, "varchar(40)", UTF8);
    assert.equal(s.dataWorksType, "STRING");
    assert.equal(s.sqlType, 12);
    assert.equal(s.json('héllo "q"\n'), '"héllo \\"q\\"\\n"');
    assert.equal(s.text('héllo "q"'), 'héllo "q"');
    assert.equal(s.json(Buffer.from("é", "utf8")), '"é"');
  });

  test("CHAR and TEXT", () => {
    assert.equal(spec(T.STRING, "char(3)", UTF8).sqlType, 1);
    assert.equal(spec(T.STRING, "char(3)", UTF8).dataWorksType, "STRING");
    assert.equal(spec(T.VAR_STRING, "varchar(3)", UTF8).sqlType, 12);
    assert.equal(spec(T.BLOB, "text", UTF8).sqlType, -1);
    assert.equal(spec(T.BLOB, "text", UTF8).dataWorksType, "STRING");
    assert.equal(spec(T.BLOB_COMPRESSED, "text compressed", UTF8).sqlType, -1);
  });

  test("binary strings are BYTES in base64 and latin1 text for canal", () => {
    const bytes = Buffer.from([0x00, 0x01, 0x02, 0xff]);
    const varbinary = spec(T.VARCHAR, "varbinary(10)");
    assert.equal(varbinary.dataWorksType, "BYTES");
    assert.equal(varbinary.sqlType, -3);
    assert.equal(varbinary.json(bytes), '"AAEC/w=="');
    assert.equal(varbinary.text(bytes), "\u0000\u0001\u0002\u00ff");
    assert.equal(spec(T.STRING, "binary(4)").sqlType, -2);
    assert.equal(spec(T.STRING, "binary(4)").dataWorksType, "BYTES");
    for (const code of [T.TINY_BLOB, T.MEDIUM_BLOB, T.LONG_BLOB, T.BLOB, T.BLOB_COMPRESSED]) {
      const blob = spec(code, "blob");
      assert.equal(blob.dataWorksType, "BYTES");
      assert.equal(blob.sqlType, -4);
      assert.equal(blob.json(Buffer.from("hi")), '"aGk="');
    }
  });

  test("ENUM and SET are strings", () => {
    for (const code of [T.ENUM, T.SET]) {
      const s = spec(code, "enum('a','b,c')", UTF8);
      assert.equal(s.dataWorksType, "STRING");
      assert.equal(s.sqlType, 12);
      assert.equal(s.json("b,c"), '"b,c"');
    }
  });

  test("JSON is the JSON text as a string (MySQL object or MariaDB text)", () => {
    const s = spec(T.JSON, "json");
    assert.equal(s.dataWorksType, "STRING");
    assert.equal(s.sqlType, -1);
    assert.equal(s.json({ a: 1, b: [true, null] }), '"{\\"a\\":1,\\"b\\":[true,null]}"');
    assert.equal(s.text({ a: 1, b: [true, null] }), '{"a":1,"b":[true,null]}');
    assert.equal(s.json('{"a": 1}'), '"{\\"a\\": 1}"');
    assert.equal(s.text('{"a": 1}'), '{"a": 1}');
  });

  test("GEOMETRY is its decoded coordinates as JSON text", () => {
    const s = spec(T.GEOMETRY, "point");
    assert.equal(s.dataWorksType, "STRING");
    assert.equal(s.sqlType, -2);
    assert.equal(s.json({ x: 1.5, y: -2 }), '"{\\"x\\":1.5,\\"y\\":-2}"');
    assert.equal(s.text({ x: 1.5, y: -2 }), '{"x":1.5,"y":-2}');
  });

  test("unknown types are strings; buffers as base64", () => {
    const s = spec(200, "inet6");
    assert.equal(s.dataWorksType, "STRING");
    assert.equal(s.sqlType, 12);
    assert.equal(s.json(Buffer.from([1, 2, 3])), '"AQID"');
    assert.equal(s.json("::1"), '"::1"');
    assert.equal(s.text("::1"), "::1");
  });
});
