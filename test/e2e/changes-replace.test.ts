/**
 * End to end, the real Pulumi engine: one deployed stack through the changes that replace or move
 * its connector (a new prefix, a new name, a new group, another address or port of the same
 * server, another database), a second connector, and a topic deleted by hand, one at a time,
 * while a writer inserts a row every 50 ms; per change, preview's operations are up's, nothing is
 * left to do after up, the live state is right and every row arrived once (see changes-suite.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connectorConsumerGroup, groupTopics, tableTopic } from "../../runtime/contract/names";
import { kafkaOf } from "../runtime/fixtures";
import { changesSuite, deployInitial, oneConnectorSpec } from "./changes-suite";

// Starts where the other change sequences leave a connector: two tables, autoAddTables matching
// a table that exists (so the connector made its topic), heartbeats on.
const suite = changesSuite(
  "cdc-changes-replace",
  (s) => oneConnectorSpec(s, ["orders", "audit"], { autoAddTables: "auto_.*", heartbeatSeconds: 2 }),
  (s) => s.ctx.admin.query(`CREATE TABLE ${s.db1}.auto_x (id INT PRIMARY KEY)`).then(() => undefined),
);
const { ctx, names, db1, db2, undeliverable, change, topicsNow, insertAndConsume } = suite;

describe("a deployed stack through replacements, rows written all along", () => {
  test("up: a group, a TopicSet and a connector with an auto-added table", async () => {
    await deployInitial(suite);
    const deadline = Date.now() + 30_000;
    while (!(await topicsNow()).has(`${names.p1}_auto_x`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.ok((await topicsNow()).has(`${names.p1}_auto_x`), "the connector made the auto-added table's topic");
  });

  test("a new topic prefix: new topics first, the connector moves, the old topics go at the end", async () => {
    await change(
      (s) => {
        s.topicSets.ts1.prefix = names.p2;
        s.connectors.c1.prefix = names.p2;
      },
      {
        // A TopicSet of another prefix is another TopicSet: replaced, its members with it.
        ops: ["c1 update", ...["ts1", "ts1-audit", "ts1-orders"].flatMap((r) => [`${r} create-replacement`, `${r} replace`, `${r} delete-replaced`])],
        notes: [`TopicSet ${names.p1}: will delete ${names.p1}_audit, ${names.p1}_orders with their records at the end of the update`, `connector ${names.n1}: topic prefix ${names.p1} becomes ${names.p2}`],
      },
      async () => {
        const topics = await topicsNow();
        for (const t of ["orders", "audit", "heartbeat", "auto_x"]) assert.equal(topics.has(`${names.p1}_${t}`), false, `${names.p1}_${t} is gone`);
        for (const t of ["orders", "audit", "heartbeat", "auto_x"]) assert.equal(topics.has(`${names.p2}_${t}`), true, `${names.p2}_${t} exists`);
      },
    );
  });

  test("renamed: replaced, the new connector resumes where the old one stopped", async () => {
    await change((s) => void (s.connectors.c1.name = names.n2), {
      ops: ["c1 create-replacement", "c1 replace", "c1 delete-replaced"],
      notes: [`connector ${names.n2} replaces ${names.n1} (same source server and database): ${names.n1} is stopped first and ${names.n2} resumes at its committed binlog position: no change is lost or repeated`],
    }, async () => {
      const kafka = kafkaOf(ctx.bench).admin();
      await kafka.connect();
      const groups = (await kafka.listGroups()).groups.map((g) => g.groupId);
      await kafka.disconnect();
      assert.equal(groups.includes(connectorConsumerGroup(names.n1)), false, "the old connector's lease group is gone");
    });
  });

  test("moved to a new resource group: the group is made, the connector replaced without a gap", async () => {
    await change(
      (s) => {
        s.groups.g2 = names.g2;
        s.connectors.c1.group = "g2";
      },
      {
        ops: ["g2 create", "g2-core create", "g2-runtime create", "c1 create-replacement", "c1 replace", "c1 delete-replaced"],
        notes: [`connector ${names.n2} replaces ${names.n2} (same source server and database)`],
      },
    );
  });

  test("the emptied group removed: its topics and runtime go", async () => {
    await change((s) => void delete s.groups.g1, { ops: ["g1 delete", "g1-core delete", "g1-runtime delete"] }, async () => {
      const topics = await topicsNow();
      for (const t of Object.values(groupTopics(names.g1))) assert.equal(topics.has(t), false, t);
    });
  });

  test("another address of the same server (localhost): replaced in place at its position", async () => {
    await change((s) => void (s.connectors.c1.host = "localhost"), {
      ops: ["c1 create-replacement", "c1 replace", "c1 delete-replaced"],
      notes: [`connector ${names.n2}: its new source localhost:${ctx.mariadb.port}/${db1} is the same server and database as 127.0.0.1:${ctx.mariadb.port}/${db1}`],
    });
  });

  test("another port of the same server (a ctx.proxy): replaced in place at its position", async () => {
    await change((s) => void (s.connectors.c1.port = ctx.proxy.port), {
      ops: ["c1 create-replacement", "c1 replace", "c1 delete-replaced"],
      notes: [`connector ${names.n2}: its new source localhost:${ctx.proxy.port}/${db1} is the same server and database as localhost:${ctx.mariadb.port}/${db1}`],
    });
  });

  test("two connectors in one group", async () => {
    await change(
      (s) => {
        s.topicSets.ts2 = { prefix: names.p3, database: db1, tables: ["items"] };
        s.connectors.c2 = { name: names.c2, group: "g2", topicSet: "ts2", host: "127.0.0.1", port: ctx.mariadb.port, database: db1, user: ctx.mariadb.cdc.user, tables: ["items"], prefix: names.p3 };
      },
      { ops: ["c2 create", "ts2 create", "ts2-items create"] },
      () => insertAndConsume(`INSERT INTO ${db1}.items VALUES (1, 'widget')`, tableTopic(names.p3, "items"), (v) => v.includes("widget")),
    );
  });

  test("another database: replaced in place; preview says the old database's later changes are not delivered", async () => {
    const switchedAt = ctx.writer.ids(db1).length;
    await change(
      (s) => {
        s.topicSets.ts1.database = db2;
        s.connectors.c1.database = db2;
      },
      {
        ops: ["ts1 update", "c1 create-replacement", "c1 replace", "c1 delete-replaced"],
        notes: [`connector ${names.n2}: its new source localhost:${ctx.proxy.port}/${db2} is another database than localhost:${ctx.proxy.port}/${db1}: the connector is stopped, and changes to localhost:${ctx.proxy.port}/${db1} after that are not delivered`],
      },
      async () => {
        ctx.writer.database = db2;
        // db1's rows arrived up to the stop and not after it: a prefix of what was written, without a gap.
        await new Promise((r) => setTimeout(r, 2_000));
        const old = ctx.writer.ids(db1);
        const counts = ctx.collector.counts();
        const delivered = old.filter((id) => counts.has(id));
        assert.ok(delivered.length >= switchedAt, "every row up to the change arrived");
        assert.deepEqual(delivered, old.slice(0, delivered.length), "no gap: the rows of db1 that arrived are the first ones");
        for (const id of old.slice(delivered.length)) undeliverable.add(id);
      },
    ).catch((error) => {
      ctx.writer.database = db2;
      throw error;
    });
  });

  test("a topic deleted by hand: refresh says so, up makes it again", async () => {
    const kafka = kafkaOf(ctx.bench).admin();
    await kafka.connect();
    await kafka.deleteTopics({ topics: [tableTopic(names.p2, "audit")] }).catch(() => undefined);
    await kafka.disconnect();
    const refresh = await ctx.stack.pulumi(["refresh", "--yes", "--skip-preview"]);
    assert.equal(refresh.code, 0, refresh.out);
    assert.match(refresh.out, new RegExp(`topic ${names.p2}_audit no longer exists \\(deleted outside Pulumi\\); pulumi up recreates it`));
    await change(() => undefined, { ops: ["ts1 update"], notes: [`TopicSet ${names.p2}: will create topic ${names.p2}_audit (1 partition)`] });
  });

  test("destroy: no topic, config, lease group, account or process is left; every row arrived once", async () => {
    await suite.destroyLeavesNothing();
  });
});
