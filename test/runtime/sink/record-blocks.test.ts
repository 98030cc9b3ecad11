import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compressor } from "../../../runtime/sink/compressors";
import type { OutRecord } from "../../../runtime/sink/producer";
import { freshKafkajsModule } from "./kafkajs-originals";
import { buildBlockBatch, encodeRecords, planRequests, REQUEST_BYTES, unpackBlockBatch } from "../../../runtime/sink/record-blocks";

type RecordEncoder = (r: { key?: string | Buffer | null; value?: string | Buffer | null; offsetDelta: number; timestampDelta: number }) => { buffer: Buffer };

/** kafkajs's own record encoder (never the installed fast path). */
const kafkajsRecord = freshKafkajsModule<RecordEncoder>("kafkajs/src/protocol/recordBatch/record/v0");

function rec(topic: string, partition: number, key: string | Buffer, value: string | Buffer): OutRecord {
  return { topic, partition, key, value, bytes: Buffer.byteLength(key) + Buffer.byteLength(value) };
}

const SAMPLE = [
  rec("t", 0, '{"id":1}', JSON.stringify({ é: "ü€𝄞", n: 1 })),
  rec("t", 0, "db.table", "x".repeat(300)),
  rec("t", 0, Buffer.from("k"), Buffer.alloc(70_000, 1)),
  rec("t", 0, "", ""),
  ...Array.from({ length: 200 }, (_, i) => rec("t", 0, `{"id":${i}}`, `v${i}`.repeat(i % 50))),
];

describe("encodeRecords", () => {
  test("gives kafkajs's bytes for the same records with offsetDelta = index and timestampDelta 0", () => {
    const ours = encodeRecords(SAMPLE);
    const theirs = Buffer.concat(SAMPLE.map((r, i) => kafkajsRecord({ key: r.key, value: r.value, offsetDelta: i, timestampDelta: 0 }).buffer));
    assert.equal(ours.length, theirs.length);
    assert.ok(ours.equals(theirs));
  });

  test("a record whose bytes are wrong is refused", () => {
    assert.throws(() => encodeRecords([{ topic: "t", partition: 0, key: "k", value: "é", bytes: 2 }]), /expected/);
  });
});

describe("planRequests", () => {
  const big = (topic: string, partition: number, id: string, bytes: number): OutRecord => ({ topic, partition, key: id, value: "", bytes });
  const layout = (requests: OutRecord[][][]) => requests.map((r) => r.map((chunk) => `${chunk[0].topic}/${chunk[0].partition}:${chunk.map((c) => c.key).join(",")}`));

  test("one block per partition per request, in each partition's order", () => {
    const records = [rec("a", 0, "1", ""), rec("a", 1, "2", ""), rec("b", 0, "3", ""), rec("a", 0, "4", ""), rec("a", 1, "5", "")];
    assert.deepEqual(layout(planRequests(records)), [["a/0:1,4", "a/1:2,5", "b/0:3"]]);
  });

  test("a partition over REQUEST_BYTES continues in the next request; other partitions are not split", () => {
    const records = [big("a", 0, "1", REQUEST_BYTES - 10), big("a", 1, "2", 5), big("a", 0, "3", 11), big("a", 0, "4", 5)];
    assert.deepEqual(layout(planRequests(records)), [["a/0:1", "a/1:2"], ["a/0:3,4"]]);
  });

  test("exactly REQUEST_BYTES fits; a single larger record travels alone", () => {
    assert.deepEqual(layout(planRequests([big("a", 0, "1", REQUEST_BYTES - 1), big("a", 0, "2", 1)])), [["a/0:1,2"]]);
    assert.deepEqual(layout(planRequests([big("a", 0, "1", 5), big("a", 0, "2", REQUEST_BYTES * 3), big("a", 0, "3", 5)])), [["a/0:1"], ["a/0:2"], ["a/0:3"]]);
  });

  test("no records, no requests", () => {
    assert.deepEqual(planRequests([]), []);
  });
});

describe("block batches", () => {
  for (const compression of ["none", "lz4", "gzip", "snappy", "zstd"] as const) {
    test(`${compression}: blocks carry each partition's records, compressed, through one buffer`, async () => {
      const records = [rec("a", 0, '{"id":1}', "one"), rec("b", 3, '{"id":2}', "twö"), rec("a", 0, '{"id":3}', "three")];
      const batch = await buildBlockBatch(records, compression, 1_700_000_000_123);
      assert.equal(batch.requests.length, 1);
      const blocks = unpackBlockBatch(batch)[0];
      assert.deepEqual(
        blocks.map(({ topic, partition, count, timestamp, codec, bytes }) => ({ topic, partition, count, timestamp, codec, bytes })),
        [
          { topic: "a", partition: 0, count: 2, timestamp: 1_700_000_000_123, codec: { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[compression], bytes: 8 + 3 + 8 + 5 },
          { topic: "b", partition: 3, count: 1, timestamp: 1_700_000_000_123, codec: { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[compression], bytes: 8 + 4 },
        ],
      );
      const plain = await compressor(compression).decompress(blocks[0].records);
      assert.ok(plain.equals(encodeRecords([records[0], records[2]])));
      assert.ok((await compressor(compression).decompress(blocks[1].records)).equals(encodeRecords([records[1]])));
    });
  }
});
