/**
 * TopicSet's pure logic: validation, the partition plan, the capacity check, the topic changes and
 * the diff. No services: the live facts (primary keys, existing topics) are given as values.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  capacityToAdd,
  canonicalConfigValue,
  checkCapacity,
  configDrift,
  detailedTopicSetDiff,
  diffTopicSet,
  MAX_PARTITIONS_PER_TOPIC,
  needsPrimaryKeyLookup,
  PARTITIONS_WITH_PRIMARY_KEY,
  PARTITIONS_WITHOUT_PRIMARY_KEY,
  planPartitions,
  TOPIC_SET_STATE_VERSION,
  topicChanges,
  validateTopicSetInputs,
  type TopicSetInputs,
  type TopicSetOutputs,
} from "../../../provider/topic-set/plan";
import type { CheckFailure } from "../../../provider/types";
import { props, reasonOf } from "../failures";

/** Valid inputs: two tables, a source to look primary keys up, nothing else. */
function inputs(overrides: Partial<TopicSetInputs> = {}): TopicSetInputs {
  return {
    kafka: { brokers: ["127.0.0.1:9092"] },
    topicPrefix: "shop",
    tables: ["orders", "items"],
    source: { host: "db", port: 3306, database: "shop", user: "cdc", password: "pw" },
    ...overrides,
  };
}

/** Outputs as create/read leave them: the inputs, their plan, and the topics that exist. */
function outputs(overrides: Partial<TopicSetOutputs> = {}): TopicSetOutputs {
  return {
    ...inputs({ plannedPartitions: { orders: 6, items: 1 } }),
    topics: { orders: { topic: "shop_orders", partitions: 6 }, items: { topic: "shop_items", partitions: 1 } },
    stateVersion: TOPIC_SET_STATE_VERSION,
    ...overrides,
  };
}

function validate(overrides: Partial<TopicSetInputs>): CheckFailure[] {
  return validateTopicSetInputs(inputs(overrides));
}



const noKeys = new Set<string>();
const noTopics = new Map<string, number>();

describe("constants", () => {
  test("6 partitions with a primary key, 1 without, at most 1000 per topic", () => {
    assert.equal(PARTITIONS_WITH_PRIMARY_KEY, 6);
    assert.equal(PARTITIONS_WITHOUT_PRIMARY_KEY, 1);
    assert.equal(MAX_PARTITIONS_PER_TOPIC, 1000);
    assert.equal(TOPIC_SET_STATE_VERSION, 2);
  });
});

describe("validateTopicSetInputs", () => {
  test("valid inputs have no failures", () => {
    assert.deepEqual(validateTopicSetInputs(inputs()), []);
    assert.deepEqual(
      validate({
        partitions: { orders: 12 },
        replicationFactor: 3,
        topicConfigs: { "retention.ms": "604800000", "cleanup.policy": "delete" },
        retainOnDelete: true,
        kafka: { brokers: ["a:9092", "b:9092"], limits: { maxTopics: 100, maxPartitions: 1000 } },
      }),
      [],
    );
  });

  describe("kafka.brokers", () => {
    test("empty, missing or not a list", () => {
      const reason = 'must list at least one bootstrap server, e.g. ["10.0.0.5:9092"]';
      assert.deepEqual(validate({ kafka: { brokers: [] } }), [{ property: "kafka.brokers", reason }]);
      assert.deepEqual(validate({ kafka: undefined as unknown as TopicSetInputs["kafka"] }), [{ property: "kafka.brokers", reason }]);
      assert.deepEqual(validate({ kafka: { brokers: "a:9092" as unknown as string[] } }), [{ property: "kafka.brokers", reason }]);
    });
  });

  describe("topicPrefix", () => {
    test("empty or missing", () => {
      assert.deepEqual(validate({ topicPrefix: "" }), [{ property: "topicPrefix", reason: '"" is empty; give a prefix such as "mysql"' }]);
      assert.deepEqual(validate({ topicPrefix: undefined as unknown as string }), [
        { property: "topicPrefix", reason: '"" is empty; give a prefix such as "mysql"' },
      ]);
    });

    test("characters Kafka does not allow", () => {
      assert.deepEqual(validate({ topicPrefix: "my shop" }), [
        { property: "topicPrefix", reason: "\"my shop\" may contain only letters, digits, '.', '_' and '-' (Kafka's topic characters)" },
      ]);
      assert.deepEqual(props(validate({ topicPrefix: "shop/eu" })), ["topicPrefix"]);
      assert.deepEqual(validate({ topicPrefix: "My.Shop_eu-1" }), []);
    });

    test("too long for a topic name (247 characters is the most)", () => {
      assert.deepEqual(validate({ topicPrefix: "p".repeat(247), tables: ["t"], partitions: 1 }), []);
      const failures = validate({ topicPrefix: "p".repeat(248), tables: ["t"], partitions: 1 });
      assert.deepEqual(props(failures), ["topicPrefix"]);
      assert.match(reasonOf(failures, "topicPrefix"), /is 248 characters long; topic names are limited to 249$/);
    });

    test("with a bad prefix the tables' topics are not judged (one failure, not one per table)", () => {
      assert.deepEqual(props(validate({ topicPrefix: "bad prefix", tables: ["bad table", "ok"] })), ["topicPrefix"]);
    });
  });

  describe("tables", () => {
    test("empty or missing", () => {
      const reason = "must list at least one table; each gets a topic <topicPrefix>_<table>";
      assert.deepEqual(validate({ tables: [] }), [{ property: "tables", reason }]);
      assert.deepEqual(validate({ tables: undefined as unknown as string[] }), [{ property: "tables", reason }]);
    });

    test("names of 1 to 64 characters", () => {
      assert.deepEqual(validate({ tables: ["orders", ""] }), [
        { property: "tables[1]", reason: 'must be a table name of 1 to 64 characters, got ""' },
      ]);
      const long = "t".repeat(65);
      assert.deepEqual(validate({ tables: [long] }), [
        { property: "tables[0]", reason: `must be a table name of 1 to 64 characters, got "${long}"` },
      ]);
      assert.deepEqual(validate({ tables: ["t".repeat(64)] }), []);
      assert.deepEqual(validate({ tables: ["orders", 7 as unknown as string] }), [
        { property: "tables[1]", reason: "must be a table name of 1 to 64 characters, got 7" },
      ]);
    });

    test("a table listed twice is named at its second position", () => {
      assert.deepEqual(validate({ tables: ["orders", "items", "orders"] }), [
        { property: "tables[2]", reason: '"orders" is listed twice; list each table once' },
      ]);
    });

    test("a table whose topic has characters Kafka does not allow", () => {
      assert.deepEqual(validate({ tables: ["orders", "order items"] }), [
        {
          property: "tables[1]",
          reason: "table \"order items\" maps to topic \"shop_order items\", which Kafka does not allow (letters, digits, '.', '_' and '-' only)",
        },
      ]);
      assert.deepEqual(props(validate({ tables: ["orders", "itéms", "a$b"] })), ["tables[1]", "tables[2]"]);
    });

    test("a table whose topic is longer than 249 characters", () => {
      const prefix = "p".repeat(200);
      const table = "t".repeat(49); // prefix + "_" + table = 250
      const failures = validate({ topicPrefix: prefix, tables: [table], partitions: 1 });
      assert.deepEqual(failures, [{ property: "tables[0]", reason: `topic "${prefix}_${table}" is longer than Kafka's 249 characters` }]);
      assert.deepEqual(validate({ topicPrefix: prefix, tables: ["t".repeat(48)], partitions: 1 }), []);
    });

    test("every table problem at once", () => {
      assert.deepEqual(props(validate({ tables: ["", "a b", "ok", "ok"] })), ["tables[0]", "tables[1]", "tables[3]"]);
    });
  });

  describe("partitions", () => {
    test("one count for every table: a whole number from 1 to 1000", () => {
      assert.deepEqual(validate({ partitions: 1 }), []);
      assert.deepEqual(validate({ partitions: 1000 }), []);
      assert.deepEqual(validate({ partitions: 0 }), [{ property: "partitions", reason: "must be a whole number from 1 to 1000, got 0" }]);
      assert.deepEqual(validate({ partitions: 1001 }), [{ property: "partitions", reason: "must be a whole number from 1 to 1000, got 1001" }]);
      assert.deepEqual(validate({ partitions: 2.5 }), [{ property: "partitions", reason: "must be a whole number from 1 to 1000, got 2.5" }]);
      assert.deepEqual(validate({ partitions: -3 }), [{ property: "partitions", reason: "must be a whole number from 1 to 1000, got -3" }]);
    });

    test("a count per table", () => {
      assert.deepEqual(validate({ partitions: { orders: 12, items: 1 } }), []);
      assert.deepEqual(validate({ partitions: { orders: 0 } }), [
        { property: "partitions.orders", reason: "must be a whole number from 1 to 1000, got 0" },
      ]);
      assert.deepEqual(validate({ partitions: { items: "6" as unknown as number } }), [
        { property: "partitions.items", reason: 'must be a whole number from 1 to 1000, got "6"' },
      ]);
    });

    test("a count for a table that is not in tables", () => {
      assert.deepEqual(validate({ partitions: { orders: 6, ghosts: 3 } }), [
        { property: "partitions.ghosts", reason: 'names a table that is not in tables; remove it or add "ghosts" to tables' },
      ]);
      // Both problems of one entry are reported.
      assert.deepEqual(props(validate({ partitions: { ghosts: 0 } })), ["partitions.ghosts", "partitions.ghosts"]);
    });

    test("neither a number nor a map", () => {
      assert.deepEqual(validate({ partitions: "6" as unknown as number }), [
        { property: "partitions", reason: "must be a number or a map from table to number" },
      ]);
      assert.deepEqual(validate({ partitions: true as unknown as number }), [
        { property: "partitions", reason: "must be a number or a map from table to number" },
      ]);
      assert.deepEqual(validate({ partitions: null as unknown as number }), []);
    });
  });

  test("replicationFactor: a whole number from 1 to 32", () => {
    assert.deepEqual(validate({ replicationFactor: 1 }), []);
    assert.deepEqual(validate({ replicationFactor: 32 }), []);
    for (const bad of [0, 33, 1.5, -1]) {
      assert.deepEqual(validate({ replicationFactor: bad }), [
        { property: "replicationFactor", reason: `must be a whole number from 1 to 32, got ${bad}` },
      ]);
    }
    assert.deepEqual(validate({ replicationFactor: "3" as unknown as number }), [
      { property: "replicationFactor", reason: 'must be a whole number from 1 to 32, got "3"' },
    ]);
  });

  test("topicConfigs values must be strings, each named by its key", () => {
    assert.deepEqual(validate({ topicConfigs: { "retention.ms": 604800000 as unknown as string, "cleanup.policy": "delete", "segment.bytes": true as unknown as string } }), [
      { property: "topicConfigs.retention.ms", reason: "must be a string (Kafka topic configs are strings), got 604800000" },
      { property: "topicConfigs.segment.bytes", reason: "must be a string (Kafka topic configs are strings), got true" },
    ]);
  });

  test("kafka.limits: positive whole numbers", () => {
    assert.deepEqual(validate({ kafka: { brokers: ["b:9092"], limits: { maxTopics: 1, maxPartitions: 1 } } }), []);
    assert.deepEqual(validate({ kafka: { brokers: ["b:9092"], limits: { maxTopics: 0, maxPartitions: 1.5 } } }), [
      { property: "kafka.limits.maxTopics", reason: "must be a positive whole number, got 0" },
      { property: "kafka.limits.maxPartitions", reason: "must be a positive whole number, got 1.5" },
    ]);
    assert.deepEqual(validate({ kafka: { brokers: ["b:9092"], limits: { maxPartitions: -10 } } }), [
      { property: "kafka.limits.maxPartitions", reason: "must be a positive whole number, got -10" },
    ]);
  });

  describe("source", () => {
    test("needed when a table's partitions are not given, naming those tables", () => {
      assert.deepEqual(validate({ source: undefined }), [
        {
          property: "source",
          reason: "is needed to look up which tables have a primary key (orders, items); give source, or partitions for every table",
        },
      ]);
      assert.match(reasonOf(validate({ source: undefined, partitions: { orders: 3 } }), "source"), /\(items\); give source/);
    });

    test("not needed when partitions are given for every table", () => {
      assert.deepEqual(validate({ source: undefined, partitions: 3 }), []);
      assert.deepEqual(validate({ source: undefined, partitions: { orders: 3, items: 1 } }), []);
    });
  });

  test("every problem at once, in input order", () => {
    const failures = validateTopicSetInputs({
      kafka: { brokers: [], limits: { maxTopics: 0 } },
      topicPrefix: "",
      tables: [],
      partitions: 0,
      replicationFactor: 0,
      topicConfigs: { "retention.ms": 1 as unknown as string },
    });
    assert.deepEqual(props(failures), [
      "kafka.brokers",
      "topicPrefix",
      "tables",
      "partitions",
      "replicationFactor",
      "topicConfigs.retention.ms",
      "kafka.limits.maxTopics",
    ]);
  });
});

describe("needsPrimaryKeyLookup", () => {
  test("every table without an explicit count", () => {
    assert.deepEqual(needsPrimaryKeyLookup(inputs()), ["orders", "items"]);
    assert.deepEqual(needsPrimaryKeyLookup(inputs({ partitions: { items: 2 } })), ["orders"]);
    assert.deepEqual(needsPrimaryKeyLookup(inputs({ partitions: { orders: 2, items: 2 } })), []);
  });

  test("none when one count is given for every table", () => {
    assert.deepEqual(needsPrimaryKeyLookup(inputs({ partitions: 4 })), []);
  });

  test("no tables, nothing to look up", () => {
    assert.deepEqual(needsPrimaryKeyLookup(inputs({ tables: undefined as unknown as string[] })), []);
  });

  test("a table named like an Object.prototype member still needs a lookup", () => {
    // MySQL allows these names; an own-property check is needed, not `explicit[t] === undefined`.
    assert.deepEqual(needsPrimaryKeyLookup(inputs({ tables: ["orders", "constructor", "toString"] })), ["orders", "constructor", "toString"]);
    assert.deepEqual(needsPrimaryKeyLookup(inputs({ tables: ["orders", "constructor"], partitions: { orders: 2 } })), ["constructor"]);
  });
});

describe("planPartitions", () => {
  test("derived: 6 with a primary key, 1 without, with a note for the table without", () => {
    const plan = planPartitions(inputs(), new Set(["orders"]), noTopics, new Set(["orders", "items"]));
    assert.deepEqual(plan, {
      planned: { orders: 6, items: 1 },
      failures: [],
      notes: ["table items has no primary key: topic shop_items gets 1 partition, so its changes keep their order"],
    });
  });

  test("no note for a table the source does not have (check reports it apart)", () => {
    const plan = planPartitions(inputs(), new Set(["orders"]), noTopics, new Set(["orders"]));
    assert.deepEqual(plan.planned, { orders: 6, items: 1 });
    assert.deepEqual(plan.notes, []);
  });

  test("without a list of the source's tables, every table without a key is noted", () => {
    const plan = planPartitions(inputs(), noKeys, noTopics);
    assert.deepEqual(plan.planned, { orders: 1, items: 1 });
    assert.deepEqual(plan.notes, [
      "table orders has no primary key: topic shop_orders gets 1 partition, so its changes keep their order",
      "table items has no primary key: topic shop_items gets 1 partition, so its changes keep their order",
    ]);
  });

  test("one explicit count for every table wins over the primary keys, without notes", () => {
    const plan = planPartitions(inputs({ partitions: 3 }), new Set(["orders"]), noTopics, new Set(["orders", "items"]));
    assert.deepEqual(plan, { planned: { orders: 3, items: 3 }, failures: [], notes: [] });
  });

  test("a count per table; the others are derived", () => {
    const plan = planPartitions(inputs({ partitions: { items: 2 } }), new Set(["orders"]), noTopics, new Set(["orders", "items"]));
    assert.deepEqual(plan, { planned: { orders: 6, items: 2 }, failures: [], notes: [] });
    const plan2 = planPartitions(inputs({ partitions: { orders: 24 } }), noKeys, noTopics, new Set(["orders", "items"]));
    assert.deepEqual(plan2.planned, { orders: 24, items: 1 });
    assert.deepEqual(plan2.notes, ["table items has no primary key: topic shop_items gets 1 partition, so its changes keep their order"]);
  });

  test("an existing topic with more partitions than derived keeps its count, silently", () => {
    const existing = new Map([["shop_orders", 12], ["shop_items", 4]]);
    const plan = planPartitions(inputs(), new Set(["orders"]), existing, new Set(["orders", "items"]));
    // No failure, and no "no primary key" note for items: its topic exists already.
    assert.deepEqual(plan, { planned: { orders: 12, items: 4 }, failures: [], notes: [] });
  });

  test("an existing topic with fewer partitions than derived is planned to grow", () => {
    const existing = new Map([["shop_orders", 2]]);
    const plan = planPartitions(inputs(), new Set(["orders"]), existing, new Set(["orders", "items"]));
    assert.deepEqual(plan.planned, { orders: 6, items: 1 });
    assert.deepEqual(plan.failures, []);
  });

  test("an explicit count below the existing topic's fails (one count): property partitions", () => {
    const existing = new Map([["shop_orders", 12]]);
    const plan = planPartitions(inputs({ partitions: 3 }), noKeys, existing);
    assert.deepEqual(plan.failures, [
      {
        property: "partitions",
        reason:
          "asks for 3 partitions but topic shop_orders has 12: Kafka cannot shrink partitions. Keep 12 or more, or move to new topics with a new topicPrefix (which replaces the TopicSet)",
      },
    ]);
    // Never planned smaller than what exists.
    assert.deepEqual(plan.planned, { orders: 12, items: 3 });
  });

  test("an explicit count below the existing topic's fails (per table): property partitions.<table>", () => {
    const existing = new Map([["shop_orders", 6], ["shop_items", 8]]);
    const plan = planPartitions(inputs({ partitions: { orders: 2, items: 4 } }), noKeys, existing);
    assert.deepEqual(props(plan.failures), ["partitions.orders", "partitions.items"]);
    assert.match(plan.failures[0]!.reason, /^asks for 2 partitions but topic shop_orders has 6: Kafka cannot shrink partitions\. Keep 6 or more/);
    assert.match(plan.failures[1]!.reason, /^asks for 4 partitions but topic shop_items has 8: Kafka cannot shrink partitions\. Keep 8 or more/);
    assert.deepEqual(plan.planned, { orders: 6, items: 8 });
  });

  test("an explicit count equal to or above the existing topic's is fine", () => {
    const existing = new Map([["shop_orders", 6], ["shop_items", 1]]);
    const plan = planPartitions(inputs({ partitions: { orders: 6, items: 10 } }), noKeys, existing);
    assert.deepEqual(plan, { planned: { orders: 6, items: 10 }, failures: [], notes: [] });
  });

  test("only this prefix's topics count as existing", () => {
    const existing = new Map([["other_orders", 50], ["orders", 50]]);
    const plan = planPartitions(inputs({ partitions: 3 }), noKeys, existing);
    assert.deepEqual(plan, { planned: { orders: 3, items: 3 }, failures: [], notes: [] });
  });

  test("a table named like an Object.prototype member is derived, not taken from the prototype", () => {
    const plan = planPartitions(inputs({ tables: ["orders", "constructor"], partitions: { orders: 3 } }), new Set(["constructor"]), noTopics);
    assert.deepEqual(plan.planned, { orders: 3, constructor: 6 });
  });
});

describe("capacityToAdd", () => {
  test("new topics add a topic and their partitions; grown topics add the difference", () => {
    const existing = new Map([["shop_orders", 6]]);
    assert.deepEqual(capacityToAdd("shop", { orders: 8, items: 6 }, existing), { topics: 1, partitions: 8 });
  });

  test("nothing to add when the plan matches (or is below) what exists", () => {
    const existing = new Map([["shop_orders", 6], ["shop_items", 3]]);
    assert.deepEqual(capacityToAdd("shop", { orders: 6, items: 1 }, existing), { topics: 0, partitions: 0 });
    assert.deepEqual(capacityToAdd("shop", {}, existing), { topics: 0, partitions: 0 });
  });

  test("topics of another prefix are not this plan's", () => {
    const existing = new Map([["other_orders", 6]]);
    assert.deepEqual(capacityToAdd("shop", { orders: 6 }, existing), { topics: 1, partitions: 6 });
  });
});

describe("checkCapacity", () => {
  // 3 topics, 14 partitions exist; the plan grows shop_orders 6 -> 8 and creates shop_items (6).
  const existing = new Map([["a", 3], ["b", 5], ["shop_orders", 6]]);
  const planned = { orders: 8, items: 6 };

  test("exactly at both limits is fine", () => {
    assert.deepEqual(checkCapacity("shop", planned, existing, { maxTopics: 4, maxPartitions: 22 }), []);
  });

  test("no limits, no failures", () => {
    assert.deepEqual(checkCapacity("shop", planned, existing, undefined), []);
    assert.deepEqual(checkCapacity("shop", planned, existing, {}), []);
  });

  test("over both limits: both failures, with what exists and what is added", () => {
    assert.deepEqual(checkCapacity("shop", planned, existing, { maxTopics: 3, maxPartitions: 21 }), [
      {
        property: "kafka.limits.maxTopics",
        reason:
          "the instance would need 4 topics (3 exist, 1 to create) but allows 3: raise the instance's topic quota, delete unused topics, or include fewer tables",
      },
      {
        property: "kafka.limits.maxPartitions",
        reason:
          "the instance would need 22 partitions (14 exist, 8 to add) but allows 21: raise the instance's partition quota, or give fewer partitions",
      },
    ]);
  });

  test("only the topic limit", () => {
    assert.deepEqual(props(checkCapacity("shop", planned, existing, { maxTopics: 3, maxPartitions: 1000 })), ["kafka.limits.maxTopics"]);
  });

  test("growing an existing topic alone can exceed the partition limit", () => {
    const failures = checkCapacity("shop", { orders: 10 }, existing, { maxTopics: 3, maxPartitions: 17 });
    assert.deepEqual(failures, [
      {
        property: "kafka.limits.maxPartitions",
        reason:
          "the instance would need 18 partitions (14 exist, 4 to add) but allows 17: raise the instance's partition quota, or give fewer partitions",
      },
    ]);
    assert.deepEqual(checkCapacity("shop", { orders: 10 }, existing, { maxTopics: 3, maxPartitions: 18 }), []);
  });

  test("an empty cluster", () => {
    assert.deepEqual(checkCapacity("shop", { orders: 6, items: 1 }, noTopics, { maxTopics: 2, maxPartitions: 7 }), []);
    assert.match(
      reasonOf(checkCapacity("shop", { orders: 6, items: 1 }, noTopics, { maxTopics: 1, maxPartitions: 7 }), "kafka.limits.maxTopics"),
      /^the instance would need 2 topics \(0 exist, 2 to create\) but allows 1:/,
    );
  });
});

describe("topicChanges", () => {
  const none = { create: [], adopt: [], takeBack: [], grow: [], remove: [], retain: [], keepAdopted: [], reconfigure: [], unsetConfigs: [] };

  test("first create: every topic with its planned partitions", () => {
    const changes = topicChanges(undefined, inputs({ plannedPartitions: { orders: 6, items: 1 }, topicConfigs: { "retention.ms": "1000" } }));
    assert.deepEqual(changes, { ...none, create: [{ topic: "shop_orders", partitions: 6 }, { topic: "shop_items", partitions: 1 }] });
  });

  test("a table without a plan gets 1 partition", () => {
    const changes = topicChanges(undefined, inputs({ plannedPartitions: { orders: 6 } }));
    assert.deepEqual(changes.create, [{ topic: "shop_orders", partitions: 6 }, { topic: "shop_items", partitions: 1 }]);
    assert.deepEqual(topicChanges(undefined, inputs()).create, [{ topic: "shop_orders", partitions: 1 }, { topic: "shop_items", partitions: 1 }]);
  });

  test("nothing to do when the topics match the plan", () => {
    assert.deepEqual(topicChanges(outputs(), inputs({ plannedPartitions: { orders: 6, items: 1 } })), none);
  });

  test("create a new table's topic, grow one (from its count), delete a removed table's topic", () => {
    const changes = topicChanges(outputs(), inputs({ tables: ["orders", "customers"], plannedPartitions: { orders: 12, customers: 6 } }));
    assert.deepEqual(changes, { ...none, create: [{ topic: "shop_customers", partitions: 6 }], grow: [{ topic: "shop_orders", partitions: 12, from: 6 }], remove: ["shop_items"] });
  });

  test("an existing topic check found (ownership adopted) is adopted, a kept one (retained) taken back", () => {
    const news = inputs({ tables: ["orders", "items", "old", "theirs"], plannedPartitions: { orders: 6, items: 1, old: 6, theirs: 1 }, ownership: { orders: "created", items: "created", old: "created", theirs: "adopted" } });
    const changes = topicChanges(outputs({ retained: ["shop_old"] }), news);
    assert.deepEqual(changes, { ...none, adopt: [{ topic: "shop_theirs", partitions: 1 }], takeBack: [{ topic: "shop_old", partitions: 6 }] });
  });

  test("a removed table's topic follows the state before the update: retainOnDelete keeps it, an adopted one is kept", () => {
    const kept = topicChanges(outputs({ retainOnDelete: true }), inputs({ tables: ["orders"], plannedPartitions: { orders: 6 }, retainOnDelete: true }));
    assert.deepEqual(kept, { ...none, retain: ["shop_items"] });
    const adopted = topicChanges(outputs({ ownership: { orders: "created", items: "adopted" } }), inputs({ tables: ["orders"], plannedPartitions: { orders: 6 } }));
    assert.deepEqual(adopted, { ...none, keepAdopted: ["shop_items"] });
    const deleted = topicChanges(outputs({ ownership: { orders: "created", items: "adopted" }, deleteAdoptedTopics: true }), inputs({ tables: ["orders"], plannedPartitions: { orders: 6 }, deleteAdoptedTopics: true }));
    assert.deepEqual(deleted, { ...none, remove: ["shop_items"] });
  });

  test("a plan below the topic's count does not shrink it", () => {
    const changes = topicChanges(outputs(), inputs({ plannedPartitions: { orders: 3, items: 1 } }));
    assert.deepEqual(changes.grow, []);
    assert.deepEqual(changes.create, []);
  });

  test("a topic deleted out of band (absent from outputs.topics) is created again", () => {
    const olds = outputs({ topics: { orders: { topic: "shop_orders", partitions: 6 } } });
    const changes = topicChanges(olds, inputs({ plannedPartitions: { orders: 6, items: 1 } }));
    assert.deepEqual(changes, { ...none, create: [{ topic: "shop_items", partitions: 1 }] });
  });

  test("new topicConfigs reconfigure every kept topic, not the ones being created", () => {
    const olds = outputs({ topics: { orders: { topic: "shop_orders", partitions: 6 } } });
    const changes = topicChanges(olds, inputs({ plannedPartitions: { orders: 6, items: 1 }, topicConfigs: { "retention.ms": "1000" } }));
    assert.deepEqual(changes.create, [{ topic: "shop_items", partitions: 1 }]);
    assert.deepEqual(changes.reconfigure, ["shop_orders"]);

    const all = topicChanges(outputs({ topicConfigs: { "retention.ms": "1000" } }), inputs({ plannedPartitions: { orders: 6, items: 1 }, topicConfigs: { "retention.ms": "2000" } }));
    assert.deepEqual(all.reconfigure, ["shop_orders", "shop_items"]);

    const removed = topicChanges(outputs({ topicConfigs: { "retention.ms": "1000" } }), inputs({ plannedPartitions: { orders: 6, items: 1 } }));
    assert.deepEqual(removed.reconfigure, ["shop_orders", "shop_items"]);
    assert.deepEqual(removed.unsetConfigs, ["retention.ms"], "a config removed from topicConfigs goes back to the default");
    assert.deepEqual(all.unsetConfigs, []);

    const fewer = topicChanges(
      outputs({ topicConfigs: { "retention.ms": "1000", "cleanup.policy": "compact", "segment.ms": "60000" } }),
      inputs({ plannedPartitions: { orders: 6, items: 1 }, topicConfigs: { "segment.ms": "120000" } }),
    );
    assert.deepEqual(fewer.unsetConfigs, ["retention.ms", "cleanup.policy"]);
  });

  test("same topicConfigs: only a topic a refresh found changed outside Pulumi is reconfigured", () => {
    const configs = { "retention.ms": "1000", "cleanup.policy": "delete" };
    const olds = outputs({
      topicConfigs: configs,
      topics: {
        orders: { topic: "shop_orders", partitions: 6, configs: { "retention.ms": "5", "cleanup.policy": "delete" } },
        items: { topic: "shop_items", partitions: 1, configs: { ...configs } },
      },
    });
    const changes = topicChanges(olds, inputs({ plannedPartitions: { orders: 6, items: 1 }, topicConfigs: { ...configs } }));
    assert.deepEqual(changes, { ...none, reconfigure: ["shop_orders"] });
    assert.equal(diffTopicSet(olds, inputs({ plannedPartitions: { orders: 6, items: 1 }, topicConfigs: { ...configs } })).changes, true);
  });

  test("unchanged topicConfigs reconfigure nothing", () => {
    const configs = { "retention.ms": "1000" };
    const changes = topicChanges(outputs({ topicConfigs: configs }), inputs({ plannedPartitions: { orders: 6, items: 1 }, topicConfigs: { ...configs } }));
    assert.deepEqual(changes.reconfigure, []);
  });

  test("a new prefix: new topics for every table, the old ones deleted (or kept, by the old state)", () => {
    const news = inputs({ topicPrefix: "shop2", plannedPartitions: { orders: 6, items: 1 } });
    assert.deepEqual(topicChanges(outputs(), news), {
      ...none,
      create: [{ topic: "shop2_orders", partitions: 6 }, { topic: "shop2_items", partitions: 1 }],
      remove: ["shop_orders", "shop_items"],
    });
    const kept = topicChanges(outputs({ retainOnDelete: true }), { ...news, retainOnDelete: true });
    assert.deepEqual(kept.remove, []);
    assert.deepEqual(kept.retain, ["shop_orders", "shop_items"]);
  });
});

describe("diffTopicSet", () => {
  const same = () => inputs({ plannedPartitions: { orders: 6, items: 1 } });

  test("identical inputs: no changes", () => {
    assert.deepEqual(diffTopicSet(outputs(), same()), { changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test("the same tables in another order: no changes", () => {
    assert.deepEqual(diffTopicSet(outputs(), { ...same(), tables: ["items", "orders"] }), { changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test("a new Kafka login (SASL password rotated, TLS given) updates in place; the same login is no change", () => {
    const sasl = { mechanism: "scram-sha-256" as const, username: "cdc", password: "old-pw" };
    const secured = (password: string) => ({ ...same().kafka, tls: true as const, sasl: { ...sasl, password } });
    const olds = outputs({ kafka: secured("old-pw") });
    assert.deepEqual(diffTopicSet(olds, { ...same(), kafka: secured("new-pw") }), { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.deepEqual(diffTopicSet(olds, { ...same(), kafka: secured("old-pw") }), { changes: false, replaces: [], deleteBeforeReplace: false });
    assert.equal(diffTopicSet(outputs(), { ...same(), kafka: { ...same().kafka, tls: true } }).changes, true);
    // Preview names what changed (a secret's value never shown: the engine masks it).
    assert.deepEqual(detailedTopicSetDiff(olds, { ...same(), kafka: secured("new-pw") }), { "kafka.sasl": "update" });
  });

  test("a new prefix replaces (other topics), without deleting first", () => {
    assert.deepEqual(diffTopicSet(outputs(), { ...same(), topicPrefix: "shop2" }), {
      changes: true,
      replaces: ["topicPrefix"],
      deleteBeforeReplace: false,
    });
  });

  test("adding a table changes in place", () => {
    assert.deepEqual(diffTopicSet(outputs(), inputs({ tables: ["orders", "items", "customers"], plannedPartitions: { orders: 6, items: 1, customers: 6 } })), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  test("removing a table changes in place, retained or not", () => {
    const news = inputs({ tables: ["orders"], plannedPartitions: { orders: 6 } });
    assert.deepEqual(diffTopicSet(outputs(), news), { changes: true, replaces: [], deleteBeforeReplace: false });
    const retained = outputs({ retainOnDelete: true });
    assert.deepEqual(diffTopicSet(retained, { ...news, retainOnDelete: true }), { changes: true, replaces: [], deleteBeforeReplace: false });
  });

  test("more partitions changes in place", () => {
    assert.deepEqual(diffTopicSet(outputs(), inputs({ partitions: 12, plannedPartitions: { orders: 12, items: 12 } })), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    // A derived count that grew (a primary key was added) is a change too.
    assert.equal(diffTopicSet(outputs(), inputs({ plannedPartitions: { orders: 6, items: 6 } })).changes, true);
  });

  test("a topic deleted out of band is a change (recreated by the update)", () => {
    const olds = outputs({ topics: { orders: { topic: "shop_orders", partitions: 6 } } });
    assert.deepEqual(diffTopicSet(olds, same()), { changes: true, replaces: [], deleteBeforeReplace: false });
  });

  test("each other input is a change in place", () => {
    const cases: Partial<TopicSetInputs>[] = [
      { topicConfigs: { "retention.ms": "1000" } },
      { replicationFactor: 3 },
      { retainOnDelete: true },
      { kafka: { brokers: ["127.0.0.1:9092", "127.0.0.1:9093"] } },
      { kafka: { brokers: ["127.0.0.1:9092"], limits: { maxTopics: 10 } } },
      { source: { host: "db2", port: 3306, database: "shop", user: "cdc", password: "pw" } },
      { partitions: { orders: 6 } },
    ];
    for (const c of cases) {
      assert.deepEqual(diffTopicSet(outputs(), { ...same(), ...c }), { changes: true, replaces: [], deleteBeforeReplace: false }, JSON.stringify(c));
    }
  });

  test("retainOnDelete false and absent are the same", () => {
    assert.equal(diffTopicSet(outputs(), { ...same(), retainOnDelete: false }).changes, false);
  });
});

describe("configDrift", () => {
  test("each declared config the topic does not have as declared, with both values", () => {
    const state = { topic: "shop_orders", partitions: 6, configs: { "retention.ms": "5", "segment.ms": "600000" } };
    assert.deepEqual(configDrift(state, { "retention.ms": "1000", "segment.ms": "600000", "cleanup.policy": "delete" }), [
      "retention.ms=5 (topicConfigs: 1000)",
      "cleanup.policy=(the broker's default) (topicConfigs: delete)",
    ]);
  });

  test("a value Kafka describes back in its own spelling is not drift", () => {
    const state = { topic: "shop_orders", partitions: 6, configs: { "cleanup.policy": "compact,delete", "min.cleanable.dirty.ratio": "0.5", "preallocate": "true", "retention.ms": "1000" } };
    assert.deepEqual(configDrift(state, { "cleanup.policy": "compact, delete", "min.cleanable.dirty.ratio": "0.50", preallocate: "TRUE", "retention.ms": " 1000" }), []);
    assert.deepEqual(configDrift(state, { "retention.ms": "10000", "cleanup.policy": "delete,compact" }), [
      "retention.ms=1000 (topicConfigs: 10000)",
      "cleanup.policy=compact,delete (topicConfigs: delete,compact)",
    ]);
  });

  test("canonicalConfigValue keeps big integers exact", () => {
    assert.equal(canonicalConfigValue("9223372036854775807"), "9223372036854775807");
    assert.equal(canonicalConfigValue("+0100"), "100");
    assert.equal(canonicalConfigValue("1e3"), "1000");
    assert.equal(canonicalConfigValue("producer"), "producer");
  });

  test("a topic whose configs were never read, or nothing declared: no drift", () => {
    assert.deepEqual(configDrift({ topic: "shop_orders", partitions: 6 }, { "retention.ms": "1000" }), []);
    assert.deepEqual(configDrift({ topic: "shop_orders", partitions: 6, configs: { "retention.ms": "5" } }, undefined), []);
  });
});

describe("detailedTopicSetDiff", () => {
  test("per program input; the prefix replaces; table order and false/absent flags are no change", () => {
    assert.deepEqual(detailedTopicSetDiff(outputs(), inputs({ plannedPartitions: { orders: 6, items: 1 } })), {});
    assert.deepEqual(detailedTopicSetDiff(outputs(), inputs({ tables: ["items", "orders"], retainOnDelete: false })), {});
    assert.deepEqual(detailedTopicSetDiff(outputs(), inputs({ topicPrefix: "x", tables: ["orders"], topicConfigs: { a: "1" }, retainOnDelete: true })), {
      topicPrefix: "update-replace",
      tables: "update",
      topicConfigs: "add",
      retainOnDelete: "add",
    });
  });
});

describe("validateTopicSetInputs: flags", () => {
  test("retainOnDelete and deleteAdoptedTopics are true or false; a string is refused, not taken as false", () => {
    assert.deepEqual(validate({ retainOnDelete: true, deleteAdoptedTopics: false }), []);
    const failures = validate({ retainOnDelete: "yes" as unknown as boolean, deleteAdoptedTopics: 1 as unknown as boolean });
    assert.equal(reasonOf(failures, "retainOnDelete"), "must be true or false, got a string; write retainOnDelete: true or leave it out");
    assert.equal(reasonOf(failures, "deleteAdoptedTopics"), "must be true or false, got number; write deleteAdoptedTopics: true or leave it out");
  });
});
