/**
 * End to end: the real Pulumi engine runs a program with a ResourceGroup (local runtime), a
 * TopicSet and a Connector against one of the bench's source servers (MariaDB: lifecycle.test.ts;
 * MySQL 8.0: lifecycle-mysql.test.ts) and its Kafka. One stack goes through the whole
 * life a user gives it: failing previews with their messages, up (a row arrives in Kafka), a
 * preview for each kind of change, refresh (a topic deleted by hand, a connector FAILED after its
 * account was dropped), and destroy (no topic, config, grant or process left), with the state
 * checked for plaintext secrets.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type mysql from "mysql2/promise";
import { groupTopics, tableTopic } from "../../runtime/contract/names";
import { repoRoot } from "../bench/process";
import { createPulumiSandbox, writeProject, type PulumiSandbox } from "../bench/pulumi";
import { useBench, type Bench } from "../bench/services";
import { consume, kafkaOf, uniqueName, type SourceFlavor } from "../runtime/fixtures";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const cdc = require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});
const c = new pulumi.Config();
const region = c.get("region") || "cn-hangzhou";
const kafka = {
  brokers: c.require("brokers").split(","),
  region,
  vpc: { vpcId: "vpc-kafka", cidrBlock: c.get("kafkaCidr") || "10.1.0.0/16", region },
};
const source = { host: "127.0.0.1", port: c.requireNumber("mysqlPort"), database: c.require("database"), user: c.require("user"), password: c.requireSecret("password") };
const tables = c.require("tables").split(",");
const partitions = c.getObject("partitions");
const group = new cdc.ResourceGroup("grp", {
  name: c.require("group"),
  region,
  kafka,
  sources: [{ vpc: { vpcId: "vpc-db", cidrBlock: "10.2.0.0/16", region } }],
  eniBindings: [{ vpcId: "vpc-db" }],
  runtime: { local: {} },
});
// The TopicSet only reads information_schema: any account does; the connector's own may not exist yet (manageGrants).
const lookup = { ...source, user: c.require("adminUser"), password: c.requireSecret("adminPassword") };
const topics = new cdc.TopicSet("topics", { kafka, source: lookup, tables, topicPrefix: c.require("prefix"), partitions });
const connector = new cdc.Connector("conn", {
  resourceGroup: group,
  name: c.require("connector"),
  source,
  tables,
  topicPrefix: c.require("prefix"),
  manageGrants: c.getBoolean("manageGrants") ? { adminUser: c.require("adminUser"), adminPassword: c.requireSecret("adminPassword") } : undefined,
  deployTimeoutSeconds: 120,
}, { dependsOn: [topics] });
exports.status = connector.status;
exports.topics = topics.topics;
exports.runtimeUrl = group.runtimeUrl;
`;

/** The whole suite on one source server; each test file calls it once (they run side by side). */
export function lifecycleSuite(source: SourceFlavor): void {
  const server = () => (source === "mysql" ? bench.mysql : bench.mariadb);
  let bench: Bench;
  let sandbox: PulumiSandbox;
  let project: string;
  let admin: mysql.Connection;
  const database = uniqueName("e2e_");
  const account = uniqueName("e2eacct");
  const accountPassword = `pw-${uniqueName("")}-secret`;
  const group = uniqueName("e2e-g-");
  const connector = uniqueName("e2e-c-");
  const prefix = uniqueName("e2e");
  // Unique per run: a connector's owner is project/stack/name, and one left registered by a killed
  // run on reused services would otherwise be taken over (a rename) by this run's.
  const projectName = uniqueName("cdc-e2e-");
  let runtimeUrl: string | undefined;

  async function pulumi(args: string[]): Promise<{ code: number; out: string; stdout: string }> {
    const result = await sandbox.pulumi(args, { cwd: project, timeoutMs: 5 * 60 * 1000 });
    return { code: result.code ?? -1, out: `${result.stdout}\n${result.stderr}`, stdout: result.stdout };
  }

  async function stackOutput<T>(name?: string): Promise<T> {
    const r = await pulumi(["stack", "output", ...(name ? [name] : []), "--json", "--show-secrets=false"]);
    assert.equal(r.code, 0, r.out);
    return JSON.parse(r.stdout) as T;
  }

  async function config(values: Record<string, string>, secret = false): Promise<void> {
    for (const [key, value] of Object.entries(values)) {
      const r = await pulumi(["config", "set", ...(secret ? ["--secret"] : []), key, value]);
      assert.equal(r.code, 0, r.out);
    }
  }

  async function preview(): Promise<{ code: number; out: string }> {
    return pulumi(["preview", "--diff"]);
  }

  before(async () => {
    bench = await useBench({ [source]: true, kafka: true, pulumi: true });
    admin = await server().adminConnection();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE TABLE ${database}.orders (id INT PRIMARY KEY, item VARCHAR(40))`);
    await admin.query(`CREATE TABLE ${database}.items (id INT PRIMARY KEY, name VARCHAR(40))`);
    await admin.query(`CREATE TABLE ${database}.audit (at DATETIME, note VARCHAR(40))`);
    // An account that lacks REPLICATION CLIENT, for the missing-grant preview.
    await admin.query(`CREATE USER 'e2e_nogrant_${database}'@'%' IDENTIFIED BY 'nogrant-pw'`);
    await admin.query(`GRANT SELECT, REPLICATION SLAVE ON *.* TO 'e2e_nogrant_${database}'@'%'`);
    sandbox = await createPulumiSandbox();
    project = path.join(sandbox.dir, "project");
    writeProject(project, { name: projectName, program: PROGRAM });
    assert.equal((await pulumi(["stack", "init", "dev"])).code, 0);
    await config({
      brokers: bench.kafka.brokers.join(","),
      mysqlPort: String(server().port),
      database,
      user: account,
      tables: "orders,audit",
      group,
      connector,
      prefix,
      manageGrants: "true",
      adminUser: server().admin.user,
    });
    await config({ password: accountPassword, adminPassword: server().admin.password }, true);
  });

  after(async () => {
    // Whatever a failing step left: destroy, then drop what the test made.
    if (sandbox) {
      await pulumi(["destroy", "--yes", "--skip-preview"]).catch(() => undefined);
      sandbox.remove();
    }
    await admin?.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
    await admin?.query(`DROP USER IF EXISTS '${account}'@'%', 'e2e_nogrant_${database}'@'%'`).catch(() => undefined);
    await admin?.end().catch(() => undefined);
  });

  describe("failing previews name the property, what is wrong and how to fix it", () => {
    test("a bad connector name", async () => {
      await config({ connector: "Bad_Name" });
      const r = await preview();
      await config({ connector });
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, /property name value \{Bad_Name\} has a problem: "Bad_Name" contains "B", "_", "N"; use only digits, lowercase letters and hyphens/);
    });

    test("a name or topic prefix another connector on the cluster already uses", async () => {
      // Another stack's connector, registered in another group's configs topic.
      const otherGroup = uniqueName("e2e-other-");
      const otherConfigs = groupTopics(otherGroup).configs;
      const kafka = kafkaOf(bench);
      const kafkaAdmin = kafka.admin();
      await kafkaAdmin.connect();
      await kafkaAdmin.createTopics({ topics: [{ topic: otherConfigs, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: otherConfigs, messages: [{ key: "taken-name", value: JSON.stringify({ name: "taken-name", topicPrefix: "takenprefix" }) }] });
      await producer.disconnect();
      try {
        await config({ connector: "taken-name", prefix: "takenprefix" });
        const r = await preview();
        await config({ connector, prefix });
        assert.notEqual(r.code, 0, r.out);
        assert.match(r.out, new RegExp(`property name value \\{taken-name\\} has a problem: connector name "taken-name" is already used by a connector of resource group "${otherGroup}" on this Kafka cluster`));
        assert.match(r.out, new RegExp(`property topicPrefix value \\{takenprefix\\} has a problem: topic prefix "takenprefix" is already used by connector "taken-name" \\(resource group "${otherGroup}"\\)`));
      } finally {
        await kafkaAdmin.deleteTopics({ topics: [otherConfigs] }).catch(() => undefined);
        await kafkaAdmin.disconnect();
      }
    });

    test("a region the connector does not support", async () => {
      await config({ region: "us-east-1" });
      const r = await preview();
      await config({ region: "cn-hangzhou" });
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, /property region value \{us-east-1\} has a problem: .*cn-hangzhou/);
    });

    test("overlapping CIDR blocks of the source and Kafka VPCs", async () => {
      await config({ kafkaCidr: "10.2.128.0/17" });
      const r = await preview();
      await config({ kafkaCidr: "10.1.0.0/16" });
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, /has a problem: property sources\[0\]\.vpc\.cidrBlock value "10\.2\.0\.0\/16": (?=.*10\.2\.128\.0\/17).*overlaps the Kafka VPC/);
    });

    test("a missing grant, with the GRANT statement to run", async () => {
      await config({ manageGrants: "false", user: `e2e_nogrant_${database}` });
      await config({ password: "nogrant-pw" }, true);
      const r = await preview();
      await config({ manageGrants: "true", user: account });
      await config({ password: accountPassword }, true);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`property source.user .*lacks REPLICATION CLIENT.*GRANT REPLICATION CLIENT ON \\*\\.\\* TO 'e2e_nogrant_${database}'@'%'`));
    });
  });

  describe("up, changes, refresh and destroy", () => {
    test("pulumi up deploys; a row inserted afterwards arrives in its topic", async () => {
      const r = await pulumi(["up", "--yes", "--skip-preview"]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`connector ${connector}: RUNNING`));
      const outputs = await stackOutput<{
        status: { state: string };
        topics: Record<string, { topic: string; partitions: number }>;
        runtimeUrl: string;
      }>();
      assert.equal(outputs.status.state, "RUNNING");
      assert.deepEqual(outputs.topics, { orders: { topic: `${prefix}_orders`, partitions: 6 }, audit: { topic: `${prefix}_audit`, partitions: 1 } });
      runtimeUrl = outputs.runtimeUrl;
      assert.equal((await fetch(`${runtimeUrl}/healthz`)).status, 200);

      await admin.query(`INSERT INTO ${database}.orders VALUES (1, 'first order')`);
      const messages = await consume(kafkaOf(bench), [tableTopic(prefix, "orders")], (m) => m.length >= 1, 60_000);
      const value = JSON.parse(messages[0].value) as { payload: { op: string; after: { dataColumn: Record<string, unknown> } } };
      assert.equal(value.payload.op, "INSERT");
      assert.deepEqual(value.payload.after.dataColumn, { id: 1, item: "first order" });
      assert.equal(messages[0].key, '{"id":1}');
    });

    test("the state holds no plaintext secret", async () => {
      const stateFile = fs.readdirSync(path.join(sandbox.backendDir, ".pulumi", "stacks", projectName)).find((f) => f.endsWith(".json")) as string;
      const state = fs.readFileSync(path.join(sandbox.backendDir, ".pulumi", "stacks", projectName, stateFile), "utf8");
      assert.ok(state.includes(account), "the state is the real one");
      assert.ok(!state.includes(accountPassword), "the source password is not in the state");
      assert.ok(!state.includes(server().admin.password), "the admin password is not in the state");
      assert.ok(!/"groupKey":\s*"/.test(state), "the group key is only stored encrypted");
    });

    test("preview: adding a table creates its topic; the connector says it is not backfilled", async () => {
      await config({ tables: "orders,audit,items" });
      const r = await preview();
      await config({ tables: "orders,audit" });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`TopicSet ${prefix}: will create topic ${prefix}_items \\(6 partitions\\)`));
      assert.match(r.out, new RegExp(`connector ${connector}: tables items will be added and streamed from now on; their existing rows are not backfilled`));
      assert.match(r.out, /~ pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:Connector: \(update\)/);
      assert.match(r.out, /2 to update/);
    });

    test("preview: removing a table deletes its topic", async () => {
      await config({ tables: "orders" });
      const r = await preview();
      await config({ tables: "orders,audit" });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`TopicSet ${prefix}: will delete topic ${prefix}_audit`));
      assert.match(r.out, new RegExp(`connector ${connector}: tables audit will no longer be streamed`));
    });

    test("preview: a new prefix replaces the topics and updates the connector", async () => {
      await config({ prefix: `${prefix}x` });
      const r = await preview();
      await config({ prefix });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /\+-pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:TopicSet: \(replace\)/);
      assert.match(r.out, /~ pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:Connector: \(update\)/);
    });

    test("preview: a new password updates the connector in place and stays secret", async () => {
      await config({ password: `${accountPassword}2` }, true);
      const r = await preview();
      await config({ password: accountPassword }, true);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /~ pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:Connector: \(update\)/);
      // Pulumi shows a secret's change only as an update of its resource, never the values.
      assert.match(r.out, /~ 1 to update/);
      assert.match(r.out, /password: \[secret\]/);
      assert.ok(!r.out.includes(accountPassword));
    });

    test("preview: more partitions update; fewer fail with the reason", async () => {
      await config({ partitions: JSON.stringify({ orders: 8 }) });
      const up = await preview();
      await config({ partitions: JSON.stringify({ orders: 3 }) });
      const down = await preview();
      assert.equal((await pulumi(["config", "rm", "partitions"])).code, 0);
      assert.equal(up.code, 0, up.out);
      assert.match(up.out, new RegExp(`TopicSet ${prefix}: will raise ${prefix}_orders from 6 to 8 partitions; running connectors use them within about 5 s, without a restart\\. With primary-key-hash partitioning about 75 % of keys`));
      assert.notEqual(down.code, 0, down.out);
      assert.match(down.out, new RegExp(`has a problem: property partitions\\.orders value 3: asks for 3 partitions but topic ${prefix}_orders has 6: Kafka cannot shrink partitions`));
    });

    test("refresh shows a topic deleted out of band, and up recreates it", async () => {
      const kafkaAdmin = kafkaOf(bench).admin();
      await kafkaAdmin.connect();
      // kafkajs may retry a delete that already happened and then report the topic unknown.
      await kafkaAdmin.deleteTopics({ topics: [`${prefix}_audit`] }).catch(() => undefined);
      assert.ok(!(await kafkaAdmin.listTopics()).includes(`${prefix}_audit`));
      await kafkaAdmin.disconnect();
      const r = await pulumi(["refresh", "--yes", "--skip-preview"]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`topic ${prefix}_audit no longer exists \\(deleted outside Pulumi\\)`));
      const up = await pulumi(["up", "--yes", "--skip-preview"]);
      assert.equal(up.code, 0, up.out);
      const outputs = await stackOutput<Record<string, { topic: string; partitions: number }>>("topics");
      assert.deepEqual(outputs.audit, { topic: `${prefix}_audit`, partitions: 1 });
    });

    test("up with a table added reconfigures the connector in place and streams the new table", async () => {
      const before = await stackOutput<{ status: { at: string } }>();
      await config({ tables: "orders,audit,items" });
      const r = await pulumi(["up", "--yes", "--skip-preview"]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /~\s+pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:Connector conn updated/);
      assert.doesNotMatch(r.out, /Connector conn (deleted|created|replaced)/);
      assert.match(r.out, new RegExp(`connector ${connector}: RUNNING`));
      const after = await stackOutput<{ status: { state: string; at: string }; topics: Record<string, { partitions: number }> }>();
      assert.equal(after.status.state, "RUNNING");
      assert.notEqual(after.status.at, before.status.at);
      assert.equal(after.topics.items.partitions, 6);
      await admin.query(`INSERT INTO ${database}.items VALUES (7, 'widget')`);
      const messages = await consume(kafkaOf(bench), [tableTopic(prefix, "items")], (m) => m.length >= 1, 60_000);
      assert.deepEqual((JSON.parse(messages[0].value) as { payload: { after: { dataColumn: unknown } } }).payload.after.dataColumn, { id: 7, name: "widget" });
    });

    test("refresh shows the connector FAILED after its account was dropped", async () => {
      await admin.query(`DROP USER '${account}'@'%'`);
      // The binlog connection outlives DROP USER: end it, so the runtime must log in again.
      const [threads] = await admin.query<mysql.RowDataPacket[]>("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?", [account]);
      for (const t of threads) await admin.query(`KILL ${Number(t.ID)}`).catch(() => undefined);
      let out = "";
      for (let i = 0; i < 30 && !/FAILED/.test(out); i++) {
        await new Promise((r) => setTimeout(r, 2_000));
        const r = await pulumi(["refresh", "--yes", "--skip-preview"]);
        assert.equal(r.code, 0, r.out);
        out = r.out;
      }
      assert.match(out, new RegExp(`connector ${connector}: FAILED: SOURCE_AUTH_FAILED`));
      // refresh updates the resource's state (stack outputs only change on up): read it there.
      const exported = JSON.parse((await pulumi(["stack", "export"])).stdout) as { deployment: { resources: { type: string; outputs?: { status?: { state: string; errorCode?: string } } }[] } };
      const status = exported.deployment.resources.find((r) => r.type.endsWith(":Connector"))?.outputs?.status ?? { state: "missing" };
      assert.equal(status.state, "FAILED");
      assert.equal(status.errorCode, "SOURCE_AUTH_FAILED");
      // Give the account back so destroy can revoke what the connector granted.
      await admin.query(`CREATE USER '${account}'@'%' IDENTIFIED BY '${accountPassword}'`);
    });

    test("destroy leaves no topics, configs, grants or processes", async () => {
      const r = await pulumi(["destroy", "--yes", "--skip-preview"]);
      assert.equal(r.code, 0, r.out);
      const kafkaAdmin = kafkaOf(bench).admin();
      await kafkaAdmin.connect();
      const topics = await kafkaAdmin.listTopics();
      await kafkaAdmin.disconnect();
      assert.deepEqual(topics.filter((t) => t.startsWith(`${prefix}_`) || Object.values(groupTopics(group)).includes(t)), []);
      // The connector created the account (manageGrants), so destroy dropped it.
      const [users] = await admin.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ?", [account]);
      assert.equal(Number(users[0].n), 0);
      if (runtimeUrl) await assert.rejects(fetch(`${runtimeUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }));
    });
  });
}
