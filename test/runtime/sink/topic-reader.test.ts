import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Kafka } from "kafkajs";
import { CdcError } from "../../../runtime/errors";
import { readTopicToEnd, watchTopic, whileTopicExists, type TopicRecord } from "../../../runtime/sink/topic-reader";
import { useBench, type Bench } from "../../bench/services";
import { kafkaOf, uniqueName } from "../fixtures";

// The compacted-topic reader of the control plane, against the real broker: the latest value per
// key, what is committed (open transactions not waited for, aborted ones skipped), and topics
// deleted under a read.
let bench: Bench;
let kafka: Kafka;
const created: string[] = [];

before(async () => {
  bench = await useBench({ kafka: true });
  kafka = kafkaOf(bench);
});

after(async () => {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const mine = created.filter((t) => existing.has(t));
  if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
  await bench.stop();
});

async function newTopic(partitions = 1): Promise<string> {
  const topic = uniqueName("reader-");
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: "cleanup.policy", value: "compact" }] }], waitForLeaders: true });
  await admin.disconnect();
  created.push(topic);
  return topic;
}

async function produce(topic: string, messages: { key: string; value: string | null; partition?: number }[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

/** A transaction left open on `topic` (the caller commits or aborts it). */
async function openTransaction(topic: string, messages: { key: string; value: string }[]) {
  const producer = kafka.producer({ transactionalId: uniqueName("reader-tx-"), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const tx = await producer.transaction();
  await tx.send({ topic, acks: -1, messages });
  return {
    commit: async () => (await tx.commit(), await producer.disconnect()),
    abort: async () => (await tx.abort().catch(() => undefined), await producer.disconnect()),
  };
}

function asText(records: Map<string, Buffer | null>): Record<string, string | null> {
  return Object.fromEntries([...records].map(([k, v]) => [k, v === null ? null : v.toString("utf8")]));
}

test("the latest value of each key over every partition, tombstones as null", async () => {
  const topic = await newTopic(2);
  await produce(topic, [
    { key: "a", value: "1", partition: 0 },
    { key: "b", value: "1", partition: 1 },
    { key: "a", value: "2", partition: 0 },
    { key: "c", value: "1", partition: 1 },
    { key: "c", value: null, partition: 1 },
  ]);
  assert.deepEqual(asText(await readTopicToEnd(kafka, topic)), { a: "2", b: "1", c: null });
});

test("an empty topic reads as nothing", async () => {
  assert.equal((await readTopicToEnd(kafka, await newTopic())).size, 0);
});

test("what is committed when the read starts: a transaction still open is not waited for, an aborted one is skipped", async () => {
  const topic = await newTopic();
  await produce(topic, [{ key: "a", value: "before" }]);
  const aborted = await openTransaction(topic, [{ key: "a", value: "aborted" }]);
  await aborted.abort();
  const open = await openTransaction(topic, [{ key: "b", value: "open" }]);
  try {
    // The end is the last stable offset (kafkajs lists offsets read_committed), before the open transaction.
    assert.deepEqual(asText(await readTopicToEnd(kafka, topic)), { a: "before" });
  } finally {
    await open.commit();
  }
  assert.deepEqual(asText(await readTopicToEnd(kafka, topic)), { a: "before", b: "open" });
});

test("a missing topic gives TOPIC_MISSING", async () => {
  const error = await readTopicToEnd(kafka, uniqueName("reader-absent-")).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof CdcError, String(error));
  assert.equal(error.code, "TOPIC_MISSING");
});

test("a topic deleted while reads of it start ends each read at once: its records or TOPIC_MISSING, never the timeout", async () => {
  // The provider reads every resource group's configs topic while other stacks (or tests) delete
  // theirs. A read whose consumer subscribes just after the deletion fetches nothing; it must not
  // wait out its timeout. Reads start every 15 ms around the deletion, so some land in that window.
  for (let round = 0; round < 2; round++) {
    const topic = await newTopic();
    await produce(topic, [{ key: "a", value: "1" }]);
    const reads: Promise<unknown>[] = [];
    const starting = setInterval(() => reads.push(readTopicToEnd(kafka, topic, 30_000).then(asText, (e: unknown) => e)), 15);
    await new Promise((r) => setTimeout(r, 100 + round * 80));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(starting);
    for (const outcome of await Promise.all(reads)) {
      if (outcome instanceof Error) {
        assert.ok(outcome instanceof CdcError, String(outcome));
        assert.equal(outcome.code, "TOPIC_MISSING", outcome.message);
      } else {
        assert.deepEqual(outcome, { a: "1" });
      }
    }
  }
});

test("whileTopicExists reports a deleted topic once, and nothing after stop()", async () => {
  const gone = await newTopic();
  const kept = await newTopic();
  const reports: string[] = [];
  const stopGone = whileTopicExists(kafka, gone, (e) => reports.push(`${gone}: ${e.code}`));
  const stopKept = whileTopicExists(kafka, kept, (e) => reports.push(`${kept}: ${e.code}`));
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [gone] });
  await admin.disconnect();
  const deadline = Date.now() + 20_000;
  while (reports.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // Two more checking periods: no second report, and none for the topic still there.
  await new Promise((r) => setTimeout(r, 2_500));
  await stopGone();
  await stopKept();
  assert.deepEqual(reports, [`${gone}: TOPIC_MISSING`]);
});

test("watchTopic gives the records present at the start, then caught up, then new ones, in order", async () => {
  const topic = await newTopic();
  await produce(topic, [
    { key: "a", value: "1" },
    { key: "b", value: "1" },
  ]);
  const seen: string[] = [];
  let caughtUp!: () => void;
  const isCaughtUp = new Promise<void>((r) => (caughtUp = r));
  let third!: () => void;
  const hasThird = new Promise<void>((r) => (third = r));
  const watcher = await watchTopic(kafka, topic, {
    onRecord: (record: TopicRecord) => {
      seen.push(`${record.key}=${record.value?.toString("utf8")}@${record.offset}`);
      if (record.offset === 2n) third();
    },
    onCaughtUp: () => {
      seen.push("caught up");
      caughtUp();
    },
    onError: (error) => assert.fail(error.message),
  });
  try {
    await isCaughtUp;
    await produce(topic, [{ key: "a", value: "2" }]);
    await hasThird;
  } finally {
    await watcher.stop();
  }
  assert.deepEqual(seen, ["a=1@0", "b=1@1", "caught up", "a=2@2"]);
});
