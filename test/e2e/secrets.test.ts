/**
 * End to end, the real Pulumi engine, against secured servers: where the secrets go. The stack
 * reaches Kafka over SASL_SSL (SCRAM-SHA-256) and the source over TLS verify-identity with a
 * client certificate; every resource is given its passwords and the TLS key as plain strings
 * (from the environment, as CI jobs do). The stack is deployed, rows are written throughout an
 * update that restarts the connector, and counted (exactly once); then the state and its backups
 * and history, the CLI's output, the runtime's directory and log, every record of every topic the
 * stack made, and the runtime processes' arguments and environment (what `ps e` shows) are
 * searched for each secret. And a secret read from plain (non-secret) stack config is named in a
 * preview warning.
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
import { deliveryProblems, idCounts } from "../runtime/load";

const PROGRAM = `
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const cdc = require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});
const c = new pulumi.Config();
const region = "cn-hangzhou";
// Plain strings: from the environment, or (the case preview warns about) from plain stack config.
const password = process.env.CDC_E2E_PASSWORD || c.require("password");
const adminPassword = process.env.CDC_E2E_ADMIN_PASSWORD || c.require("adminPassword");
const sasl = { mechanism: "scram-sha-256", username: c.require("saslUser"), password: process.env.CDC_E2E_SASL_PASSWORD || c.require("saslPassword") };
const kafka = { brokers: c.require("brokers").split(","), region, vpc: { vpcId: "vpc-kafka", cidrBlock: "10.1.0.0/16", region }, tls: { ca: fs.readFileSync(c.require("kafkaCaFile"), "utf8") }, sasl };
const tls = { mode: "verify-identity", serverName: "localhost", ca: fs.readFileSync(c.require("sourceCaFile"), "utf8"), cert: fs.readFileSync(c.require("clientCertFile"), "utf8"), key: process.env.CDC_E2E_TLS_KEY || c.require("tlsKey") };
const source = { host: "127.0.0.1", port: c.requireNumber("mysqlPort"), database: c.require("database"), user: c.require("user"), password, tls };
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
const projectName = uniqueName("cdc-secrets-");
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

const clientKey = () => fs.readFileSync(bench.mariadb.tls!.certificates.client.key, "utf8");
const fromEnvironment = () => ({
  CDC_E2E_PASSWORD: password,
  CDC_E2E_ADMIN_PASSWORD: bench.mariadb.admin.password,
  CDC_E2E_SASL_PASSWORD: bench.kafka.secured!.users.scram256.password,
  CDC_E2E_TLS_KEY: clientKey(),
});

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

/** The arguments and environment of every process of this stack's group (its supervisor and runtime), as `ps e` shows them. */
function groupProcesses(): { pid: string; text: string }[] {
  const found: { pid: string; text: string }[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (!environ.includes(`CDC_GROUP=${group}`)) continue;
      found.push({ pid, text: `${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")}\n${environ.join("\n")}` });
    } catch {
      // A process that ended meanwhile, or another user's.
    }
  }
  return found;
}

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true, pulumi: true });
  admin = await bench.mariadb.adminConnection();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`CREATE TABLE ${database}.orders (id INT PRIMARY KEY, item VARCHAR(40))`);
  sandbox = await createPulumiSandbox();
  project = path.join(sandbox.dir, "project");
  // Unique per run (a connector's owner is project/stack/name: see lifecycle.test.ts).
  writeProject(project, { name: projectName, program: PROGRAM });
  assert.equal((await pulumi(["stack", "init", "dev"])).code, 0);
  const secured = bench.kafka.secured!;
  const tls = bench.mariadb.tls!.certificates;
  const config = {
    brokers: secured.saslSsl.brokers.join(","),
    kafkaCaFile: secured.certificates.ca,
    saslUser: secured.users.scram256.username,
    sourceCaFile: tls.ca,
    clientCertFile: tls.client.cert,
    mysqlPort: String(bench.mariadb.port),
    database,
    user: account,
    adminUser: bench.mariadb.admin.user,
    group,
    connector,
    prefix,
    workDir: path.join(sandbox.dir, "runtime"),
  };
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

describe("secrets given as plain strings stay secret everywhere the product writes", () => {
  test("up over SASL_SSL and source TLS; rows written throughout refresh and a password rotated and back arrive exactly once", async () => {
    const up = await pulumi(["up", "--yes"], fromEnvironment());
    assert.equal(up.code, 0, up.out);
    // Rows go in from now until the last update is done (each update restarts the connector).
    const writer = await bench.mariadb.adminConnection(database);
    let written = 0;
    let writing = true;
    const rows = (async () => {
      while (writing) {
        const ids = Array.from({ length: 20 }, (_, i) => written + i + 1);
        await writer.query(`INSERT INTO orders VALUES ${ids.map((id) => `(${id}, 'item-${id}')`).join(",")}`);
        written += ids.length;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      assert.equal((await pulumi(["refresh", "--yes", "--skip-preview"], fromEnvironment())).code, 0);
      const rotation = await pulumi(["up", "--yes", "--diff"], { ...fromEnvironment(), CDC_E2E_PASSWORD: rotated });
      assert.equal(rotation.code, 0, rotation.out);
      assert.match(rotation.out, /restarts from its committed offset to apply source\.password/);
      const back = await pulumi(["up", "--yes"], fromEnvironment());
      assert.equal(back.code, 0, back.out);
    } finally {
      writing = false;
      await rows;
      await writer.end();
    }
    assert.ok(written > 100, `rows were written throughout (${written})`);
    const messages = await consume(kafkaOf(bench), [tableTopic(prefix, "orders")], (m) => new Set(m.map((x) => x.key)).size >= written, 120_000, 3_000);
    const { missing, duplicated } = deliveryProblems(idCounts(messages.map((m) => m.value)), written);
    assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] });
    assert.equal(messages.length, written);
  });

  test("no secret is in the state, its backups and history, the CLI output, the runtime's files and processes, or any topic", async () => {
    const saslPassword = bench.kafka.secured!.users.scram256.password;
    // A line of the key's base64 body: what any copy of the key would hold.
    const keyLine = clientKey().split("\n")[1]!;
    const secrets = [password, rotated, bench.mariadb.admin.password, saslPassword, keyLine];
    const files = filesUnder(sandbox.backendDir);
    assert.ok(files.some((f) => f.file.includes(`${path.sep}backups${path.sep}`)) && files.some((f) => f.text.includes(account)), "the state and its backups are there and real");
    const runtimeDir = path.join(sandbox.dir, "runtime");
    // The runtime's secrets file is the one place the Kafka login and the group key are kept in
    // the clear, readable by its owner only; the source's secrets are not in it.
    const secretsFile = path.join(runtimeDir, "secrets.json");
    assert.equal(fs.statSync(secretsFile).mode & 0o777, 0o600);
    const handedOver = fs.readFileSync(secretsFile, "utf8");
    assert.ok(handedOver.includes(saslPassword), "the secrets file is real");
    for (const secret of [password, rotated, bench.mariadb.admin.password, keyLine]) assert.ok(!handedOver.includes(secret), "no source secret in the runtime's secrets file");
    const runtimeFiles = filesUnder(runtimeDir).filter((f) => f.file !== secretsFile);
    assert.ok(runtimeFiles.some((f) => f.text.includes(connector)), "the runtime's log is there and real");
    assert.match(runtimeFiles.map((f) => f.text).join("\n"), /SASL_SSL \(scram-sha-256 as /);
    // Only its owner may read the runtime's directory and log.
    assert.equal(fs.statSync(runtimeDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(runtimeDir, "runtime.log")).mode & 0o777, 0o600);
    const processes = groupProcesses();
    assert.ok(processes.length >= 2, `the supervisor and the runtime run (${processes.map((p) => p.pid).join(", ")})`);
    const kafka = kafkaOf(bench);
    const kadmin = kafka.admin();
    await kadmin.connect();
    const ours = (await kadmin.listTopics()).filter((t) => t.startsWith(prefix) || Object.values(groupTopics(group)).includes(t));
    await kadmin.disconnect();
    assert.ok(ours.length >= 5, ours.join(", "));
    const records = await consume(kafka, ours, () => true, 30_000, 3_000);
    assert.ok(records.some((r) => r.topic === groupTopics(group).configs), "the config record was read");
    for (const secret of secrets) {
      for (const f of [...files, ...runtimeFiles]) assert.ok(!f.text.includes(secret), `a secret is in ${f.file}`);
      assert.ok(!output.join("\n").includes(secret), "a secret is in the CLI's output");
      for (const r of records) assert.ok(!r.value.includes(secret) && !r.key.includes(secret), `a secret is in topic ${r.topic}`);
      for (const p of processes) assert.ok(!p.text.includes(secret), `a secret is in the arguments or environment of process ${p.pid}`);
    }
  });

  test("secrets from plain stack config: preview names each key to set with --secret", async () => {
    const plain = { password, adminPassword: bench.mariadb.admin.password, saslPassword: bench.kafka.secured!.users.scram256.password, tlsKey: clientKey() };
    for (const [k, v] of Object.entries(plain)) {
      const set = await pulumi(["config", "set", "--plaintext", k, "--", v]);
      assert.equal(set.code, 0, set.out);
    }
    const r = await pulumi(["preview"]);
    for (const k of Object.keys(plain)) assert.equal((await pulumi(["config", "rm", k])).code, 0);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`Connector conn: source\\.password comes from stack config ${projectName}:password, which is not a secret: Pulumi keeps it in plaintext in Pulumi\\.<stack>\\.yaml and the stack's state \\(this resource keeps it encrypted\\)\\. Set it again with: pulumi config set --secret password <value>`));
    assert.match(r.out, new RegExp(`Connector conn: manageGrants\\.adminPassword comes from stack config ${projectName}:adminPassword, which is not a secret`));
    assert.match(r.out, new RegExp(`TopicSet topics: source\\.password comes from stack config ${projectName}:adminPassword, which is not a secret`));
    assert.match(r.out, new RegExp(`Connector conn: source\\.tls\\.key comes from stack config ${projectName}:tlsKey, which is not a secret`));
    assert.match(r.out, new RegExp(`TopicSet topics: source\\.tls\\.key comes from stack config ${projectName}:tlsKey, which is not a secret`));
    assert.match(r.out, new RegExp(`ResourceGroup grp: kafka\\.sasl\\.password comes from stack config ${projectName}:saslPassword, which is not a secret`));
    assert.match(r.out, new RegExp(`TopicSet topics: kafka\\.sasl\\.password comes from stack config ${projectName}:saslPassword, which is not a secret`));
  });
});
