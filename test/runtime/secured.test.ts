import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { tlsKeyContext } from "../../runtime/contract/config";
import { tableTopic } from "../../runtime/contract/names";
import { serializeRuntimeSecrets } from "../../runtime/contract/runtime-secrets";
import { encryptSecret } from "../../runtime/contract/secrets";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, type Fixture, type RuntimeProcess } from "./fixtures";
import { deliveryProblems, idCounts, writeRows } from "./load";

// The runtime alone against secured servers: the source over TLS verify-identity with an account
// created REQUIRE X509 (its client key encrypted in the config record), Kafka over SASL_SSL with
// SCRAM-SHA-512 for every client (producer and transactions, admin, the config/status/offset
// topics, the lease group), its login in the secrets file. Rows are written throughout a kill -9
// and counted: exactly once. No secret is in its log, its arguments or its environment.
const ROWS = 20_000;
const SNAPSHOT_ROWS = 500;
let bench: Bench;
let fx: Fixture;
let dir: string;
let secretsFile: string;
let secrets: string[];

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true });
  fx = await createFixture(bench, { tables: ["events"] });
  await fx.sql("CREATE TABLE events (id INT PRIMARY KEY, payload VARCHAR(40))");
  await fx.createTopics([{ table: "events", partitions: 4 }]);
  const k = bench.kafka.secured!;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-secured-"));
  secretsFile = path.join(dir, "secrets.json");
  const sasl = { mechanism: "scram-sha-512" as const, ...k.users.scram512 };
  fs.writeFileSync(secretsFile, serializeRuntimeSecrets({ groupKey: fx.groupKey, kafka: { tls: { ca: fs.readFileSync(k.certificates.ca, "utf8") }, sasl } }), { mode: 0o600 });
  const clientKey = fs.readFileSync(bench.mariadb.tls!.certificates.client.key, "utf8");
  secrets = [sasl.password, bench.mariadb.tls!.requireX509.password, clientKey.split("\n")[1]!];
});

after(async () => {
  await fx.cleanup();
  await bench.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function securedRuntime(): Promise<RuntimeProcess> {
  return fx.startRuntime({ CDC_KAFKA_BROKERS: bench.kafka.secured!.saslSsl.brokers.join(","), CDC_SECRETS_FILE: secretsFile, CDC_GROUP_KEY: "" });
}

function procText(pid: number, file: "environ" | "cmdline"): string {
  return fs.readFileSync(`/proc/${pid}/${file}`, "utf8").replace(/\0/g, " ");
}

test("TLS verify-identity to the source and SASL_SSL SCRAM-SHA-512 to Kafka: a full sync and streaming through kill -9, exactly once", async () => {
  const tls = bench.mariadb.tls!;
  const name = "secured-cdc";
  // The full sync's rows take ids after the streamed ones (writeRows writes 1..ROWS).
  const snapshotIds = Array.from({ length: SNAPSHOT_ROWS }, (_, i) => ROWS + i + 1);
  await fx.sql(`INSERT INTO events (id, payload) VALUES ${snapshotIds.map((id) => `(${id}, 'row-${id}')`).join(",")}`);
  await fx.putConnector(name, {
    initialSync: true,
    source: {
      host: "127.0.0.1",
      user: tls.requireX509.user,
      passwordEncrypted: encryptSecret(tls.requireX509.password, fx.groupKey, name),
      tls: {
        mode: "verify-identity",
        serverName: "localhost",
        ca: fs.readFileSync(tls.certificates.ca, "utf8"),
        cert: fs.readFileSync(tls.certificates.client.cert, "utf8"),
        keyEncrypted: encryptSecret(fs.readFileSync(tls.certificates.client.key, "utf8"), fx.groupKey, tlsKeyContext(name)),
      },
    },
  });
  let runtime = await securedRuntime();
  await fx.waitForStatus(name, (s) => s.state === "RUNNING", 90_000);
  assert.match(runtime.logs(), /SASL_SSL \(scram-sha-512 as /);

  const writer = await bench.mariadb.adminConnection(fx.database);
  let written = 0;
  const writing = writeRows(writer, { table: "events", rows: ROWS, batch: 200, hugeTransaction: 3_000, rowsPerSecond: 6_000 }, (n) => (written = n));
  while (written < ROWS / 3) await new Promise((r) => setTimeout(r, 50));
  const logs: string[] = [runtime.logs()];
  const proc = [procText(runtime.child.pid!, "environ"), procText(runtime.child.pid!, "cmdline")];
  await runtime.kill("SIGKILL");
  const killedAt = written;
  runtime = await securedRuntime();
  await writing;
  await writer.end();

  const expected = ROWS + SNAPSHOT_ROWS;
  const topic = tableTopic(fx.prefix, "events");
  const all = await consume(fx.kafka, [topic], (m) => new Set(m.map((x) => x.key)).size >= expected, 180_000, 3_000).catch((e: Error) => {
    throw new Error(`${e.message} (killed at ${killedAt} rows)\n${runtime.logs().slice(-3000)}`);
  });
  const { missing, duplicated } = deliveryProblems(idCounts(all.map((m) => m.value)), expected);
  assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] });
  assert.equal(all.length, expected);
  assert.ok(killedAt > 0 && killedAt < ROWS, `killed while rows were being written (${killedAt})`);

  logs.push(runtime.logs());
  proc.push(procText(runtime.child.pid!, "environ"), procText(runtime.child.pid!, "cmdline"));
  await runtime.kill("SIGTERM");
  for (const secret of secrets) {
    assert.ok(!logs.some((l) => l.includes(secret)), "no secret in the runtime's log");
    assert.ok(!proc.some((p) => p.includes(secret)), "no secret in the runtime's environment or arguments");
  }
  assert.ok(!proc.some((p) => p.includes(fx.groupKey)), "the group key is not in the environment");
});
