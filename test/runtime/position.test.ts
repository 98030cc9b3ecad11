import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Position, compareBinlogFiles } from "../../runtime/position";

describe("Position serialized form", () => {
  test("toJSON gives exactly the documented four fields", () => {
    const p = Position.of("binlog.000003", 4567, "0-1-42", 0);
    assert.deepEqual(p.toJSON(), { file: "binlog.000003", pos: 4567, gtid: "0-1-42", skipRows: 0 });
    assert.equal(JSON.stringify(p), '{"file":"binlog.000003","pos":4567,"gtid":"0-1-42","skipRows":0}');
  });

  test("JSON text round trip keeps every field", () => {
    const p = Position.of("mysql-bin.000123", 98765, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77", 12);
    const back = Position.parse(JSON.stringify(p));
    assert.equal(back.file, "mysql-bin.000123");
    assert.equal(back.pos, 98765);
    assert.equal(back.gtid, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77");
    assert.equal(back.skipRows, 12);
    assert.ok(back.equals(p));
    assert.equal(back.compare(p), 0);
  });

  test("fromJSON round trip of an object without gtid", () => {
    const p = Position.fromJSON({ file: "binlog.000001", pos: 4, gtid: null, skipRows: 0 });
    assert.deepEqual(p.toJSON(), { file: "binlog.000001", pos: 4, gtid: null, skipRows: 0 });
  });

  test("fromJSON defaults skipRows to 0 and a non-string gtid to null", () => {
    const p = Position.fromJSON({ file: "binlog.000002", pos: 120, gtid: 5 });
    assert.equal(p.skipRows, 0);
    assert.equal(p.gtid, null);
  });

  test("an empty gtid string becomes null", () => {
    assert.equal(Position.of("binlog.000001", 4, "").gtid, null);
    assert.equal(Position.fromJSON({ file: "binlog.000001", pos: 4, gtid: "" }).gtid, null);
  });

  test("toString shows file:pos, rows emitted and gtid", () => {
    assert.equal(Position.of("binlog.000003", 4567, "0-1-42").toString(), "binlog.000003:4567 (gtid 0-1-42)");
    assert.equal(Position.of("binlog.000003", 4567, null, 5).toString(), "binlog.000003:4567+5 rows");
    assert.equal(Position.of("binlog.000003", 4567).toString(), "binlog.000003:4567");
  });
});

describe("Position validation", () => {
  test("rejects empty file names, whitespace and slashes", () => {
    assert.throws(() => Position.of("", 4), { name: "TypeError", message: 'binlog file name "" is not a file name' });
    assert.throws(() => Position.of("bin log.000001", 4), { name: "TypeError", message: /is not a file name/ });
    assert.throws(() => Position.of("/var/lib/mysql/binlog.000001", 4), { name: "TypeError", message: /is not a file name/ });
  });

  test("rejects positions below 4 and non-integers", () => {
    assert.throws(() => Position.of("binlog.000001", 3), { name: "TypeError", message: "binlog position 3 is not a position (>= 4)" });
    assert.throws(() => Position.of("binlog.000001", 0), TypeError);
    assert.throws(() => Position.of("binlog.000001", -10), TypeError);
    assert.throws(() => Position.of("binlog.000001", 4.5), TypeError);
    assert.throws(() => Position.of("binlog.000001", Number.NaN), TypeError);
    assert.throws(() => Position.of("binlog.000001", 2 ** 53), TypeError);
    assert.equal(Position.of("binlog.000001", 4).pos, 4);
  });

  test("rejects negative or fractional skipRows", () => {
    assert.throws(() => Position.of("binlog.000001", 4, null, -1), { name: "TypeError", message: "skipRows -1 is not a count" });
    assert.throws(() => Position.of("binlog.000001", 4, null, 1.5), TypeError);
  });

  test("fromJSON rejects values that are not serialized positions", () => {
    assert.throws(() => Position.fromJSON(null), { name: "TypeError", message: "not a serialized position: null" });
    assert.throws(() => Position.fromJSON("binlog.000001:4"), TypeError);
    assert.throws(() => Position.fromJSON({ file: "binlog.000001" }), { message: 'not a serialized position: {"file":"binlog.000001"}' });
    assert.throws(() => Position.fromJSON({ file: "binlog.000001", pos: "4" }), TypeError);
    assert.throws(() => Position.fromJSON({ pos: 4 }), TypeError);
    assert.throws(() => Position.fromJSON({ file: "binlog.000001", pos: 2 }), { message: /is not a position/ });
    assert.throws(() => Position.fromJSON({ file: "binlog.000001", pos: 4, skipRows: -3 }), { message: /skipRows -3/ });
  });

  test("parse rejects text that is not JSON", () => {
    assert.throws(() => Position.parse("binlog.000001:4"), SyntaxError);
  });
});

describe("compare and compareBinlogFiles", () => {
  test("binlog.000009 sorts before binlog.000010", () => {
    assert.equal(compareBinlogFiles("binlog.000009", "binlog.000010"), -1);
    assert.equal(compareBinlogFiles("binlog.000010", "binlog.000009"), 1);
    assert.equal(compareBinlogFiles("binlog.000010", "binlog.000010"), 0);
  });

  test("files compare by sequence number, not text, when the digit counts differ", () => {
    // As text "mysql-bin.999999" > "mysql-bin.1000000"; by sequence it is smaller.
    assert.equal(compareBinlogFiles("mysql-bin.999999", "mysql-bin.1000000"), -1);
    assert.equal(compareBinlogFiles("mysql-bin.1000000", "mysql-bin.999999"), 1);
  });

  test("files without a sequence fall back to text order", () => {
    assert.equal(compareBinlogFiles("alpha", "beta"), -1);
    assert.equal(compareBinlogFiles("beta", "alpha"), 1);
    assert.equal(compareBinlogFiles("same", "same"), 0);
  });

  test("a later file wins over a larger byte position", () => {
    const a = Position.of("binlog.000009", 999_999);
    const b = Position.of("binlog.000010", 4);
    assert.equal(a.compare(b), -1);
    assert.equal(b.compare(a), 1);
  });

  test("same file: byte position, then rows emitted", () => {
    const base = Position.of("binlog.000010", 500);
    assert.equal(base.compare(Position.of("binlog.000010", 501)), -1);
    assert.equal(Position.of("binlog.000010", 501).compare(base), 1);
    assert.equal(base.compare(base.withSkipRows(3)), -1);
    assert.equal(base.withSkipRows(7).compare(base.withSkipRows(3)), 1);
    assert.equal(base.compare(Position.of("binlog.000010", 500)), 0);
  });

  test("sorting a list of positions orders them as the binlog does", () => {
    const list = [
      Position.of("binlog.000010", 4),
      Position.of("binlog.000002", 900),
      Position.of("binlog.000009", 120, null, 2),
      Position.of("binlog.000009", 120),
      Position.of("binlog.000011", 4),
    ];
    const sorted = [...list].sort((x, y) => x.compare(y)).map((p) => p.toString());
    assert.deepEqual(sorted, [
      "binlog.000002:900",
      "binlog.000009:120",
      "binlog.000009:120+2 rows",
      "binlog.000010:4",
      "binlog.000011:4",
    ]);
  });

  test("equals compares every field including gtid", () => {
    const a = Position.of("binlog.000001", 100, "0-1-5", 1);
    assert.equal(a.equals(Position.of("binlog.000001", 100, "0-1-5", 1)), true);
    assert.equal(a.equals(Position.of("binlog.000001", 100, "0-1-6", 1)), false);
    assert.equal(a.equals(Position.of("binlog.000001", 100, "0-1-5", 0)), false);
    assert.equal(a.equals(Position.of("binlog.000002", 100, "0-1-5", 1)), false);
  });
});

describe("committedAt and withSkipRows", () => {
  test("committedAt moves to the new file:pos and resets skipRows", () => {
    const start = Position.of("binlog.000003", 4567, "0-1-42", 30);
    const next = start.committedAt("binlog.000004", 256, "0-1-43");
    assert.deepEqual(next.toJSON(), { file: "binlog.000004", pos: 256, gtid: "0-1-43", skipRows: 0 });
    // immutability: the original is unchanged
    assert.deepEqual(start.toJSON(), { file: "binlog.000003", pos: 4567, gtid: "0-1-42", skipRows: 30 });
  });

  test("committedAt keeps the previous gtid when none is given", () => {
    const start = Position.of("binlog.000003", 4567, "0-1-42");
    assert.equal(start.committedAt("binlog.000003", 5000, null).gtid, "0-1-42");
  });

  test("committedAt validates its input", () => {
    assert.throws(() => Position.of("binlog.000003", 4567).committedAt("binlog.000003", 1, null), TypeError);
  });

  test("withSkipRows keeps file, pos and gtid and sets the count", () => {
    const start = Position.of("binlog.000003", 4567, "0-1-42");
    const split = start.withSkipRows(1000);
    assert.deepEqual(split.toJSON(), { file: "binlog.000003", pos: 4567, gtid: "0-1-42", skipRows: 1000 });
    assert.equal(start.skipRows, 0);
    assert.deepEqual(split.withSkipRows(0).toJSON(), start.toJSON());
    assert.throws(() => start.withSkipRows(-1), TypeError);
  });
});
