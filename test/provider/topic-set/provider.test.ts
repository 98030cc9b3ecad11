import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { check, create, del, diff, read, update, upgrade } from "../../../provider/topic-set/provider";
import type { TopicSetInputs, TopicSetOutputs } from "../../../provider/topic-set/plan";
import { useBench, type Bench } from "../../bench/services";
import { kafkaOf, uniqueName } from "../../runtime/fixtures";

// State written by an earlier version of the provider is read by this one: the first version's
// outputs had no stateVersion, and a TopicSet created before `topics` existed has none either.
describe("TopicSet state upgrade", () => {
  test("outputs without stateVersion or topics read as the current version with no known topics", () => {
    const old = { kafka: { brokers: ["k:9092"] }, topicPrefix: "shop", tables: ["orders"] } as unknown as TopicSetOutputs;
    const upgraded = upgrade(old);
    assert.equal(upgraded.stateVersion, 2);
    assert.deepEqual(upgraded.topics, {});
    assert.equal(upgraded.topicPrefix, "shop");
    assert.deepEqual(upgraded.tables, ["orders"]);
  });

  test("current outputs are kept as they are", () => {
    const current: TopicSetOutputs = {
      kafka: { brokers: ["k:9092"] },
      topicPrefix: "shop",
      tables: ["orders"],
      topics: { orders: { topic: "shop_orders", partitions: 6 } },
      stateVersion: 2,
    };
    assert.deepEqual(upgrade(current), current);
  });
});

// During preview, inputs wired from other resources' outputs are Pulumi's unknown marker.
describe("TopicSet check with inputs not known yet", () => {
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  test("unknown tables and brokers give no false failure (and no crash)", async () => {
    const result = await check(undefined, { kafka: { brokers: UNKNOWN as unknown as string[] }, topicPrefix: "shop", tables: UNKNOWN as unknown as string[] });
    assert.deepEqual(result.failures, []);
  });

  test("what is known is still judged", async () => {
    const result = await check(undefined, { kafka: { brokers: ["k:9092"] }, topicPrefix: "bad prefix", tables: UNKNOWN as unknown as string[] });
    assert.deepEqual(result.failures?.map((f) => f.property), ["topicPrefix"]);
  });
});

// Against the real broker: a config topicConfigs names, changed on the topic outside Pulumi, is
// shown by read (pulumi refresh), planned by diff and set back by update; other configs stay.
describe("TopicSet topicConfigs changed outside Pulumi", () => {
  let bench: Bench;
  before(async () => {
    bench = await useBench({ kafka: true });
  });
  after(async () => {
    await bench.stop();
  });

  test("read shows it, diff plans an update, update sets it back and keeps the operator's other config", async () => {
    const prefix = uniqueName("tsdrift");
    const topic = `${prefix}_orders`;
    const inputs: TopicSetInputs = {
      kafka: { brokers: bench.kafka.brokers },
      topicPrefix: prefix,
      tables: ["orders"],
      topicConfigs: { "retention.ms": "3600000" },
      plannedPartitions: { orders: 2 },
    };
    const created = await create(inputs);
    const outs = created.outs as TopicSetOutputs;
    const client = kafkaOf(bench).admin();
    try {
      assert.deepEqual(outs.topics.orders, { topic, partitions: 2, configs: { "retention.ms": "3600000" } });
      await client.connect();
      await client.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: topic, configEntries: [{ name: "retention.ms", value: "60000" }, { name: "max.message.bytes", value: "2000000" }] }],
      });
      const refreshed = await read(created.id, outs);
      assert.deepEqual(refreshed.props?.topics.orders.configs, { "retention.ms": "60000" });
      const planned = await diff(created.id, refreshed.props as TopicSetOutputs, inputs);
      assert.equal(planned.changes, true);
      const updated = await update(created.id, refreshed.props as TopicSetOutputs, inputs);
      assert.deepEqual(updated.outs?.topics.orders.configs, { "retention.ms": "3600000" });
      const { resources } = await client.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ["retention.ms", "max.message.bytes"] }] });
      const live = Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, e.configValue]));
      assert.deepEqual(live, { "retention.ms": "3600000", "max.message.bytes": "2000000" });
      assert.equal((await diff(created.id, updated.outs as TopicSetOutputs, inputs)).changes, false, "nothing left to do");
    } finally {
      await client.disconnect();
      await del(created.id, outs);
    }
  });
});
