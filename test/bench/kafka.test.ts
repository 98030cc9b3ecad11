import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import fs from "node:fs";
import { benchKafkaVersion, hasSecuredListeners, usesZooKeeper } from "./kafka";
import { useBench, type Bench } from "./services";

// Smoke test: the bench's broker is a real Kafka that kafkajs produces to and consumes from,
// transactions included (the runtime's exactly-once delivery depends on them).
let bench: Bench;
let kafka: Kafka;
const topic = `smoke_${crypto.randomBytes(4).toString("hex")}`;

before(async () => {
  bench = await useBench({ kafka: true });
  kafka = new Kafka({ clientId: "smoke", brokers: bench.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
});

after(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  await bench.stop();
});

test("a message produced to a new topic is consumed back", async () => {
  const producer = kafka.producer({ transactionalId: `smoke-${topic}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const committed = await producer.transaction();
  await committed.send({ topic, messages: [{ key: "k1", value: "committed value", headers: { h: "1" } }] });
  await committed.commit();
  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: [{ key: "k2", value: "aborted value" }] });
  await aborted.abort();
  const marker = await producer.transaction();
  await marker.send({ topic, messages: [{ key: "k3", value: "last" }] });
  await marker.commit();
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `smoke-${topic}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: { key: string; value: string; header?: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed only ${JSON.stringify(seen)}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ key: String(message.key), value: String(message.value), header: message.headers?.h?.toString() });
        if (seen.some((m) => m.key === "k3") && seen.some((m) => m.key === "k1")) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([`smoke-${topic}`]);
  await admin.disconnect();

  seen.sort((a, b) => a.key.localeCompare(b.key));
  // read_committed: the aborted transaction's message is never delivered.
  assert.deepEqual(seen, [
    { key: "k1", value: "committed value", header: "1" },
    { key: "k3", value: "last", header: undefined },
  ]);
});

test("the broker runs the version the bench asked for, in the mode of that version", () => {
  const version = benchKafkaVersion();
  assert.equal(bench.kafka.version, version);
  // Kafka's AppInfoParser logs the running jar's version at start-up.
  assert.match(fs.readFileSync(bench.kafka.logFile, "utf8"), new RegExp(`Kafka version: ${version.replace(/\./g, "\\.")}\\b`));
  assert.equal(bench.kafka.zookeeper !== undefined, usesZooKeeper(version));
  assert.equal(bench.kafka.secured !== undefined, hasSecuredListeners(version));
  assert.deepEqual([usesZooKeeper("2.8.2"), usesZooKeeper("3.3.2"), usesZooKeeper("4.1.1")], [true, false, false]);
  assert.deepEqual(["0.11.0.3", "2.8.2", "3.3.2", "3.5.0", "4.1.1"].map(hasSecuredListeners), [false, true, false, true, true]);
});
