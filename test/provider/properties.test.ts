/** Unknown properties, with the one most likely meant. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CONNECTOR_SHAPE, GROUP_CORE_SHAPE, RESOURCE_GROUP_SHAPE, TOPIC_SET_SHAPE, unknownProperties, unknownPropertyFailures } from "../../provider/properties";

describe("unknownPropertyFailures", () => {
  test("top-level and nested misspellings, each with its likely property", () => {
    const inputs = { name: "c", compresion: "zstd", source: { host: "h", pasword: "x" }, retry: { connectionMinute: 5 }, kafka: { brokers: ["b:1"], limit: {} } };
    assert.deepEqual(unknownPropertyFailures(inputs, CONNECTOR_SHAPE, "Connector"), [
      { property: "compresion", reason: "is not a property of Connector; did you mean compression?" },
      { property: "source.pasword", reason: "is not a property of Connector; did you mean password?" },
      { property: "retry.connectionMinute", reason: "is not a property of Connector; did you mean connectionMinutes?" },
      { property: "kafka.limit", reason: "is not a property of Connector; did you mean limits?" },
    ]);
  });

  test("nothing close: no suggestion; an argument left undefined is no mistake; maps take any key", () => {
    assert.deepEqual(unknownPropertyFailures({ zzzzzzzz: 1, ddlTopic: undefined, topicConfigs: { anything: "1" } }, TOPIC_SET_SHAPE, "TopicSet"), [
      { property: "zzzzzzzz", reason: "is not a property of TopicSet" },
    ]);
  });

  test("lists: each item against the shape; values not known yet (Outputs) are not looked into", () => {
    assert.deepEqual(unknownProperties({ eniBindings: [{ vpcId: "a" }, { vpcid: "b" }] }, GROUP_CORE_SHAPE).map((u) => u.path), ["eniBindings[1].vpcid"]);
    const output = { apply: () => undefined, whatever: 1 };
    assert.deepEqual(unknownProperties({ runtime: { local: output } }, RESOURCE_GROUP_SHAPE), []);
    assert.deepEqual(unknownProperties({ runtime: { locale: {} } }, RESOURCE_GROUP_SHAPE).map((u) => u.path), ["runtime.locale"]);
  });

  test("what the resources themselves pass (outputs, check's fields) is known", () => {
    const outputs = { owner: "o", replacing: {}, consumerGroup: "g", transactionalId: "t", status: {}, revision: "r", grants: {}, stateVersion: 1, __provider: "x" };
    assert.deepEqual(unknownProperties(outputs, CONNECTOR_SHAPE), []);
    assert.deepEqual(unknownProperties({ plannedPartitions: {}, ownership: {}, retained: [], topics: {}, owner: "o" }, TOPIC_SET_SHAPE), []);
  });
});
