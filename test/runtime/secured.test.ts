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
// SCRAM-SHA-512, then SCRAM-SHA-256, for every client (producer and transactions, admin, the
// config/status/offset topics, the lease group), its login in the secrets file. Rows are written
// throughout a kill -9 and counted: exactly once. No secret is in its log, arguments or environment.
const ROWS = 12_000;
const SNAPSHOT_ROWS = 500;
let bench: Bench;
let fx: Fixture;
let dir: string;

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-secured-"));
});

after(async () => {
  await bench.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fixture with table events, and a runtime on the SASL_SSL listener logging in as `user` with `mechanism`. */
async function securedSetup(user: "scram256" | "scram512", mechanism: "scram-sha-256" | "scram-sha-512") {
  fx = await createFixture(bench, { tables: ["events"] });
  await fx.sql("CREATE TABLE events (id INT PRIMARY KEY, payload VARCHAR(40))");
  await fx.createTopics([{ table: "events", partitions: 4 }]);
  const k = bench.kafka.secured!;
  const secretsFile = path.join(dir, `secrets-${mechanism}.json`);
  const sasl = { mechanism, ...k.users[user] };
  fs.writeFileSync(secretsFile, serializeRuntimeSecrets({ groupKey: fx.groupKey, kafka: { tls: { ca: fs.readFileSync(k.certificates.ca, "utf8") }, sasl } }), { mode: 0o600 });
  const clientKey = fs.readFileSync(bench.mariadb.tls!.certificates.client.key, "utf8");
  const secrets = [sasl.password, bench.mariadb.tls!.requireX509.password, clientKey.split("\n")[1]!];
  const start = (): Promise<RuntimeProcess> => fx.startRuntime({ CDC_KAFKA_BROKERS: k.saslSsl.brokers.join(","), CDC_SECRETS_FILE: secretsFile, CDC_GROUP_KEY: "" });
  return { secrets, start };
}

function procText(pid: number, file: "environ" | "cmdline"): string {
  return fs.readFileSync(`/proc/${pid}/${file}`, "utf8").replace(/\0/g, " ");
}

for (const [user, mechanism] of [["scram512", "scram-sha-512"], ["scram256", "scram-sha-256"]] as const) {
  test(`TLS verify-identity to the source and SASL_SSL ${mechanism} to Kafka: a full sync and streaming through kill -9, exactly once`, async () => {
    const { secrets, start: securedRuntime } = await securedSetup(user, mechanism);
    try {
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
      assert.match(runtime.logs(), new RegExp(`SASL_SSL \\(${mechanism} as `));

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
    } finally {
      await fx.cleanup();
    }
  });
}
