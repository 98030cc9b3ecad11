/**
 * End to end, the real Pulumi engine: where the passwords go. Every resource is given its
 * passwords as plain strings (from the environment, as CI jobs do), the stack is deployed and a
 * row streamed; then the state and its backups and history, the CLI's output, the runtime's log
 * and every record of every topic the stack made are searched for each password. And a password
 * read from plain (non-secret) stack config is named in a preview warning.
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
import { consume, kafkaOf, uniqueName } from "../runtime/fixtures";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const cdc = require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});
const c = new pulumi.Config();
const region = "cn-hangzhou";
const kafka = { brokers: c.require("brokers").split(","), region, vpc: { vpcId: "vpc-kafka", cidrBlock: "10.1.0.0/16", region } };
// Plain strings: from the environment, or (the case preview warns about) from plain stack config.
const password = process.env.CDC_E2E_PASSWORD || c.require("password");
const adminPassword = process.env.CDC_E2E_ADMIN_PASSWORD || c.require("adminPassword");
const source = { host: "127.0.0.1", port: c.requireNumber("mysqlPort"), database: c.require("database"), user: c.require("user"), password };
const group = new cdc.ResourceGroup("grp", { name: c.require("group"), region, kafka, sources: [{ vpc: { vpcId: "vpc-db", cidrBlock: "10.2.0.0/16", region } }], eniBindings: [{ vpcId: "vpc-db" }], runtime: { local: { workDir: c.require("workDir") } } });
const topics = new cdc.TopicSet("topics", { kafka, source: { ...source, user: c.require("adminUser"), password: adminPassword }, tables: ["orders"], topicPrefix: c.require("prefix") });
new cdc.Connector("conn", { resourceGroup: group, name: c.require("connector"), source, tables: ["orders"], topicPrefix: c.require("prefix"),
  manageGrants: { adminUser: c.require("adminUser"), adminPassword }, deployTimeoutSeconds: 120 }, { dependsOn: [topics] });
`;

let bench: Bench;
let sandbox: PulumiSandbox;
let project: string;
let admin: mysql.Connection;
const database = uniqueName("sec_");
const account = uniqueName("secacct");
const password = `pw-${uniqueName("")}-secret`;
const rotated = `pw-${uniqueName("")}-rotated`;
const group = uniqueName("sec-g-");
const connector = uniqueName("sec-c-");
const prefix = uniqueName("sec");
const output: string[] = [];

async function pulumi(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const r = await sandbox.pulumi(args, { cwd: project, timeoutMs: 5 * 60 * 1000, env });
  const out = `${r.stdout}\n${r.stderr}`;
  output.push(out);
  return { code: r.code ?? -1, out };
}

const fromEnvironment = () => ({ CDC_E2E_PASSWORD: password, CDC_E2E_ADMIN_PASSWORD: bench.mariadb.admin.password });

/** Every file under dir, as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile())
    .map((file) => ({ file, text: fs.readFileSync(file, "latin1") }));
}

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true, pulumi: true });
  admin = await bench.mariadb.adminConnection();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`CREATE TABLE ${database}.orders (id INT PRIMARY KEY, item VARCHAR(40))`);
  sandbox = await createPulumiSandbox();
  project = path.join(sandbox.dir, "project");
  writeProject(project, { name: "cdc-secrets", program: PROGRAM });
  assert.equal((await pulumi(["stack", "init", "dev"])).code, 0);
  const config = { brokers: bench.kafka.brokers.join(","), mysqlPort: String(bench.mariadb.port), database, user: account, adminUser: bench.mariadb.admin.user, group, connector, prefix, workDir: path.join(sandbox.dir, "runtime") };
  for (const [k, v] of Object.entries(config)) assert.equal((await pulumi(["config", "set", k, v])).code, 0);
});

after(async () => {
  if (sandbox) {
    await pulumi(["destroy", "--yes", "--skip-preview"], fromEnvironment()).catch(() => undefined);
    sandbox.remove();
  }
  await admin?.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
  await admin?.query(`DROP USER IF EXISTS '${account}'@'%'`).catch(() => undefined);
  await admin?.end().catch(() => undefined);
});

describe("passwords given as plain strings stay secret everywhere the product writes", () => {
  test("up, a row streams, refresh, a password rotated and back", async () => {
    const up = await pulumi(["up", "--yes"], fromEnvironment());
    assert.equal(up.code, 0, up.out);
    await admin.query(`INSERT INTO ${database}.orders VALUES (1, 'one')`);
    await consume(kafkaOf(bench), [tableTopic(prefix, "orders")], (m) => m.length >= 1, 60_000);
    assert.equal((await pulumi(["refresh", "--yes", "--skip-preview"], fromEnvironment())).code, 0);
    const rotation = await pulumi(["up", "--yes", "--diff"], { ...fromEnvironment(), CDC_E2E_PASSWORD: rotated });
    assert.equal(rotation.code, 0, rotation.out);
    assert.match(rotation.out, /restarts from its committed offset to apply source\.password/);
    assert.equal((await pulumi(["up", "--yes"], fromEnvironment())).code, 0);
  });

  test("no password is in the state, its backups and history, the CLI output, the runtime's log or any topic", async () => {
    const secrets = [password, rotated, bench.mariadb.admin.password];
    const files = filesUnder(sandbox.backendDir);
    assert.ok(files.some((f) => f.file.includes(`${path.sep}backups${path.sep}`)) && files.some((f) => f.text.includes(account)), "the state and its backups are there and real");
    const runtimeLog = filesUnder(path.join(sandbox.dir, "runtime"));
    assert.ok(runtimeLog.some((f) => f.text.includes(connector)), "the runtime's log is there and real");
    // Only its owner may read the runtime's directory and log.
    assert.equal(fs.statSync(path.join(sandbox.dir, "runtime")).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(sandbox.dir, "runtime", "runtime.log")).mode & 0o777, 0o600);
    const kafka = kafkaOf(bench);
    const kadmin = kafka.admin();
    await kadmin.connect();
    const ours = (await kadmin.listTopics()).filter((t) => t.startsWith(prefix) || Object.values(groupTopics(group)).includes(t));
    await kadmin.disconnect();
    assert.ok(ours.length >= 5, ours.join(", "));
    const records = await consume(kafka, ours, () => true, 30_000, 3_000);
    assert.ok(records.some((r) => r.topic === groupTopics(group).configs), "the config record was read");
    for (const secret of secrets) {
      for (const f of [...files, ...runtimeLog]) assert.ok(!f.text.includes(secret), `a password is in ${f.file}`);
      assert.ok(!output.join("\n").includes(secret), "a password is in the CLI's output");
      for (const r of records) assert.ok(!r.value.includes(secret) && !r.key.includes(secret), `a password is in topic ${r.topic}`);
    }
  });

  test("passwords from plain stack config: preview names each key to set with --secret", async () => {
    assert.equal((await pulumi(["config", "set", "--plaintext", "password", password])).code, 0);
    assert.equal((await pulumi(["config", "set", "--plaintext", "adminPassword", bench.mariadb.admin.password])).code, 0);
    const r = await pulumi(["preview"]);
    assert.equal((await pulumi(["config", "rm", "password"])).code, 0);
    assert.equal((await pulumi(["config", "rm", "adminPassword"])).code, 0);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Connector conn: source\.password comes from stack config cdc-secrets:password, which is not a secret: Pulumi keeps it in plaintext in Pulumi\.<stack>\.yaml and the stack's state \(this resource keeps it encrypted\)\. Set it again with: pulumi config set --secret password <value>/);
    assert.match(r.out, /Connector conn: manageGrants\.adminPassword comes from stack config cdc-secrets:adminPassword, which is not a secret/);
    assert.match(r.out, /TopicSet topics: source\.password comes from stack config cdc-secrets:adminPassword, which is not a secret/);
  });
});
