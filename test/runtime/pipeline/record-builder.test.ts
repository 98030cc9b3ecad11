import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RecordBuilder } from "../../../runtime/pipeline/record-builder";
import { Position } from "../../../runtime/position";
import { hashPartition } from "../../../runtime/sink/partitioner";
import { ordersShape } from "../format/shapes";

const config = { name: "orders-cdc", format: "dataworks" as const, topicPrefix: "shop", partitionPolicy: "primary-key-hash" as const, maxRecordBytes: 2048, deadLetterTopic: "shop_dead_letter" };
const context = (sequenceId: string) => ({ sequenceId, eventTime: 1_700_000_000_000, checkpointTime: 1_700_000_000_000, gtid: "0-1-9", position: () => Position.of("binlog.000007", 4242, "0-1-8", 3) });
const row = (item: string) => ({ id: 7, item, qty: 1, price: "1.50", created: "2026-11-21 10:00:00.000000" });

describe("RecordBuilder", () => {
  const builder = new RecordBuilder(config, new Map([["shop_orders", 6], ["shop_dead_letter", 1]]));

  test("a row becomes a record for its table's topic, keyed and partitioned by its primary key, with its exact size", () => {
    const record = builder.build(ordersShape(0), "INSERT", null, row("apple"), context("41"));
    assert.equal(record.topic, "shop_orders");
    assert.equal(record.key, '{"id":7}');
    assert.equal(record.partition, hashPartition('{"id":7}', 6));
    assert.equal(record.bytes, Buffer.byteLength(record.key) + Buffer.byteLength(record.value as string));
    assert.equal(record.deadLetter, undefined);
    assert.equal(JSON.parse(record.value as string).payload.sequenceId, "41");
  });

  test("a record over maxRecordBytes becomes a dead letter: key, table, position and size, not the body", () => {
    const record = builder.build(ordersShape(0), "UPDATE", row("small"), row("é".repeat(3000)), context("42"));
    assert.equal(record.topic, "shop_dead_letter");
    assert.equal(record.partition, 0);
    assert.equal(record.deadLetter, true);
    assert.equal(record.key, '{"id":7}');
    const letter = JSON.parse(record.value as string);
    assert.deepEqual(
      { ...letter, bytes: typeof letter.bytes },
      {
        connector: "orders-cdc",
        reason: "RECORD_TOO_LARGE",
        database: "shop",
        table: "orders",
        topic: "shop_orders",
        op: "UPDATE",
        key: '{"id":7}',
        position: { file: "binlog.000007", pos: 4242, gtid: "0-1-8", skipRows: 3 },
        gtid: "0-1-9",
        sequenceId: "42",
        eventTime: 1_700_000_000_000,
        bytes: "number",
        maxRecordBytes: 2048,
      },
    );
    assert.ok(letter.bytes > 6000, `size ${letter.bytes}`);
    assert.ok(!(record.value as string).includes("éé"), "the body is not in the dead letter");
    assert.equal(record.bytes, Buffer.byteLength(record.key) + Buffer.byteLength(record.value as string));
  });

  test("a table whose topic is missing is TOPIC_MISSING", () => {
    const other = new RecordBuilder(config, new Map());
    assert.throws(() => other.build(ordersShape(0), "INSERT", null, row("a"), context("1")), (e: Error & { code?: string }) => e.code === "TOPIC_MISSING");
  });
});
