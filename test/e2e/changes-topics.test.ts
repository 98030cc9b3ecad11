/**
 * End to end, the real Pulumi engine: one deployed stack through changes of its tables and
 * topics (tables added and removed, retainOnDelete, table order, partitions, topicConfigs) and a
 * password rotation, one at a time, while a writer inserts a row every 50 ms; per change,
 * preview's operations are up's, nothing is left to do after up, the live state is right and
 * every row arrived once (see changes-suite.ts; the other change sequences:
 * changes-*.test.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import mysql from "mysql2/promise";
import { tableTopic } from "../../runtime/contract/names";
import { kafkaOf, uniqueName } from "../runtime/fixtures";
import { changesSuite, deployInitial, oneConnectorSpec } from "./changes-suite";

const suite = changesSuite("cdc-changes-topics", (s) => oneConnectorSpec(s, ["orders", "items"]));
const { ctx, names, db1, account, change, topicsNow, outputsOf, runtimeLogs, insertAndConsume } = suite;

describe("a deployed stack through one change after another, rows written all along", () => {
  test("up: a group, a TopicSet and a connector", async () => {
    await deployInitial(suite);
  });

  test("a table added: its topic, its member, the connector updated; its rows stream", async () => {
    await change(
      (s) => {
        s.topicSets.ts1.tables.push("audit");
        s.connectors.c1.tables.push("audit");
      },
      { ops: ["c1 update", "ts1 update", "ts1-audit create"], notes: [`TopicSet ${names.p1}: will create topic ${names.p1}_audit (1 partition)`, `connector ${names.n1}: tables audit will be added and streamed from now on`] },
      () => insertAndConsume(`INSERT INTO ${db1}.audit VALUES (NOW(), 'first')`, tableTopic(names.p1, "audit"), (v) => v.includes('"first"')),
    );
  });

  test("a table removed: the connector stops streaming it before its topic is deleted (no stall)", async () => {
    const logBefore = runtimeLogs().length;
    await change(
      (s) => {
        s.topicSets.ts1.tables = s.topicSets.ts1.tables.filter((t) => t !== "items");
        s.connectors.c1.tables = s.connectors.c1.tables.filter((t) => t !== "items");
      },
      { ops: ["c1 update", "ts1 update", "ts1-items delete"], notes: [`TopicSet ${names.p1}: will delete topic ${names.p1}_items at the end of the update, after the connectors stopped writing it`, `connector ${names.n1}: tables items will no longer be streamed`] },
      async () => {
        assert.equal((await topicsNow()).has(tableTopic(names.p1, "items")), false);
        const since = runtimeLogs().slice(logBefore);
        assert.doesNotMatch(since, /TOPIC_MISSING|"msg":"connector failed"/, "the connector never wrote to a deleted topic");
      },
    );
  });

  test("retainOnDelete turned on: the TopicSet and its members are updated, nothing else", async () => {
    await change((s) => void (s.topicSets.ts1.retainOnDelete = true), { ops: ["ts1 update", "ts1-audit update", "ts1-orders update"] });
  });

  test("a table removed with retainOnDelete: its topic is kept", async () => {
    await change(
      (s) => {
        s.topicSets.ts1.tables = ["orders"];
        s.connectors.c1.tables = ["orders"];
      },
      { ops: ["c1 update", "ts1 update", "ts1-audit delete"], notes: [`TopicSet ${names.p1}: will keep topic ${names.p1}_audit of a removed table (retainOnDelete)`] },
      async () => assert.equal((await topicsNow()).has(tableTopic(names.p1, "audit")), true),
    );
  });

  test("the table added back takes its kept topic back (not 'will create')", async () => {
    await change(
      (s) => {
        s.topicSets.ts1.tables = ["orders", "audit"];
        s.connectors.c1.tables = ["orders", "audit"];
      },
      { ops: ["c1 update", "ts1 update", "ts1-audit create"], notes: [`TopicSet ${names.p1}: will take back topic ${names.p1}_audit, kept when its table was removed (retainOnDelete)`] },
      async () => {
        const preview = await ctx.stack.preview();
        assert.doesNotMatch(preview.out, /will create topic/);
      },
    );
  });

  test("changing retainOnDelete in the update that removes a table is refused, with the two steps to take", async () => {
    await change(
      (s) => {
        s.topicSets.ts1.retainOnDelete = false;
        s.topicSets.ts1.tables = ["orders"];
        s.connectors.c1.tables = ["orders"];
      },
      { refused: /property retainOnDelete value \{false\} has a problem: changes in the same update that removes tables audit, whose topics would still follow the old retainOnDelete \(true\): run pulumi up with the new retainOnDelete first, then remove the tables/ },
    );
  });

  test("the tables in another order: no change at all", async () => {
    await change(
      (s) => {
        s.topicSets.ts1.tables = ["audit", "orders"];
        s.connectors.c1.tables = ["audit", "orders"];
      },
      { ops: [] },
    );
  });

  test("more partitions: the running connector writes to them without a restart, and preview says how many keys move", async () => {
    const before = await outputsOf("Connector", "c1");
    await change(
      (s) => void (s.topicSets.ts1.partitions = { orders: 8 }),
      { ops: ["ts1 update"], notes: [`TopicSet ${names.p1}: will raise ${names.p1}_orders from 6 to 8 partitions; running connectors use them within about 5 s, without a restart. With primary-key-hash partitioning about 75 % of keys then map to another partition`] },
      async () => {
        const raisedAt = ctx.writer.ids().length;
        const deadline = Date.now() + 30_000;
        while (!ctx.collector.delivered.some((d) => d.partition >= 6 && d.id > raisedAt) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        assert.ok(ctx.collector.delivered.some((d) => d.partition >= 6), "rows reach partitions 6 and 7");
        assert.equal((await outputsOf("Connector", "c1")).revision, before.revision, "the connector was not updated");
      },
    );
  });

  test("fewer partitions are refused, naming the property and its value", async () => {
    await change((s) => void (s.topicSets.ts1.partitions = { orders: 4 }), {
      refused: new RegExp(`has a problem: property partitions\\.orders value 4: asks for 4 partitions but topic ${names.p1}_orders has 8: Kafka cannot shrink partitions`),
    });
  });

  test("topicConfigs: set on every topic", async () => {
    await change((s) => void (s.topicSets.ts1.topicConfigs = { "retention.ms": "86400000" }), { ops: ["ts1 update"], notes: [`TopicSet ${names.p1}: will set the configs of ${names.p1}_orders to topicConfigs`] }, async () => {
      const kafka = kafkaOf(ctx.bench).admin();
      await kafka.connect();
      const described = await kafka.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: tableTopic(names.p1, "orders") }] });
      await kafka.disconnect();
      assert.equal(described.resources[0].configEntries.find((e) => e.configName === "retention.ms")?.configValue, "86400000");
    });
  });

  test("retainOnDelete off again", async () => {
    await change((s) => void (s.topicSets.ts1.retainOnDelete = false), { ops: ["ts1 update", "ts1-audit update", "ts1-orders update"] });
  });

  test("the password rotated: an update, the detailed diff names source.password and never shows it", async () => {
    const old = ctx.password;
    const password = `pw-${uniqueName("")}`;
    ctx.password = password;
    await ctx.stack.config("password", password, true);
    const json = await ctx.stack.pulumi(["preview", "--json"]);
    assert.equal(json.code, 0, json.out);
    const steps = (JSON.parse(json.stdout) as { steps: { urn: string; op: string; detailedDiff: Record<string, unknown> | null }[] }).steps;
    const connector = steps.find((s) => s.urn.endsWith("::c1"));
    assert.equal(connector?.op, "update");
    assert.deepEqual(Object.keys(connector?.detailedDiff ?? {}), ["source.password"]);
    assert.ok(!json.out.includes(password) && !json.out.includes(old));
    await change(() => undefined, { ops: ["c1 update"], notes: [`connector ${names.n1}: restarts from its committed offset to apply source.password`] }, async () => {
      const login = await mysql.createConnection({ host: "127.0.0.1", port: ctx.mariadb.port, user: account, password });
      await login.end();
    });
  });

  test("destroy: no topic, config, lease group, account or process is left; every row arrived once", async () => {
    await suite.destroyLeavesNothing();
  });
});
