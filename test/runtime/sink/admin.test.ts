import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { after, before, test } from "node:test";
import type { Kafka } from "kafkajs";
import { KafkaAdmin } from "../../../runtime/sink/admin";
import { useBench, type Bench } from "../../bench/services";
import { kafkaOf, uniqueName } from "../fixtures";

// Our admin adapter against the real broker: topic configs set, merged with what was set out of
// band, and set back to the default (Kafka's AlterConfigs replaces a topic's whole set).
let bench: Bench;
let kafka: Kafka;
let admin: KafkaAdmin;
const created: string[] = [];

before(async () => {
  bench = await useBench({ kafka: true });
  kafka = kafkaOf(bench);
  admin = await KafkaAdmin.connect(kafka);
});

after(async () => {
  await admin.deleteTopics(created).catch(() => undefined);
  await admin.disconnect();
  await bench.stop();
});

async function newTopics(count: number, configs: Record<string, string> = {}): Promise<string[]> {
  const topics = Array.from({ length: count }, () => uniqueName("admin-"));
  await admin.createTopics(topics.map((topic) => ({ topic, partitions: 1, configs })));
  created.push(...topics);
  return topics;
}

/** What kafkajs's own client reads back: the configs set on the topic itself. */
async function topicConfigs(topic: string): Promise<Record<string, string>> {
  return (await admin.dynamicTopicConfigs([topic])).get(topic) ?? {};
}

/**
 * The topic's dynamic configs once they equal `expected`, else (after 10 s) as they last read: a
 * broker answers DescribeConfigs from its copy of the metadata, which can lag an AlterConfigs the
 * controller accepted a moment ago (seen on a loaded CI machine).
 */
async function settledConfigs(topic: string, expected: Record<string, string>): Promise<Record<string, string>> {
  let last = await topicConfigs(topic);
  for (const deadline = Date.now() + 10_000; !isDeepStrictEqual(last, expected) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    last = await topicConfigs(topic);
  }
  return last;
}

/** The value a topic config has in effect, default or not. */
async function effective(topic: string, name: string): Promise<string | null | undefined> {
  const client = kafka.admin();
  await client.connect();
  try {
    const { resources } = await client.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: [name] }] });
    return resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
  } finally {
    await client.disconnect();
  }
}

test("configs are set on every topic named, and the ones set at creation are kept", async () => {
  const [a, b] = await newTopics(2, { "cleanup.policy": "compact" });
  await admin.setTopicConfigs([a, b], { "retention.ms": "3600000", "segment.ms": "600000" });
  for (const topic of [a, b]) {
    const expected = { "cleanup.policy": "compact", "retention.ms": "3600000", "segment.ms": "600000" };
    assert.deepEqual(await settledConfigs(topic, expected), expected);
  }
});

test("a config set out of band survives a change of another one", async () => {
  const [topic] = await newTopics(1);
  await admin.setTopicConfigs([topic], { "retention.ms": "3600000" });
  // An operator's change, outside the TopicSet.
  const client = kafka.admin();
  await client.connect();
  try {
    await client.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: "retention.ms", value: "3600000" }, { name: "max.message.bytes", value: "2000000" }] }] });
  } finally {
    await client.disconnect();
  }
  await admin.setTopicConfigs([topic], { "retention.ms": "7200000" });
  const expected = { "retention.ms": "7200000", "max.message.bytes": "2000000" };
  assert.deepEqual(await settledConfigs(topic, expected), expected);
});

test("an unset config goes back to the broker's default; the others stay", async () => {
  const [topic] = await newTopics(1, { "retention.ms": "3600000", "segment.ms": "600000" });
  await admin.setTopicConfigs([topic], {}, ["retention.ms"]);
  assert.deepEqual(await topicConfigs(topic), { "segment.ms": "600000" });
  // 7 days: Kafka's own default (the bench's broker sets no log.retention; test/bench/kafka.ts).
  assert.equal(await effective(topic, "retention.ms"), "604800000");
  // Unsetting everything leaves the topic with no config of its own.
  await admin.setTopicConfigs([topic], {}, ["segment.ms"]);
  assert.deepEqual(await topicConfigs(topic), {});
});

test("a config both set and unset is set; calls with nothing to set or no topic change nothing", async () => {
  const [topic] = await newTopics(1, { "retention.ms": "3600000" });
  await admin.setTopicConfigs([topic], { "retention.ms": "60000" }, ["retention.ms"]);
  assert.deepEqual(await topicConfigs(topic), { "retention.ms": "60000" });
  await admin.setTopicConfigs([topic], {}, []);
  await admin.setTopicConfigs([], { "retention.ms": "1" });
  assert.deepEqual(await topicConfigs(topic), { "retention.ms": "60000" });
});

test("deleteTopics of topics another client is deleting at the same moment: both calls end, every topic is gone", async () => {
  // The TopicSet's delete runs right after its members deleted their topics, which can still be
  // listed: the second delete then meets UNKNOWN_TOPIC_OR_PARTITION for them (seen on CI).
  const topics = await newTopics(3);
  const other = await KafkaAdmin.connect(kafka);
  try {
    await Promise.all([admin.deleteTopics(topics), other.deleteTopics(topics), admin.deleteTopics(topics.slice(1))]);
  } finally {
    await other.disconnect();
  }
  const { counts, missing } = await admin.partitionCounts(topics);
  assert.deepEqual([counts.size, missing.sort()], [0, [...topics].sort()]);
});
