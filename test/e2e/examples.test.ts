/**
 * The examples under examples/, run by the real Pulumi engine against the bench where they can be:
 * the cross-region example's two CEN setups (one passes the checks, one fails with the message
 * users see), the multi-environment example's dev stack (its committed Pulumi.dev.yaml plus the
 * per-stack secret), the secured example against the bench's TLS MariaDB (an account created
 * REQUIRE SSL) and SASL_SSL listener, and every example's Pulumi.yaml points at its compiled program.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../bench/process";
import { createPulumiSandbox, writeProject, type PulumiSandbox } from "../bench/pulumi";
import { useBench, type Bench } from "../bench/services";
import { uniqueName } from "../runtime/fixtures";

let bench: Bench;
let sandbox: PulumiSandbox;

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true, pulumi: true });
  sandbox = await createPulumiSandbox();
});

after(() => sandbox?.remove());

describe("every example's Pulumi.yaml runs its compiled program", () => {
  for (const example of ["quickstart", "cross-region", "multi-environment", "kubernetes", "secured"]) {
    test(example, () => {
      const dir = example === "quickstart" ? repoRoot : path.join(repoRoot, "examples", example);
      const main = /^main:\s*(\S+)\s*$/m.exec(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"))?.[1];
      assert.ok(main, `${dir}/Pulumi.yaml has a main`);
      assert.ok(fs.existsSync(path.join(dir, main)), `${main} exists after npm run build`);
      assert.equal(path.resolve(dir, main), path.join(repoRoot, "dist", "examples", example, "index.js"));
    });
  }
});

describe("cross-region example", () => {
  let project: string;
  before(async () => {
    project = path.join(sandbox.dir, "cross-region");
    writeProject(project, { name: "cdc-xregion", program: `require(${JSON.stringify(path.join(repoRoot, "dist", "examples", "cross-region", "index.js"))});` });
    const init = await sandbox.pulumi(["stack", "init", "dev"], { cwd: project });
    assert.equal(init.code, 0, init.stderr);
    const set = await sandbox.pulumi(["config", "set", "kafkaBrokers", bench.kafka.brokers.join(",")], { cwd: project });
    assert.equal(set.code, 0, set.stderr);
  });

  test("a CEN with both VPCs and bandwidth for the region pair passes the checks", async () => {
    await sandbox.pulumi(["config", "set", "scenario", "passes"], { cwd: project });
    const r = await sandbox.pulumi(["preview"], { cwd: project });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /\+\s+pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:ResourceGroupCore\s+cross-region-core\s+create/);
    assert.match(r.stdout, /\+\s+pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:LocalRuntime\s+cross-region-runtime\s+create/);
  });

  test("without the bandwidth package, preview fails and says what to configure (no auto-created CEN)", async () => {
    await sandbox.pulumi(["config", "set", "scenario", "fails"], { cwd: project });
    const r = await sandbox.pulumi(["preview"], { cwd: project });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.notEqual(r.code, 0, out);
    assert.match(
      out,
      /has a problem: property cen\.bandwidths: CEN "cen-shop" has no cross-region bandwidth between cn-beijing and cn-hangzhou\. Buy a bandwidth package for that region pair and add \{ regions: \["cn-beijing", "cn-hangzhou"\], mbps \} to cen\.bandwidths\./,
    );
    // Nothing is created behind the user's back: the preview stops at the check.
    assert.doesNotMatch(out, /LocalRuntime\s+cross-region-runtime\s+create/);
  });
});

describe("multi-environment example", () => {
  const database = uniqueName("multienv_");
  after(async () => {
    const admin = await bench.mariadb.adminConnection();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  test("the dev stack previews cleanly from Pulumi.dev.yaml and a secret read with requireSecret", async () => {
    const admin = await bench.mariadb.adminConnection();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE TABLE ${database}.orders (id INT PRIMARY KEY)`);
    await admin.query(`CREATE TABLE ${database}.order_items (order_id INT, line INT, PRIMARY KEY (order_id, line))`);
    await admin.end();
    const example = path.join(repoRoot, "examples", "multi-environment");
    const project = path.join(sandbox.dir, "multi-environment");
    writeProject(project, { name: "mysql-kafka-cdc-multi-env", program: `require(${JSON.stringify(path.join(repoRoot, "dist", "examples", "multi-environment", "index.js"))});` });
    fs.copyFileSync(path.join(example, "Pulumi.dev.yaml"), path.join(project, "Pulumi.dev.yaml"));
    const run = async (args: string[]) => {
      const r = await sandbox.pulumi(args, { cwd: project });
      return { code: r.code, out: `${r.stdout}\n${r.stderr}` };
    };
    assert.equal((await run(["stack", "init", "dev"])).code, 0);
    // Where the bench differs from the committed dev config: its ports and account.
    for (const [key, value] of Object.entries({
      kafkaBrokers: bench.kafka.brokers.join(","),
      sourcePort: String(bench.mariadb.port),
      sourceDatabase: database,
      sourceUser: bench.mariadb.cdc.user,
    })) {
      assert.equal((await run(["config", "set", key, value])).code, 0);
    }
    assert.equal((await run(["config", "set", "--secret", "sourcePassword", bench.mariadb.cdc.password])).code, 0);
    const r = await run(["preview"]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /\+\s+pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:TopicSet\s+shop\s+create/);
    assert.match(r.out, /\+\s+pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:Connector\s+shop-dev\s+create/);
    assert.match(r.out, /\+\s+pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:LocalRuntime\s+cdc-dev-runtime\s+create/);
    assert.ok(!r.out.includes(bench.mariadb.cdc.password), "the secret is not printed");
    const stackConfig = fs.readFileSync(path.join(project, "Pulumi.dev.yaml"), "utf8");
    assert.match(stackConfig, /sourcePassword:\s*\n\s*secure: /);
    assert.ok(!stackConfig.includes(bench.mariadb.cdc.password));
  });
});

describe("secured example", () => {
  const database = uniqueName("secured_");
  after(async () => {
    const admin = await bench.mariadb.adminConnection();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  test("an RDS-style TLS source and an ApsaraMQ-style SASL_SSL cluster preview cleanly, logging in to both", async () => {
    const admin = await bench.mariadb.adminConnection();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE TABLE ${database}.orders (id INT PRIMARY KEY)`);
    await admin.end();
    const project = path.join(sandbox.dir, "secured");
    writeProject(project, { name: "mysql-kafka-cdc-secured", program: `require(${JSON.stringify(path.join(repoRoot, "dist", "examples", "secured", "index.js"))});` });
    const run = async (args: string[]) => {
      const r = await sandbox.pulumi(args, { cwd: project });
      return { code: r.code, out: `${r.stdout}\n${r.stderr}` };
    };
    assert.equal((await run(["stack", "init", "dev"])).code, 0);
    const secured = bench.kafka.secured!;
    const tls = bench.mariadb.tls!;
    for (const [key, value] of Object.entries({
      kafkaBrokers: secured.saslSsl.brokers.join(","),
      kafkaCaFile: secured.certificates.ca,
      kafkaUser: secured.users.scram256.username,
      sourceHost: "127.0.0.1",
      sourcePort: String(bench.mariadb.port),
      sourceDatabase: database,
      sourceUser: tls.requireSsl.user,
      sourceCaFile: tls.certificates.ca,
      sourceServerName: "localhost",
      topicPrefix: uniqueName("secured"),
    })) {
      assert.equal((await run(["config", "set", key, value])).code, 0);
    }
    assert.equal((await run(["config", "set", "--secret", "kafkaPassword", secured.users.scram256.password])).code, 0);
    assert.equal((await run(["config", "set", "--secret", "sourcePassword", tls.requireSsl.password])).code, 0);
    const r = await run(["preview"]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /\+\s+pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:TopicSet\s+secured\s+create/);
    assert.match(r.out, /\+\s+pulumi-nodejs:dynamic\/mysql-kafka-cdc:index:Connector\s+secured-orders\s+create/);
    assert.match(r.out, /kafka\.tls\.verifyHostname is false: a broker's certificate is checked against the CA but not against the broker's name/);
    for (const secret of [secured.users.scram256.password, tls.requireSsl.password]) assert.ok(!r.out.includes(secret), "no secret is printed");
  });
});
