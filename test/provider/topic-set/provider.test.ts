import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { check, upgrade } from "../../../provider/topic-set/provider";
import type { TopicSetOutputs } from "../../../provider/topic-set/plan";

// State written by an earlier version of the provider is read by this one: the first version's
// outputs had no stateVersion, and a TopicSet created before `topics` existed has none either.
describe("TopicSet state upgrade", () => {
  test("outputs without stateVersion or topics read as version 1 with no known topics", () => {
    const old = { kafka: { brokers: ["k:9092"] }, topicPrefix: "shop", tables: ["orders"] } as unknown as TopicSetOutputs;
    const upgraded = upgrade(old);
    assert.equal(upgraded.stateVersion, 1);
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
      stateVersion: 1,
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
