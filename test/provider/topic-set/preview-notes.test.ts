/** Every line preview says about a TopicSet change, word for word. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TopicChanges } from "../../../provider/topic-set/plan";
import { describePrefixChange, describeTopicChanges } from "../../../provider/topic-set/preview-notes";

const none: TopicChanges = { create: [], adopt: [], takeBack: [], grow: [], remove: [], retain: [], keepAdopted: [], reconfigure: [], unsetConfigs: [] };

describe("describeTopicChanges", () => {
  test("each kind of change, one line per topic", () => {
    const lines = describeTopicChanges("shop", {
      ...none,
      create: [{ topic: "shop_a", partitions: 1 }],
      adopt: [{ topic: "shop_b", partitions: 6 }],
      takeBack: [{ topic: "shop_c", partitions: 6 }],
      grow: [{ topic: "shop_d", partitions: 8, from: 6 }],
      remove: ["shop_e"],
      retain: ["shop_f"],
      keepAdopted: ["shop_g"],
      reconfigure: ["shop_h"],
    }, 5);
    assert.deepEqual(lines, [
      "TopicSet shop: will create topic shop_a (1 partition)",
      "TopicSet shop: topic shop_b already exists: the TopicSet adopts it as it is (its records stay; it gets at least 6 partitions); a destroy or removing its table keeps it unless deleteAdoptedTopics",
      "TopicSet shop: will take back topic shop_c, kept when its table was removed (retainOnDelete)",
      "TopicSet shop: will raise shop_d from 6 to 8 partitions; running connectors use them within about 5 s, without a restart. With primary-key-hash partitioning about 75 % of keys then map to another partition, so a consumer may read a key's later changes before its earlier ones (table-hash moves the table; partition-0 moves nothing)",
      "TopicSet shop: will delete topic shop_e at the end of the update, after the connectors stopped writing it",
      "TopicSet shop: will keep topic shop_f of a removed table (retainOnDelete)",
      "TopicSet shop: will keep topic shop_g of a removed table: it existed before the TopicSet (adopted); deleteAdoptedTopics deletes such topics",
      "TopicSet shop: will set the configs of shop_h to topicConfigs",
    ]);
    assert.deepEqual(describeTopicChanges("shop", none, 5), []);
  });
});

describe("describePrefixChange", () => {
  test("the new topics first; the old ones deleted with their records at the end, or kept", () => {
    assert.deepEqual(describePrefixChange("shop", "shop2", { remove: ["shop_a"], keep: ["shop_b"] }), [
      "TopicSet shop: the prefix becomes shop2: the shop2_* topics are made first, the connectors move to them, and the old topics are dealt with at the end of the update",
      "TopicSet shop: will delete shop_a with their records at the end of the update; consumers must have read them by then",
      "TopicSet shop: will keep shop_b (retainOnDelete or adopted)",
    ]);
  });
});
