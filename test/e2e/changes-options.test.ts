/**
 * End to end, the real Pulumi engine: one deployed stack through a change of each connector
 * option (compression, format, acks, partitionPolicy, retry, throttle, maxRecordBytes: a few per
 * step; heartbeats, the dead letter and DDL topics), one step at a time, while a writer inserts
 * a row every 50 ms; per change, preview's operations are up's and the step's, the live state is
 * right and every row arrived once (see changes-suite.ts; the other change sequences:
 * changes-*.test.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { changesSuite, deployInitial, oneConnectorSpec } from "./changes-suite";

const suite = changesSuite("cdc-changes-options", (s) => oneConnectorSpec(s, ["orders", "audit"]));
const { names, db1, change, topicsNow, insertAndConsume } = suite;

describe("a deployed stack through one change after another, rows written all along", () => {
  test("up: a group, a TopicSet and a connector", async () => {
    await deployInitial(suite);
  });

  // Options that restart the connector, a few per step (each step is a restart under load; the
  // diff of each option alone is unit-tested in test/provider/connector/diff.test.ts).
  for (const options of [
    { compression: "zstd", acks: "1" },
    { format: "canal", partitionPolicy: "table-hash" },
    { format: "dataworks", acks: "all" },
    { retry: { connectionMinutes: 30 }, throttle: { rowsPerSecond: 5000 }, maxRecordBytes: 4 * 1024 * 1024 },
  ] as Record<string, unknown>[]) {
    const keys = Object.keys(options);
    test(`connector options ${JSON.stringify(options)}: updated in place, restarted from its committed offset`, async () => {
      await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, ...options }), {
        ops: ["c1 update"],
        diffs: { c1: keys },
        notes: keys.map((key) => new RegExp(`connector ${names.n1}: restarts from its committed offset to apply [a-zA-Z, ]*\\b${key}\\b`)),
      });
    });
  }

  test("heartbeats off: the heartbeat topic the runtime made goes", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, heartbeatSeconds: 0 }), { ops: ["c1 update"], diffs: { c1: ["heartbeatSeconds"] }, notes: [new RegExp(`connector ${names.n1}: will delete topics it made that its new config no longer writes: ${names.p1}_heartbeat`)] }, async () => {
      assert.equal((await topicsNow()).has(`${names.p1}_heartbeat`), false);
    });
  });

  test("heartbeats back on: the runtime makes the topic again", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, heartbeatSeconds: 2 }), { ops: ["c1 update"], diffs: { c1: ["heartbeatSeconds"] } }, async () => {
      assert.equal((await topicsNow()).has(`${names.p1}_heartbeat`), true);
    });
  });

  test("another dead letter topic: the old, empty one goes", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, deadLetterTopic: `${names.p1}_dlq` }), { ops: ["c1 update"], diffs: { c1: ["deadLetterTopic"] }, notes: [new RegExp(`will delete topics it made that its new config no longer writes: ${names.p1}_dead_letter`)] }, async () => {
      const topics = await topicsNow();
      assert.deepEqual([topics.has(`${names.p1}_dead_letter`), topics.has(`${names.p1}_dlq`)], [false, true]);
    });
  });

  test("a DDL topic: DDL messages go there", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, ddlTopic: `${names.p1}_ddl` }), { ops: ["c1 update"], diffs: { c1: ["ddlTopic"] } }, async () => {
      await insertAndConsume(`ALTER TABLE ${db1}.audit ADD COLUMN extra INT`, `${names.p1}_ddl`, (v) => v.includes("ADD COLUMN extra"));
    });
  });

  test("destroy: no topic, config, lease group, account or process is left; every row arrived once", async () => {
    await suite.destroyLeavesNothing();
  });
});
