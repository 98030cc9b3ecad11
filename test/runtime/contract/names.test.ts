import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CONNECTOR_NAME_MAX,
  INTERNAL_TOPIC_CONFIGS,
  TOPIC_NAME_MAX,
  connectorConsumerGroup,
  connectorNameProblem,
  connectorTransactionalId,
  groupNameProblem,
  groupTopics,
  tableTopic,
  tableTopicProblem,
  topicPrefixProblem,
} from "../../../runtime/contract/names";

describe("connectorNameProblem", () => {
  test("accepts digits, lowercase letters and hyphens", () => {
    for (const name of ["a", "0", "orders-cdc", "9lives", "a-b-c-1-2-3", "x-"]) {
      assert.equal(connectorNameProblem(name), undefined, name);
    }
  });

  test("48 characters is the limit, 49 is too long", () => {
    assert.equal(CONNECTOR_NAME_MAX, 48);
    assert.equal(connectorNameProblem("a".repeat(48)), undefined);
    assert.equal(connectorNameProblem("a" + "-".repeat(47)), undefined);
    assert.equal(connectorNameProblem("a".repeat(49)), "is 49 characters long; the limit is 48");
  });

  test("empty names are rejected", () => {
    assert.equal(connectorNameProblem(""), "is empty; give 1 to 48 characters");
  });

  test("a leading hyphen is rejected with its own message", () => {
    assert.equal(connectorNameProblem("-orders"), "starts with a hyphen; start it with a digit or a lowercase letter");
    assert.equal(connectorNameProblem("-"), "starts with a hyphen; start it with a digit or a lowercase letter");
  });

  test("uppercase letters are named in the message", () => {
    assert.equal(connectorNameProblem("Orders"), 'contains "O"; use only digits, lowercase letters and hyphens');
  });

  test("underscores and other characters are each named once", () => {
    assert.equal(connectorNameProblem("order_cdc_x"), 'contains "_"; use only digits, lowercase letters and hyphens');
    assert.equal(connectorNameProblem("a.b c.D"), 'contains ".", " ", "D"; use only digits, lowercase letters and hyphens');
  });

  test("the length check comes before the character check", () => {
    assert.equal(connectorNameProblem("A".repeat(49)), "is 49 characters long; the limit is 48");
  });

  test("group names follow the same rules", () => {
    assert.equal(groupNameProblem("prod-group"), undefined);
    assert.equal(groupNameProblem("Prod"), 'contains "P"; use only digits, lowercase letters and hyphens');
    assert.equal(groupNameProblem("g".repeat(49)), "is 49 characters long; the limit is 48");
  });
});

describe("topic names", () => {
  test("a table's topic is <prefix>_<table>", () => {
    assert.equal(tableTopic("mysql", "orders"), "mysql_orders");
    assert.equal(tableTopic("shop.prod", "order_items"), "shop.prod_order_items");
  });

  test("topicPrefixProblem", () => {
    assert.equal(topicPrefixProblem("mysql"), undefined);
    assert.equal(topicPrefixProblem("My.Prefix-1_x"), undefined);
    assert.equal(topicPrefixProblem(""), 'is empty; give a prefix such as "mysql"');
    assert.equal(topicPrefixProblem("my prefix"), "may contain only letters, digits, '.', '_' and '-' (Kafka's topic characters)");
    assert.equal(topicPrefixProblem("pre/fix"), "may contain only letters, digits, '.', '_' and '-' (Kafka's topic characters)");
    assert.equal(TOPIC_NAME_MAX, 249);
    assert.equal(topicPrefixProblem("p".repeat(247)), undefined);
    assert.equal(topicPrefixProblem("p".repeat(248)), "is 248 characters long; topic names are limited to 249");
  });

  test("tableTopicProblem rejects tables with characters Kafka does not allow", () => {
    assert.equal(tableTopicProblem("mysql", "orders"), undefined);
    assert.equal(
      tableTopicProblem("mysql", "order items"),
      `table "order items" maps to topic "mysql_order items", which Kafka does not allow (letters, digits, '.', '_' and '-' only)`,
    );
    assert.match(tableTopicProblem("mysql", "订单") ?? "", /^table "订单" maps to topic "mysql_订单"/);
    assert.match(tableTopicProblem("mysql", "a$b") ?? "", /which Kafka does not allow/);
  });

  test("tableTopicProblem rejects topics longer than 249 characters", () => {
    const prefix = "p".repeat(200);
    assert.equal(tableTopicProblem(prefix, "t".repeat(48)), undefined); // 200 + 1 + 48 = 249
    assert.equal(
      tableTopicProblem(prefix, "t".repeat(49)),
      `topic "${prefix}_${"t".repeat(49)}" is longer than Kafka's 249 characters`,
    );
  });
});

describe("groups and internal topics", () => {
  test("the consumer group is connect-<name>", () => {
    assert.equal(connectorConsumerGroup("orders-cdc"), "connect-orders-cdc");
  });

  test("the transactional id is per group and connector", () => {
    assert.equal(connectorTransactionalId("prod", "orders-cdc"), "cdc-prod-orders-cdc");
  });

  test("groupTopics names the four internal topics", () => {
    assert.deepEqual(groupTopics("prod"), {
      configs: "cdc-prod-configs",
      status: "cdc-prod-status",
      offsets: "cdc-prod-offsets",
      leases: "cdc-prod-leases",
    });
  });

  test("internal topic configs: compacted state topics, deleted leases", () => {
    assert.equal(INTERNAL_TOPIC_CONFIGS.configs["cleanup.policy"], "compact");
    assert.equal(INTERNAL_TOPIC_CONFIGS.status["cleanup.policy"], "compact");
    assert.equal(INTERNAL_TOPIC_CONFIGS.offsets["cleanup.policy"], "compact");
    assert.equal(INTERNAL_TOPIC_CONFIGS.leases["cleanup.policy"], "delete");
    assert.deepEqual(Object.keys(INTERNAL_TOPIC_CONFIGS).sort(), ["configs", "leases", "offsets", "status"]);
  });
});
