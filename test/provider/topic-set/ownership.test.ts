/** Which topics a TopicSet made or adopted, what it kept, the rule changes refused, and how many keys move with more partitions. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { deletionRuleChange, keyMoveShare, planOwnership } from "../../../provider/topic-set/ownership";
import type { TopicSetInputs } from "../../../provider/topic-set/plan";

function inputs(overrides: Partial<TopicSetInputs> = {}): TopicSetInputs {
  return { kafka: { brokers: ["k:9092"] }, topicPrefix: "shop", tables: ["orders", "items"], ...overrides };
}

describe("planOwnership", () => {
  test("a first create: existing topics are adopted, the others made", () => {
    const plan = planOwnership(undefined, inputs(), new Set(["shop_items", "other"]));
    assert.deepEqual(plan, { ownership: { orders: "created", items: "adopted" }, retained: [], adopting: ["shop_items"], takingBack: [] });
  });

  test("an update keeps what was decided; a new table's existing topic is adopted", () => {
    const olds = inputs({ ownership: { orders: "created", items: "adopted" } });
    const plan = planOwnership(olds, inputs({ tables: ["orders", "items", "users"] }), new Set(["shop_orders", "shop_items", "shop_users"]));
    assert.deepEqual(plan.ownership, { orders: "created", items: "adopted", users: "adopted" });
    assert.deepEqual(plan.adopting, ["shop_users"]);
  });

  test("state from before ownership: its own tables' topics were made by it", () => {
    const plan = planOwnership(inputs(), inputs(), new Set(["shop_orders", "shop_items"]));
    assert.deepEqual(plan.ownership, { orders: "created", items: "created" });
    assert.deepEqual(plan.adopting, []);
  });

  test("retainOnDelete: a removed table's topic is remembered, and taken back when the table comes back", () => {
    const olds = inputs({ retainOnDelete: true, ownership: { orders: "created", items: "created" } });
    const removed = planOwnership(olds, inputs({ tables: ["orders"], retainOnDelete: true }), new Set(["shop_orders", "shop_items"]));
    assert.deepEqual(removed.retained, ["shop_items"]);
    const back = planOwnership({ ...inputs({ tables: ["orders"], retainOnDelete: true }), ownership: removed.ownership, retained: removed.retained }, inputs({ retainOnDelete: true }), new Set(["shop_orders", "shop_items"]));
    assert.deepEqual([back.ownership.items, back.takingBack, back.retained, back.adopting], ["created", ["shop_items"], [], []]);
  });

  test("a kept topic deleted by hand since is forgotten; an adopted one is never remembered as kept", () => {
    assert.deepEqual(planOwnership(inputs({ tables: ["orders"], retained: ["shop_items"] }), inputs({ tables: ["orders"] }), new Set(["shop_orders"])).retained, []);
    const olds = inputs({ retainOnDelete: true, ownership: { orders: "created", items: "adopted" } });
    assert.deepEqual(planOwnership(olds, inputs({ tables: ["orders"], retainOnDelete: true }), new Set(["shop_orders", "shop_items"])).retained, []);
  });

  test("a new prefix starts over: existing topics of the new prefix are adopted", () => {
    const plan = planOwnership(inputs({ ownership: { orders: "created", items: "created" } }), inputs({ topicPrefix: "shop2" }), new Set(["shop2_orders"]));
    assert.deepEqual(plan.ownership, { orders: "adopted", items: "created" });
  });
});

describe("deletionRuleChange", () => {
  test("retainOnDelete or deleteAdoptedTopics changed while removing tables: refused, with the steps", () => {
    const failures = deletionRuleChange(inputs(), inputs({ tables: ["orders"], retainOnDelete: true, deleteAdoptedTopics: true }));
    assert.deepEqual(failures.map((f) => f.property), ["retainOnDelete", "deleteAdoptedTopics"]);
    assert.equal(failures[0].reason, "changes in the same update that removes tables items, whose topics would still follow the old retainOnDelete (false): run pulumi up with the new retainOnDelete first, then remove the tables");
  });

  test("fine: no table removed, the flag unchanged, a first create, or a new prefix (a replacement)", () => {
    assert.deepEqual(deletionRuleChange(inputs(), inputs({ retainOnDelete: true })), []);
    assert.deepEqual(deletionRuleChange(inputs({ retainOnDelete: true }), inputs({ tables: ["orders"], retainOnDelete: true })), []);
    assert.deepEqual(deletionRuleChange(undefined, inputs({ retainOnDelete: true })), []);
    assert.deepEqual(deletionRuleChange(inputs(), inputs({ topicPrefix: "x", tables: ["orders"], retainOnDelete: true })), []);
  });
});

describe("keyMoveShare", () => {
  test("the share of hash-modulo keys that change partition", () => {
    assert.equal(keyMoveShare(6, 6), 0);
    assert.equal(keyMoveShare(6, 8), 0.75);
    assert.equal(keyMoveShare(6, 12), 0.5);
    assert.equal(keyMoveShare(1, 6), 5 / 6);
    assert.ok(Math.abs(keyMoveShare(6, 7) - 36 / 42) < 1e-12);
  });
});
