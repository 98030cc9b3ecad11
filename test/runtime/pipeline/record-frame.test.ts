import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { packRecords, unpackRecords } from "../../../runtime/pipeline/record-frame";
import type { OutRecord } from "../../../runtime/sink/producer";

function rec(topic: string, partition: number, key: string | Buffer, value: string | Buffer): OutRecord {
  return { topic, partition, key, value, bytes: Buffer.byteLength(key) + Buffer.byteLength(value) };
}

describe("record frames", () => {
  test("records come back with their topics, partitions, keys and values, in order", () => {
    const records = [
      rec("p_orders", 5, '{"id":1}', '{"é":"€𝄞"}'),
      rec("p_items", 0, "db.items", ""),
      rec("p_orders", 70_000, Buffer.from([0, 1, 2]), Buffer.alloc(70_000, 7)),
      rec("p_orders", 2, "", "x"),
    ];
    const frame = packRecords(records);
    assert.deepEqual(frame.topics, ["p_orders", "p_items"]);
    assert.equal(frame.count, 4);
    assert.equal(frame.bytes, records.reduce((s, r) => s + r.bytes, 0));
    assert.equal(frame.buffer.byteLength, frame.bytes + 4 * 14);
    const back = unpackRecords(frame);
    assert.deepEqual(
      back.map((r) => [r.topic, r.partition, Buffer.from(r.key).toString("hex"), Buffer.from(r.value).toString("hex"), r.bytes]),
      records.map((r) => [r.topic, r.partition, Buffer.from(r.key).toString("hex"), Buffer.from(r.value).toString("hex"), r.bytes]),
    );
  });

  test("an empty batch is an empty frame", () => {
    const frame = packRecords([]);
    assert.equal(frame.count, 0);
    assert.deepEqual(unpackRecords(frame), []);
  });

  test("a record whose bytes do not match its key and value is refused (a bug upstream, not a silent corruption)", () => {
    assert.throws(() => packRecords([{ topic: "t", partition: 0, key: "k", value: "é", bytes: 2 }]), /a record's bytes \(2\) differ from its key and value lengths/);
  });

  test("a truncated frame is reported, not misread", () => {
    const frame = packRecords([rec("t", 0, "key", "value")]);
    assert.throws(() => unpackRecords({ ...frame, buffer: frame.buffer.slice(0, 20) }), /corrupt at record 0/);
    assert.throws(() => unpackRecords({ ...frame, count: 0 }), /bytes after its 0 records/);
  });
});
