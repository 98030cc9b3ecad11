import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { fastRecordEncoder, groupMessagesPerPartition } from "../../../runtime/sink/kafkajs-fast-path";
import { freshKafkajsModule } from "./kafkajs-originals";

// The originals, straight from kafkajs's files (this test's process may have loaded either).
const originalRecord = freshKafkajsModule<Parameters<typeof fastRecordEncoder>[0]>("kafkajs/src/protocol/recordBatch/record/v0");
const originalGrouping = freshKafkajsModule<typeof groupMessagesPerPartition>("kafkajs/src/producer/groupMessagesPerPartition");

function randomText(length: number, seed: number): string {
  const alphabet = ["a", "Z", "0", "\"", "\\", "é", "€", "𝄞", "\n", " "];
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[(seed * 31 + i * 7) % alphabet.length];
  return s;
}

describe("fast record encoder", () => {
  const fast = fastRecordEncoder(originalRecord);

  test("gives kafkajs's bytes for keys, values, null and empty fields and deltas of every varint size", () => {
    let compared = 0;
    for (const length of [0, 1, 63, 64, 127, 128, 8191, 8192, 16384, 70_000]) {
      for (const offsetDelta of [0, 1, 63, 64, 8191, 8192, 1_000_000]) {
        for (const timestampDelta of [0, -1, 64, -65, 5_000_000]) {
          const record = { key: length % 2 ? Buffer.from(randomText(5, length)) : `{"id":${length}}`, value: randomText(length, offsetDelta), offsetDelta, timestampDelta };
          assert.ok(fast(record).buffer.equals(originalRecord(record).buffer), JSON.stringify({ length, offsetDelta, timestampDelta }));
          compared++;
        }
      }
    }
    for (const record of [{ key: null, value: "v" }, { key: "k", value: null }, { key: "", value: "" }, { value: Buffer.alloc(0) }]) {
      assert.ok(fast(record).buffer.equals(originalRecord(record).buffer), JSON.stringify(record));
      compared++;
    }
    assert.equal(compared, 354);
  });

  test("records with headers or 64-bit deltas go to kafkajs's own encoder", () => {
    let calls = 0;
    const counting = fastRecordEncoder((r) => {
      calls++;
      return originalRecord(r);
    });
    counting({ key: "k", value: "v", headers: { trace: "1" } });
    counting({ key: "k", value: "v", timestampDelta: 2 ** 40 });
    counting({ key: "k", value: "v" });
    assert.equal(calls, 2);
  });
});

describe("linear grouping per partition", () => {
  test("the same partitions, messages and order as kafkajs's, and the partitioner called once per message", () => {
    const messages = Array.from({ length: 5000 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: (i * 7919) % 6 }));
    const partitionMetadata = Array.from({ length: 6 }, (_, p) => ({ partitionId: p }));
    let calls = 0;
    const partitioner = ({ message }: { message: unknown }) => {
      calls++;
      return (message as { partition: number }).partition;
    };
    const ours = groupMessagesPerPartition({ topic: "t", partitionMetadata, messages, partitioner });
    assert.equal(calls, 5000);
    assert.deepEqual(ours, originalGrouping({ topic: "t", partitionMetadata, messages, partitioner }));
    assert.deepEqual(groupMessagesPerPartition({ topic: "t", partitionMetadata: [], messages, partitioner }), {});
  });

  test("a partition the metadata does not list is refused with the error kafkajs refreshes its metadata on (kafkajs would drop its records)", () => {
    const partitionMetadata = Array.from({ length: 6 }, (_, p) => ({ partitionId: p }));
    const partitioner = ({ message }: { message: unknown }) => (message as { partition: number }).partition;
    const messages = [{ key: "a", value: "1", partition: 5 }, { key: "b", value: "2", partition: 7 }];
    assert.throws(() => groupMessagesPerPartition({ topic: "t", partitionMetadata, messages, partitioner }), (error: Error & { retriable?: boolean }) => {
      assert.equal(error.name, "KafkaJSMetadataNotLoaded");
      assert.equal(error.retriable, true);
      assert.match(error.message, /partition 7 of topic t is not in the producer's metadata/);
      return true;
    });
    // kafkajs's own grouping keeps partition 7, for which its sender then finds no leader: the records vanish.
    assert.deepEqual(Object.keys(originalGrouping({ topic: "t", partitionMetadata, messages, partitioner })), ["5", "7"]);
  });
});

describe("installation", () => {
  const modulePath = path.resolve(__dirname, "../../../runtime/sink/kafkajs-fast-path.js");
  const run = (code: string, env: NodeJS.ProcessEnv = {}) => execFileSync(process.execPath, ["-e", code], { env: { ...process.env, ...env }, encoding: "utf8" }).trim();

  test("installed when kafkajs has not loaded yet, and kafkajs then uses it", () => {
    const out = run(`const f = require(${JSON.stringify(modulePath)});
      const kafkajs = require("kafkajs");
      const record = require("kafkajs/src/protocol/recordBatch/record/v0");
      const grouping = require("kafkajs/src/producer/groupMessagesPerPartition");
      console.log(f.installKafkajsFastPath(), grouping === f.groupMessagesPerPartition, record.toString().includes("allocUnsafe"));`);
    assert.equal(out, "installed true true");
  });

  test("left alone when kafkajs loaded first, or when CDC_KAFKAJS_FAST_PATH=0", () => {
    assert.equal(run(`require("kafkajs"); console.log(require(${JSON.stringify(modulePath)}).installKafkajsFastPath());`), "kafkajs-already-loaded");
    assert.equal(run(`console.log(require(${JSON.stringify(modulePath)}).installKafkajsFastPath());`, { CDC_KAFKAJS_FAST_PATH: "0" }), "disabled");
  });
});
