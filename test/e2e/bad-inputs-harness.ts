/**
 * The bad-input stacks' common part: a program of one group, one TopicSet and one connector by
 * default, whose `spec` (stack config) adds resources and overrides any argument (merged into the
 * defaults; `null` removes one; a file the config names), and `refused(spec, message)`: `pulumi up` fails in preview with
 * the message and nothing is created.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type mysql from "mysql2/promise";
import { repoRoot } from "../bench/process";
import { createPulumiSandbox, writeProject, type PulumiSandbox } from "../bench/pulumi";
import { useBench, type Bench } from "../bench/services";
import { kafkaOf, uniqueName } from "../runtime/fixtures";

export const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const cdc = require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});
const c = new pulumi.Config();
// A file the config names: writing it is cheaper than a "pulumi config set" per case.
const spec = JSON.parse(require("node:fs").readFileSync(c.require("specFile"), "utf8"));
const region = "cn-hangzhou";
function merge(base, over) {
  if (over === undefined) return base;
  if (over === null || typeof over !== "object" || Array.isArray(over) || typeof base !== "object" || base === null) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) { if (v === null) delete out[k]; else out[k] = merge(base[k], v); }
  return out;
}
const kafka = { brokers: c.require("brokers").split(","), region, vpc: { vpcId: "vpc-kafka", cidrBlock: "10.1.0.0/16", region } };
const source = { host: "127.0.0.1", port: c.requireNumber("mysqlPort"), database: c.require("database"), user: c.require("user"), password: c.requireSecret("password") };
const groups = {};
for (const g of spec.groups || [{ key: "grp" }]) {
  groups[g.key] = new cdc.ResourceGroup(g.key, merge({ name: c.require("tag") + "-" + g.key, region, kafka, sources: [{ vpc: { vpcId: "vpc-db", cidrBlock: "10.2.0.0/16", region } }], eniBindings: [{ vpcId: "vpc-db" }], runtime: { local: {} } }, g.args));
}
const sets = {};
for (const t of spec.topicSets || [{ key: "topics" }]) {
  sets[t.key] = new cdc.TopicSet(t.key, merge({ kafka, source, tables: ["orders"], topicPrefix: c.require("tag") + t.key }, t.args));
}
for (const x of spec.connectors || [{ key: "conn" }]) {
  const group = groups[x.group || "grp"];
  new cdc.Connector(x.key, merge({ resourceGroup: group, name: c.require("tag") + "-" + x.key, source, tables: ["orders"], topicPrefix: c.require("tag") + (x.topicSet || "topics"), deployTimeoutSeconds: 60 }, { ...x.args, resourceGroup: undefined }),
    { dependsOn: [sets[x.topicSet || "topics"]] });
}
`;

export interface BadInputsStack {
  bench: Bench;
  sandbox: PulumiSandbox;
  /** Prefix of every name the program makes. */
  tag: string;
  database: string;
  admin: mysql.Connection;
  pulumi(args: string[]): Promise<{ code: number; out: string; stdout: string }>;
  /** Writes the spec the program reads (the `specFile` its config names). */
  setSpec(spec: Record<string, unknown>): void;
  /** Sets the stack's spec; runs up: it fails in preview with `message` (without `secret`), and nothing is created. */
  refused(spec: Record<string, unknown>, message: RegExp, secret?: string): Promise<string>;
  nothingCreated(): Promise<void>;
  /** Destroys the stack, removes the sandbox and the database. */
  cleanup(): Promise<void>;
}

/** A stack of PROGRAM (project `name`), its database with table orders, its config set. */
export async function createBadInputsStack(name: string): Promise<BadInputsStack> {
  const bench = await useBench({ mariadb: true, kafka: true, pulumi: true });
  const database = uniqueName("bad_");
  const tag = `bad${uniqueName("").slice(0, 6)}`;
  const admin = await bench.mariadb.adminConnection();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`CREATE TABLE ${database}.orders (id INT PRIMARY KEY)`);
  const sandbox = await createPulumiSandbox();
  const project = path.join(sandbox.dir, "project");
  writeProject(project, { name, program: PROGRAM });
  const pulumi = async (args: string[]) => {
    const r = await sandbox.pulumi(args, { cwd: project, timeoutMs: 3 * 60 * 1000 });
    return { code: r.code ?? -1, out: `${r.stdout}\n${r.stderr}`, stdout: r.stdout };
  };
  const nothingCreated = async () => {
    const resources = (sandbox.deployment(name, "dev").resources ?? []).filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
    assert.deepEqual(resources.map((r) => r.type), [], "no resource was created");
    const kafka = kafkaOf(bench).admin();
    await kafka.connect();
    const topics = await kafka.listTopics();
    await kafka.disconnect();
    assert.deepEqual(topics.filter((t) => t.startsWith(tag) || t.startsWith(`cdc-${tag}`)), [], "no topic was created");
  };
  assert.equal((await pulumi(["stack", "init", "dev"])).code, 0);
  const specFile = path.join(project, "spec.json");
  const plain = { brokers: bench.kafka.brokers.join(","), mysqlPort: String(bench.mariadb.port), database, user: bench.mariadb.cdc.user, tag, specFile };
  const set = await pulumi(["config", "set-all", ...Object.entries(plain).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]), "--secret", `password=${bench.mariadb.cdc.password}`]);
  assert.equal(set.code, 0, set.out);
  return {
    bench,
    sandbox,
    tag,
    database,
    admin,
    pulumi,
    nothingCreated,
    setSpec(spec) {
      fs.writeFileSync(specFile, JSON.stringify(spec));
    },
    async refused(spec, message, secret) {
      fs.writeFileSync(specFile, JSON.stringify(spec));
      const r = await pulumi(["up", "--yes"]);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, message);
      if (secret) assert.ok(!r.out.includes(secret), "the secret is not in the output");
      await nothingCreated();
      return r.out;
    },
    async cleanup() {
      await pulumi(["destroy", "--yes", "--skip-preview"]).catch(() => undefined);
      sandbox.remove();
      await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}

export const conn = (args: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ connectors: [{ key: "conn", args }], ...extra });
export const topics = (args: Record<string, unknown>) => ({ topicSets: [{ key: "topics", args }] });
export const group = (args: Record<string, unknown>) => ({ groups: [{ key: "grp", args }] });
