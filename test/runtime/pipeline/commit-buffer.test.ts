import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CommitBuffer } from "../../../runtime/pipeline/commit-buffer";
import { Position } from "../../../runtime/position";
import type { OutRecord } from "../../../runtime/sink/producer";

const NO_SPLIT = { splitRows: 1_000_000, splitBytes: 1_000_000_000 };

function rec(id: string | bigint, bytes = 10): OutRecord {
  return { topic: "mysql_orders", partition: 0, key: `{"id":${id}}`, value: `v${id}`, bytes };
}

/** Numbers a row and pushes its record (as the pipeline does); returns the sequence or undefined if skipped. */
function row(buffer: CommitBuffer, eventTime: number, bytes = 10): bigint | undefined {
  const seq = buffer.nextRow();
  if (seq !== undefined) buffer.push(rec(seq, bytes), eventTime);
  return seq;
}

describe("CommitBuffer sequence numbers", () => {
  test("continue strictly from the stored sequence", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000001", 4), 41n, 0, NO_SPLIT);
    const seqs = [buffer.nextRow(), buffer.nextRow(), buffer.nextRow()];
    buffer.commit("binlog.000001", 300, null, 1);
    seqs.push(buffer.nextRow(), buffer.nextRow());
    assert.deepEqual(seqs, [42n, 43n, 44n, 45n, 46n]);
  });
});

describe("CommitBuffer commit checkpoints", () => {
  test("records wait for a checkpoint; take() returns them with the committed position", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000001", 4, "0-1-1"), 0n, 500, NO_SPLIT);
    assert.equal(buffer.hasCheckpoint, false);
    assert.equal(buffer.take(), undefined);
    assert.equal(buffer.checkpointTimeFor(-1), 500);

    row(buffer, 1000, 30);
    row(buffer, 1000, 20);
    assert.equal(buffer.hasCheckpoint, false);
    assert.equal(buffer.pendingRecords, 2);
    assert.equal(buffer.bytes, 50);
    assert.equal(buffer.flushableRecords, 0);
    assert.equal(buffer.take(), undefined);

    buffer.commit("binlog.000001", 700, "0-1-2", 1100);
    assert.equal(buffer.hasCheckpoint, true);
    assert.equal(buffer.flushableRecords, 2);
    assert.equal(buffer.flushableBytes, 50);
    assert.equal(buffer.checkpointTimeFor(-1), 1100);

    const flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.records.map((r) => r.key), ['{"id":1}', '{"id":2}']);
    assert.deepEqual(flush.checkpoint.position.toJSON(), { file: "binlog.000001", pos: 700, gtid: "0-1-2", skipRows: 0 });
    assert.equal(flush.checkpoint.sequence, 2n);
    assert.equal(flush.checkpoint.eventTime, 1100);
    assert.equal(flush.checkpoint.count, 2);
    assert.equal(flush.checkpoint.bytes, 50);

    assert.equal(buffer.hasCheckpoint, false);
    assert.equal(buffer.pendingRecords, 0);
    assert.equal(buffer.bytes, 0);
    assert.equal(buffer.take(), undefined);
  });

  test("take() leaves the records after the latest checkpoint", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000001", 4), 0n, 0, NO_SPLIT);
    row(buffer, 1, 10);
    buffer.commit("binlog.000001", 200, null, 1);
    row(buffer, 2, 10);
    row(buffer, 2, 10);
    buffer.commit("binlog.000001", 400, null, 2);
    row(buffer, 3, 7); // a transaction still open
    assert.equal(buffer.pendingRecords, 4);
    assert.equal(buffer.bytes, 37);
    assert.equal(buffer.flushableRecords, 3);
    assert.equal(buffer.flushableBytes, 30);

    const flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.records.map((r) => r.key), ['{"id":1}', '{"id":2}', '{"id":3}']);
    assert.equal(flush.checkpoint.position.toString(), "binlog.000001:400");
    assert.equal(flush.checkpoint.sequence, 3n);
    assert.equal(buffer.pendingRecords, 1);
    assert.equal(buffer.bytes, 7);
    assert.equal(buffer.hasCheckpoint, false);

    buffer.commit("binlog.000002", 4, null, 4);
    const next = buffer.take();
    assert.ok(next);
    assert.deepEqual(next.records.map((r) => r.key), ['{"id":4}']);
    assert.equal(next.checkpoint.count, 1);
    assert.equal(next.checkpoint.bytes, 7);
    assert.equal(next.checkpoint.sequence, 4n);
    assert.equal(next.checkpoint.position.toString(), "binlog.000002:4");
    assert.equal(buffer.bytes, 0);
  });

  test("a commit without rows is a checkpoint with no records", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000001", 4), 9n, 0, NO_SPLIT);
    buffer.commit("binlog.000001", 120, null, 50);
    assert.equal(buffer.hasCheckpoint, true);
    assert.equal(buffer.flushableRecords, 0);
    const flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.records, []);
    assert.equal(flush.checkpoint.sequence, 9n);
    assert.equal(flush.checkpoint.position.toString(), "binlog.000001:120");
  });

  test("a commit without a gtid keeps the previous gtid", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000001", 4, "0-1-7"), 0n, 0, NO_SPLIT);
    buffer.commit("binlog.000001", 120, null, 1);
    assert.equal(buffer.take()?.checkpoint.position.gtid, "0-1-7");
  });
});

describe("CommitBuffer resume with skipRows", () => {
  test("skips the first N rows of the first transaction only", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000002", 1000, null, 3), 10n, 0, NO_SPLIT);
    const first = [row(buffer, 1), row(buffer, 1), row(buffer, 1), row(buffer, 1), row(buffer, 1)];
    assert.deepEqual(first, [undefined, undefined, undefined, 11n, 12n]);
    buffer.commit("binlog.000002", 2000, null, 2);
    const second = [row(buffer, 3), row(buffer, 3), row(buffer, 3), row(buffer, 3)];
    assert.deepEqual(second, [13n, 14n, 15n, 16n]);
    buffer.commit("binlog.000002", 3000, null, 4);
    const flush = buffer.take();
    assert.ok(flush);
    assert.equal(flush.records.length, 6);
    assert.equal(flush.checkpoint.sequence, 16n);
    assert.deepEqual(flush.checkpoint.position.toJSON(), { file: "binlog.000002", pos: 3000, gtid: null, skipRows: 0 });
  });

  test("a split checkpoint inside the resumed transaction counts the skipped rows", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000002", 1000, "0-1-5", 3), 10n, 0, { splitRows: 2, splitBytes: 1e9 });
    for (let i = 0; i < 5; i++) row(buffer, 1);
    // rows 4 and 5 were emitted (ids 11, 12): 5 rows of the transaction are now done.
    const flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.checkpoint.position.toJSON(), { file: "binlog.000002", pos: 1000, gtid: "0-1-5", skipRows: 5 });
    assert.equal(flush.checkpoint.sequence, 12n);
    assert.deepEqual(flush.records.map((r) => r.key), ['{"id":11}', '{"id":12}']);
  });
});

describe("CommitBuffer checkpointTime at a first start", () => {
  test("unknown (NaN) until the first source transaction, whose time it takes until the next checkpoint", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000001", 4), 0n, NaN, NO_SPLIT);
    assert.equal(buffer.checkpointTimeFor(5000), 5000);
    assert.equal(buffer.checkpointTimeFor(6000), 5000);
    row(buffer, 5000);
    buffer.commit("binlog.000001", 900, null, 5100);
    assert.equal(buffer.checkpointTimeFor(7000), 5100);
    assert.equal(buffer.take()?.checkpoint.eventTime, 5100);
  });
});

describe("CommitBuffer split checkpoints", () => {
  test("every splitRows rows: position = transaction start + rows emitted", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000003", 4), 0n, 0, { splitRows: 2, splitBytes: 1e9 });
    row(buffer, 10);
    assert.equal(buffer.hasCheckpoint, false);
    row(buffer, 11);
    assert.equal(buffer.hasCheckpoint, true);
    assert.equal(buffer.checkpointTimeFor(-1), 11);
    let flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.checkpoint.position.toJSON(), { file: "binlog.000003", pos: 4, gtid: null, skipRows: 2 });
    assert.equal(flush.checkpoint.sequence, 2n);
    assert.equal(flush.checkpoint.eventTime, 11);

    row(buffer, 12);
    row(buffer, 13);
    row(buffer, 14);
    // the latest split (after row 4) wins; row 5 waits
    flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.checkpoint.position.toJSON(), { file: "binlog.000003", pos: 4, gtid: null, skipRows: 4 });
    assert.deepEqual(flush.records.map((r) => r.key), ['{"id":3}', '{"id":4}']);
    assert.equal(buffer.pendingRecords, 1);

    buffer.commit("binlog.000003", 9000, "0-1-9", 15);
    flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.checkpoint.position.toJSON(), { file: "binlog.000003", pos: 9000, gtid: "0-1-9", skipRows: 0 });
    assert.deepEqual(flush.records.map((r) => r.key), ['{"id":5}']);
    assert.equal(flush.checkpoint.sequence, 5n);
  });

  test("the commit resets the row counters for the next transaction's splits", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000003", 4), 0n, 0, { splitRows: 3, splitBytes: 1e9 });
    row(buffer, 1);
    row(buffer, 1);
    buffer.commit("binlog.000003", 500, null, 2);
    buffer.take();
    row(buffer, 3);
    row(buffer, 3);
    assert.equal(buffer.hasCheckpoint, false, "two rows after the commit are not a split yet");
    row(buffer, 3);
    const flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.checkpoint.position.toJSON(), { file: "binlog.000003", pos: 500, gtid: null, skipRows: 3 });
  });

  test("splitBytes also places a split checkpoint", () => {
    const buffer = new CommitBuffer(Position.of("binlog.000004", 4), 0n, 0, { splitRows: 1000, splitBytes: 100 });
    row(buffer, 1, 60);
    assert.equal(buffer.hasCheckpoint, false);
    row(buffer, 1, 50);
    assert.equal(buffer.hasCheckpoint, true);
    assert.equal(buffer.flushableBytes, 110);
    const flush = buffer.take();
    assert.ok(flush);
    assert.deepEqual(flush.checkpoint.position.toJSON(), { file: "binlog.000004", pos: 4, gtid: null, skipRows: 2 });
    assert.equal(flush.checkpoint.bytes, 110);
    row(buffer, 1, 60);
    assert.equal(buffer.hasCheckpoint, false, "the byte counter restarted at the split");
  });
});
