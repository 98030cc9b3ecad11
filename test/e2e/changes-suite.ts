/**
 * The change-sequence suites' common part (test/e2e/changes-*.test.ts): one
 * deployed stack per file goes through a scripted sequence of changes, one at a time, while a
 * writer inserts a row every 50 ms. `change()` runs one change:
 *   - preview's operations per resource are up's operations (from the engine's event logs), and
 *     exactly the ones the step states: so a change the step before left undone (a perpetual
 *     diff) shows as an operation this step did not expect;
 *   - the live state is what the change says (the step's own checks);
 *   - every row written so far arrived exactly once in some <prefix>_orders topic.
 * The last state is checked the same way before destroy: `preview --expect-no-changes`. (A
 * no-change preview after every step cost a quarter of these files' time.)
 * Each file starts from its own spec and ends with `destroyLeavesNothing()`. Several files, so
 * the sequences run side by side (one was the test command's long pole at 12 minutes).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before } from "node:test";
import type mysql from "mysql2/promise";
import { connectorConsumerGroup, groupTopics } from "../../runtime/contract/names";
import { startMariaDb, type MariaDbInstance } from "../bench/mariadb";
import { createPulumiSandbox, writeProject, type PulumiSandbox } from "../bench/pulumi";
import { useBench, type Bench } from "../bench/services";
import { consume, kafkaOf, uniqueName } from "../runtime/fixtures";
import { changes, OrdersCollector, PROGRAM, RowWriter, StackDriver, startProxy, type Spec } from "./changes-harness";

export interface Expect {
  /** Exactly these changes ("name op"), in both preview and up; required unless refused. */
  ops?: string[];
  /** Per resource, the properties its detailed diff may name (each path starts with one of them). */
  diffs?: Record<string, string[]>;
  /** Lines the preview says. */
  notes?: (string | RegExp)[];
  /** The preview fails (nothing is deployed), saying this. */
  refused?: RegExp;
  /** Rows written so far need not have arrived yet (the connector is paused). */
  deferDelivery?: boolean;
}

export interface Names {
  g1: string;
  g2: string;
  n1: string;
  n2: string;
  c2: string;
  p1: string;
  p2: string;
  p3: string;
}

/** What a suite's steps use; the services and the stack are there once its `before` ran. */
export interface ChangesContext {
  bench: Bench;
  /** A private server: the writer's rows every 50 ms would keep the shared one from ever being idle (heartbeat tests). */
  mariadb: MariaDbInstance;
  admin: mysql.Connection;
  sandbox: PulumiSandbox;
  stack: StackDriver;
  writer: RowWriter;
  collector: OrdersCollector;
  /** The same MariaDB at another port. */
  proxy: Awaited<ReturnType<typeof startProxy>>;
  /** The spec deployed now. */
  spec: Spec;
  /** The managed account's password (config `password`); a step may rotate it. */
  password: string;
}

export interface ChangesSuite {
  ctx: ChangesContext;
  names: Names;
  db1: string;
  db2: string;
  /** The account manageGrants makes. */
  account: string;
  prefixes: string[];
  /** Rows preview said are not delivered (a database changes: the old one's later rows). */
  undeliverable: Set<number>;
  change(edit: (s: Spec) => void | Promise<void>, expect: Expect, checks?: () => Promise<void>): Promise<void>;
  expectDelivered(written?: number[]): Promise<void>;
  topicsNow(): Promise<Map<string, number>>;
  outputsOf(type: string, name: string): Promise<Record<string, unknown>>;
  runtimeLogs(): string;
  insertAndConsume(sql: string, topic: string, accept: (value: string) => boolean): Promise<void>;
  /** Checks nothing is left to do (a no-change preview), stops the writer, checks every row arrived once, destroys: no topic, config, lease group, account or process is left. */
  destroyLeavesNothing(): Promise<void>;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Registers the suite's before and after hooks: databases db1 and db2 (orders, audit; db1 also
 * items, and `setup`'s own), the stack with its config, the writer and the collector. The stack
 * is not deployed: the first step does it with `initial(suite)`.
 */
export function changesSuite(project: string, initial: (suite: ChangesSuite) => Spec, setup?: (suite: ChangesSuite) => Promise<void>): ChangesSuite {
  const tag = uniqueName("").slice(0, 6);
  // Unique per run: a connector's owner is project/stack/name, and one left registered by a killed
  // run on reused services would otherwise be taken over (a rename) by this run's.
  const projectName = `${project}-${tag}`;
  const names: Names = { g1: `chg-${tag}-g1`, g2: `chg-${tag}-g2`, n1: `chg-${tag}-a`, n2: `chg-${tag}-b`, c2: `chg-${tag}-c`, p1: `chg${tag}a`, p2: `chg${tag}b`, p3: `chg${tag}c` };
  const ctx = { password: `pw-${uniqueName("")}` } as ChangesContext;
  let destroyed = false;
  const suite: ChangesSuite = {
    ctx,
    names,
    db1: uniqueName("chg1_"),
    db2: uniqueName("chg2_"),
    account: uniqueName("chgacct"),
    prefixes: [names.p1, names.p2, names.p3],
    undeliverable: new Set<number>(),

    async change(edit, expect, checks) {
      assert.ok(expect.refused || expect.ops, "a step states its ops: a change left undone by the step before then shows as one it did not expect");
      const next = clone(ctx.spec);
      await edit(next);
      await ctx.stack.setSpec(next);
      const preview = await ctx.stack.preview();
      if (expect.refused) {
        await ctx.stack.setSpec(ctx.spec);
        assert.notEqual(preview.code, 0, preview.out);
        assert.match(preview.out, expect.refused);
        assert.deepEqual(changes(preview.ops).filter((o) => !o.endsWith(" same")), [], "a refused preview plans nothing");
        return;
      }
      assert.equal(preview.code, 0, preview.out);
      for (const note of expect.notes ?? []) {
        if (typeof note === "string") assert.ok(preview.out.includes(note), `preview says: ${note}\n---\n${preview.out}`);
        else assert.match(preview.out, note);
      }
      const up = await ctx.stack.up();
      assert.equal(up.code, 0, up.out);
      assert.deepEqual(changes(up.ops), changes(preview.ops), `up did what preview said\n--- preview\n${preview.out}\n--- up\n${up.out}`);
      if (expect.ops) assert.deepEqual(changes(up.ops), [...expect.ops].sort(), up.out);
      for (const [name, allowed] of Object.entries(expect.diffs ?? {})) {
        const paths = Object.keys(preview.ops.find((o) => o.name === name)?.detailedDiff ?? {});
        assert.ok(paths.length > 0, `preview names what changes in ${name}\n${preview.out}`);
        for (const p of paths) assert.ok(allowed.some((a) => p === a || p.startsWith(`${a}.`) || p.startsWith(`${a}[`)), `${name}'s diff names ${p}, not one of ${allowed.join(", ")}\n${preview.out}`);
      }
      ctx.spec = next;
      await checks?.();
      if (!expect.deferDelivery) await suite.expectDelivered();
    },

    async expectDelivered(written = ctx.writer.ids()) {
      const ids = written.filter((id) => !suite.undeliverable.has(id));
      const missing = await ctx.collector.await(ids, 60_000);
      assert.deepEqual(missing, [], `rows never delivered (of ${ids.length}):\n${suite.runtimeLogs().slice(-4000)}`);
      assert.deepEqual(ctx.collector.duplicates(), [], "rows delivered twice");
    },

    async topicsNow() {
      const kafka = kafkaOf(ctx.bench).admin();
      await kafka.connect();
      try {
        const metadata = await kafka.fetchTopicMetadata();
        return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
      } finally {
        await kafka.disconnect();
      }
    },

    /** The deployed resource's outputs from the state (refresh and up keep them there). */
    async outputsOf(type, name) {
      const found = (ctx.sandbox.deployment(projectName, "dev").resources ?? []).find((r) => r.type.endsWith(`:${type}`) && r.urn.endsWith(`::${name}`));
      return found?.outputs ?? {};
    },

    /** The logs of every local runtime this stack's groups ran (their workDir is under the sandbox). */
    runtimeLogs() {
      const dir = path.join(ctx.sandbox.dir, "runtimes");
      if (!fs.existsSync(dir)) return "";
      return fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".log")).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n");
    },

    async insertAndConsume(sql, topic, accept) {
      await ctx.admin.query(sql);
      const messages = await consume(kafkaOf(ctx.bench), [topic], (m) => m.some((x) => accept(x.value)), 60_000);
      assert.ok(messages.some((x) => accept(x.value)));
    },

    async destroyLeavesNothing() {
      const again = await ctx.stack.pulumi(["preview", "--expect-no-changes"]);
      assert.equal(again.code, 0, `nothing is left to do after the last up:\n${again.out}`);
      await ctx.writer.stop();
      await suite.expectDelivered();
      const destroy = await ctx.stack.pulumi(["destroy", "--yes", "--skip-preview"]);
      assert.equal(destroy.code, 0, destroy.out);
      destroyed = true;
      const topics = [...(await suite.topicsNow()).keys()];
      const ours = topics.filter((t) => suite.prefixes.some((p) => t.startsWith(`${p}_`)) || [names.g1, names.g2].some((g) => Object.values(groupTopics(g)).includes(t)));
      assert.deepEqual(ours, []);
      const kafka = kafkaOf(ctx.bench).admin();
      await kafka.connect();
      const groups = (await kafka.listGroups()).groups.map((g) => g.groupId);
      await kafka.disconnect();
      assert.deepEqual(groups.filter((g) => [names.n1, names.n2, names.c2].some((n) => g === connectorConsumerGroup(n))), []);
      const [users] = await ctx.admin.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ?", [suite.account]);
      assert.equal(Number(users[0].n), 0, "the account the connector made is dropped");
    },
  };

  before(async () => {
    ctx.bench = await useBench({ kafka: true, pulumi: true });
    ctx.mariadb = await startMariaDb({ parentDir: ctx.bench.runDir });
    ctx.admin = await ctx.mariadb.adminConnection();
    for (const db of [suite.db1, suite.db2]) {
      await ctx.admin.query(`CREATE DATABASE ${db}`);
      await ctx.admin.query(`CREATE TABLE ${db}.orders (id INT PRIMARY KEY, item VARCHAR(40))`);
      await ctx.admin.query(`CREATE TABLE ${db}.audit (at DATETIME, note VARCHAR(40))`);
    }
    await ctx.admin.query(`CREATE TABLE ${suite.db1}.items (id INT PRIMARY KEY, name VARCHAR(40))`);
    await setup?.(suite);
    ctx.proxy = await startProxy(ctx.mariadb.port);
    ctx.sandbox = await createPulumiSandbox();
    const dir = path.join(ctx.sandbox.dir, "project");
    writeProject(dir, { name: projectName, program: PROGRAM });
    ctx.stack = new StackDriver(ctx.sandbox, dir);
    assert.equal((await ctx.stack.pulumi(["stack", "init", "dev"])).code, 0);
    await ctx.stack.configAll(
      {
        brokers: ctx.bench.kafka.brokers.join(","),
        mysqlPort: String(ctx.mariadb.port),
        adminUser: ctx.mariadb.admin.user,
        cdcUser: ctx.mariadb.cdc.user,
        runtimeDir: path.join(ctx.sandbox.dir, "runtimes"),
        specFile: ctx.stack.specFile,
      },
      { adminPassword: ctx.mariadb.admin.password, cdcPassword: ctx.mariadb.cdc.password, password: ctx.password },
    );
    ctx.spec = initial(suite);
    ctx.writer = new RowWriter(await ctx.mariadb.adminConnection(), suite.db1);
    ctx.collector = new OrdersCollector(() => kafkaOf(ctx.bench), () => suite.prefixes);
    ctx.collector.start();
  });

  after(async () => {
    await ctx.writer?.stop().catch(() => undefined);
    await ctx.collector?.stop();
    if (ctx.sandbox) {
      // Left over by a step that failed (the last step destroys the stack itself).
      if (!destroyed) await ctx.stack.pulumi(["destroy", "--yes", "--skip-preview"]).catch(() => undefined);
      ctx.sandbox.remove();
    }
    await ctx.proxy?.close();
    for (const db of [suite.db1, suite.db2]) await ctx.admin?.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await ctx.admin?.query(`DROP USER IF EXISTS '${suite.account}'@'%'`).catch(() => undefined);
    await ctx.admin?.end().catch(() => undefined);
    await ctx.mariadb?.stop({ remove: true });
    await ctx.bench?.stop();
  });

  return suite;
}

/** The spec most sequences start from: group g1, TopicSet ts1 and connector c1 (manageGrants) on db1's `tables`. */
export function oneConnectorSpec(s: ChangesSuite, tables: string[], options?: Record<string, unknown>): Spec {
  return {
    groups: { g1: s.names.g1 },
    topicSets: { ts1: { prefix: s.names.p1, database: s.db1, tables: [...tables] } },
    connectors: {
      c1: { name: s.names.n1, group: "g1", topicSet: "ts1", host: "127.0.0.1", port: s.ctx.mariadb.port, database: s.db1, user: s.account, tables: [...tables], prefix: s.names.p1, manageGrants: true, ...(options ? { options } : {}) },
    },
  };
}

/** The first step of a suite: its spec deployed, the writer started, the rows so far delivered. */
export async function deployInitial(suite: ChangesSuite): Promise<void> {
  await suite.ctx.stack.setSpec(suite.ctx.spec);
  const up = await suite.ctx.stack.up();
  assert.equal(up.code, 0, up.out);
  suite.ctx.writer.start();
  await suite.expectDelivered();
}
