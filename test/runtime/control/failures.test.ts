import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { encryptSecret } from "../../../runtime/contract/secrets";
import { startMariaDb, type MariaDbInstance } from "../../bench/mariadb";
import { useBench, type Bench } from "../../bench/services";
import { createFixture, type Fixture, type RuntimeProcess } from "../fixtures";

// Each way a connector cannot run gives its own FAILED status: code, reason and fix.
// Binlog settings are changed on a private MariaDB so no other test sees them.
let bench: Bench;
let fx: Fixture;
let runtime: RuntimeProcess;
let privateDb: MariaDbInstance;

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true });
  fx = await createFixture(bench, { tables: ["items"] });
  await fx.sql("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
  await fx.createTopics([{ table: "items", partitions: 6 }]);
  privateDb = await startMariaDb({ parentDir: bench.runDir, serverId: 7 });
  const admin = await privateDb.adminConnection();
  await admin.query(`CREATE DATABASE ${fx.database}; CREATE TABLE ${fx.database}.items (id INT PRIMARY KEY, name VARCHAR(20))`);
  await admin.end();
  runtime = await fx.startRuntime({ CDC_RETRY_BASE_MS: "100", CDC_RETRY_MAX_MS: "500" });
});

after(async () => {
  await fx.cleanup();
  await privateDb.stop({ remove: true });
  await bench.stop();
});

function onPrivate(name: string, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    source: {
      port: privateDb.port,
      user: privateDb.cdc.user,
      passwordEncrypted: encryptSecret(privateDb.cdc.password, fx.groupKey, name),
      ...((extra.source as object | undefined) ?? {}),
    },
  };
}

/** The topics named `<fx.prefix>_*`: only the tables' (TopicSet's) while no connector got past its prechecks. */
async function prefixTopics(): Promise<string[]> {
  const admin = fx.kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(`${fx.prefix}_`)).sort();
  } finally {
    await admin.disconnect();
  }
}

async function failed(name: string) {
  const status = await fx.waitForStatus(name, (s) => s.state === "FAILED", 60_000).catch((e) => {
    throw new Error(`${e.message}\n${runtime.logs().slice(-4000)}`);
  });
  assert.ok(status.fix && status.fix.length > 20, "a FAILED status says how to fix it");
  assert.ok(!JSON.stringify(status).includes(bench.mariadb.cdc.password), "no password in the status");
  return status;
}

test("a missing topic", async () => {
  await fx.putConnector("no-topic", { source: { tables: ["items"] }, topicPrefix: `${fx.prefix}missing` });
  const status = await failed("no-topic");
  assert.equal(status.errorCode, "TOPIC_MISSING");
  assert.match(status.reason ?? "", new RegExp(`${fx.prefix}missing_items`));
});

test("a table that does not exist, at the first start (its topic is missing too: both are named)", async () => {
  await fx.putConnector("no-table", { source: { tables: ["items", "itemz"] } });
  const status = await failed("no-table");
  assert.equal(status.errorCode, "TABLE_MISSING");
  assert.match(status.reason ?? "", new RegExp(`^2 checks failed: \\(1\\) TABLE_MISSING: database ${fx.database} has no table itemz\\. Fix: .* \\(2\\) TOPIC_MISSING: .*${fx.prefix}_itemz`));
});

test("a wrong password", async () => {
  await fx.putConnector("bad-password", { source: { passwordEncrypted: encryptSecret("not-the-password", fx.groupKey, "bad-password") } });
  const status = await failed("bad-password");
  assert.equal(status.errorCode, "SOURCE_AUTH_FAILED");
  assert.match(status.reason ?? "", /refused the login/);
  assert.doesNotMatch(JSON.stringify(status), /not-the-password/);
  assert.deepEqual(await prefixTopics(), [`${fx.prefix}_items`], "a connector that fails its prechecks makes none of its own topics");
});

test("binlog_format=STATEMENT", async () => {
  const admin = await privateDb.adminConnection();
  await admin.query("SET GLOBAL binlog_format = 'STATEMENT'");
  await admin.end();
  await fx.putConnector("statement-format", onPrivate("statement-format"));
  const status = await failed("statement-format");
  assert.equal(status.errorCode, "BINLOG_FORMAT_NOT_ROW");
  assert.match(status.reason ?? "", /binlog_format is STATEMENT; it must be ROW/);
  assert.match(status.fix ?? "", /SET GLOBAL binlog_format = 'ROW'/);
  assert.deepEqual(await prefixTopics(), [`${fx.prefix}_items`], "a connector that fails its prechecks makes none of its own topics");
});

test("binlog_row_metadata not FULL", async () => {
  const admin = await privateDb.adminConnection();
  await admin.query("SET GLOBAL binlog_format = 'ROW'");
  await admin.query("SET GLOBAL binlog_row_metadata = 'NO_LOG'");
  await admin.end();
  await fx.putConnector("no-metadata", onPrivate("no-metadata"));
  const status = await failed("no-metadata");
  assert.equal(status.errorCode, "BINLOG_ROW_METADATA_NOT_FULL");
  assert.match(status.reason ?? "", /binlog_row_metadata is NO_LOG; it must be FULL/);
});

test("a purged binlog", async () => {
  const admin = await privateDb.adminConnection();
  await admin.query("SET GLOBAL binlog_row_metadata = 'FULL'");
  await fx.putConnector("purged", onPrivate("purged"));
  await fx.waitForStatus("purged", (s) => s.state === "RUNNING");
  await admin.query(`INSERT INTO ${fx.database}.items VALUES (1, 'one')`);
  // Stop the connector's runtime, then move the source past the connector's position and purge.
  await runtime.kill("SIGKILL");
  await admin.query("FLUSH BINARY LOGS");
  await admin.query(`INSERT INTO ${fx.database}.items VALUES (2, 'two')`);
  const [[current]] = (await admin.query("SHOW MASTER STATUS")) as unknown as [{ File: string }[]];
  // The killed runtime's binlog dump thread may still hold the old file for a moment, and the
  // server then skips it without an error: purge until only the current file is left.
  const deadline = Date.now() + 15_000;
  for (;;) {
    await admin.query(`PURGE BINARY LOGS TO '${current.File}'`);
    const [logs] = (await admin.query("SHOW BINARY LOGS")) as unknown as [{ Log_name: string }[]];
    if (logs.every((l) => l.Log_name === current.File)) break;
    if (Date.now() > deadline) throw new Error(`binlogs before ${current.File} could not be purged: ${logs.map((l) => l.Log_name).join(", ")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await admin.end();
  runtime = await fx.startRuntime({ CDC_RETRY_BASE_MS: "100", CDC_RETRY_MAX_MS: "500" });
  const status = await fx.waitForStatus("purged", (s) => s.state === "FAILED", 60_000).catch((error) => {
    throw new Error(`${error.message}\nruntime log:\n${runtime.logs()}`);
  });
  assert.equal(status.errorCode, "BINLOG_PURGED");
  assert.match(status.reason ?? "", /1236/);
  assert.match(status.fix ?? "", /purged/);
});
