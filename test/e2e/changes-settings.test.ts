/**
 * End to end, the real Pulumi engine: one deployed stack through changes of the connector's other
 * settings (autoAddTables, initialSync and startPosition once started, serverId, timezone,
 * retainOnDelete, paused, manageGrants), one at a time, while a writer inserts a row every 50 ms;
 * per change, preview's operations are up's, nothing is left to do after up, the live state is
 * right and every row arrived once (see changes-suite.ts; the other change sequences:
 * changes-*.test.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import mysql from "mysql2/promise";
import { changesSuite, deployInitial, oneConnectorSpec } from "./changes-suite";

const suite = changesSuite("cdc-changes-settings", (s) => oneConnectorSpec(s, ["orders", "audit"]));
const { ctx, names, db1, account, change, topicsNow, outputsOf, runtimeLogs, insertAndConsume } = suite;

describe("a deployed stack through one change after another, rows written all along", () => {
  test("up: a group, a TopicSet and a connector", async () => {
    await deployInitial(suite);
  });

  test("autoAddTables: a new matching table gets a topic the connector owns", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, autoAddTables: "auto_.*" }), { ops: ["c1 update"] }, async () => {
      await ctx.admin.query(`CREATE TABLE ${db1}.auto_x (id INT PRIMARY KEY)`);
      const deadline = Date.now() + 30_000;
      while (!(await topicsNow()).has(`${names.p1}_auto_x`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      await insertAndConsume(`INSERT INTO ${db1}.auto_x VALUES (1)`, `${names.p1}_auto_x`, (v) => v.includes('"id":1'));
    });
  });

  test("initialSync changed on a running connector: no update, preview says why", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, initialSync: true }), {
      ops: [],
      notes: [`connector ${names.n1}: initialSync applies at a connector's first start only; the running connector resumes from its committed offset and is not updated`],
    });
  });

  test("startPosition changed on a running connector: no update, preview says why", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, startPosition: "earliest" }), {
      ops: [],
      // initialSync, changed the step before and not applied either, is still said too.
      notes: [new RegExp(`connector ${names.n1}: (initialSync and )?startPosition appl(y|ies) at a connector's first start only`)],
    });
  });

  test("source.serverId: updated in place, restarted from the committed offset", async () => {
    await change((s) => void (s.connectors.c1.serverId = 424242), { ops: ["c1 update"], notes: [`connector ${names.n1}: restarts from its committed offset to apply source.serverId`] });
  });

  test("source.timezone: updated in place, restarted from the committed offset", async () => {
    await change((s) => void (s.connectors.c1.timezone = "+08:00"), { ops: ["c1 update"], notes: [`connector ${names.n1}: restarts from its committed offset to apply source.timezone`] });
  });

  test("the connector's retainOnDelete on, then off: the state is updated, the connector not restarted", async () => {
    const starts = () => runtimeLogs().split("\n").filter((l) => l.includes('"msg":"streaming the binlog"') && l.includes(`"connector":"${names.n1}"`)).length;
    const before = starts();
    for (const retainOnDelete of [true, false]) {
      await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, retainOnDelete }), {
        ops: ["c1 update"],
        notes: [`connector ${names.n1}: retainOnDelete changes without a restart`],
      });
    }
    assert.equal(starts(), before, "not restarted");
  });

  test("paused: PAUSED, and rows wait in the binlog", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, paused: true }), { ops: ["c1 update"], deferDelivery: true }, async () => {
      assert.equal(((await outputsOf("Connector", "c1")).status as { state: string }).state, "PAUSED");
    });
  });

  test("unpaused: the rows written meanwhile arrive, once", async () => {
    await change((s) => void (s.connectors.c1.options = { ...s.connectors.c1.options, paused: false }), { ops: ["c1 update"] });
  });

  test("manageGrants off, then on again: the account and its grants stay", async () => {
    await change((s) => void (s.connectors.c1.manageGrants = false), { ops: ["c1 update"], notes: [`connector ${names.n1}: manageGrants changes without a restart`] });
    await change((s) => void (s.connectors.c1.manageGrants = true), { ops: ["c1 update"] });
    const [grants] = await ctx.admin.query<mysql.RowDataPacket[]>(`SHOW GRANTS FOR '${account}'@'%'`);
    assert.match(grants.map((g) => String(Object.values(g)[0])).join("\n"), /REPLICATION SLAVE/);
  });

  test("destroy: no topic, config, lease group, account or process is left; every row arrived once", async () => {
    await suite.destroyLeavesNothing();
  });
});
