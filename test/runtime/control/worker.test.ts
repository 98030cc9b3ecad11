import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { groupTopics } from "../../../runtime/contract/names";
import { encryptSecret } from "../../../runtime/contract/secrets";
import { startKafka, type KafkaBroker } from "../../bench/kafka";
import { useBench, type Bench } from "../../bench/services";
import { createFixture, kafkaOf, type Fixture } from "../fixtures";

// A worker whose first look at the resource group's topics fails for a reason that passes (the
// broker still starting, a leader not settled for a topic just made) retries instead of exiting.
// A private broker, stopped while the runtime starts, stands for it.
let bench: Bench;
let fx: Fixture;
let broker: KafkaBroker;

before(async () => {
  bench = await useBench({ mariadb: true, kafka: true });
  fx = await createFixture(bench);
  broker = await startKafka({ parentDir: bench.runDir });
});

after(async () => {
  await fx.cleanup();
  await broker.stop({ remove: true });
  await bench.stop();
});

async function health(port: number): Promise<{ code: number; status: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { code: res.status, status: ((await res.json()) as { status: string }).status };
}

test("a runtime started while its broker is down keeps retrying, then starts once the broker is back", async () => {
  await broker.stop();
  const runtime = await fx.startRuntime({ CDC_KAFKA_BROKERS: broker.brokers.join(","), CDC_RETRY_BASE_MS: "200", CDC_RETRY_MAX_MS: "1000" });
  const deadline = Date.now() + 60_000;
  while (!runtime.logs().includes("cannot start on the resource group's topics yet: retrying") && Date.now() < deadline) {
    assert.equal(runtime.child.exitCode, null, `the runtime exited:\n${runtime.logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(runtime.logs(), /"code":"KAFKA_UNAVAILABLE"/);
  assert.deepEqual(await health(runtime.httpPort), { code: 503, status: "starting" });

  await broker.restart();
  let now = { code: 0, status: "" };
  while (Date.now() < deadline + 60_000) {
    now = await health(runtime.httpPort);
    if (now.code === 200) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(now, { code: 200, status: "ok" }, runtime.logs().slice(-3000));
  // It made the group's internal topics on the broker that came back.
  const admin = kafkaOf({ ...bench, kafka: broker } as Bench).admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    for (const topic of Object.values(groupTopics(fx.group))) assert.ok(topics.includes(topic), `${topic} exists`);
  } finally {
    await admin.disconnect();
  }
  await runtime.kill("SIGTERM");
});

test("a config record that changes only its revision is acknowledged without a restart; a FAILED connector is started again", async () => {
  await fx.sql("CREATE TABLE rev (id INT PRIMARY KEY)");
  await fx.createTopics([{ table: "rev", partitions: 1 }]);
  const runtime = await fx.startRuntime({ CDC_RETRY_BASE_MS: "200" });
  const starts = () => runtime.logs().split("\n").filter((l) => l.includes('"msg":"streaming the binlog"') && l.includes('"connector":"rev-cdc"')).length;
  const failures = () => runtime.logs().split("\n").filter((l) => l.includes('"msg":"connector failed"') && l.includes('"connector":"rev-cdc"')).length;
  await fx.putConnector("rev-cdc", { source: { tables: ["rev"] }, revision: "r1" });
  await fx.waitForStatus("rev-cdc", (s) => s.state === "RUNNING" && s.revision === "r1");
  assert.equal(starts(), 1);
  // The same config written again (the password encrypted anew, so its bytes differ) under a new revision.
  await fx.putConnector("rev-cdc", { source: { tables: ["rev"] }, revision: "r2" });
  await fx.waitForStatus("rev-cdc", (s) => s.state === "RUNNING" && s.revision === "r2");
  assert.equal(starts(), 1, "not restarted");
  assert.doesNotMatch(runtime.logs(), /connector reconfigured/);

  // A wrong password fails the connector; the same config under a new revision starts it again.
  const wrong = { tables: ["rev"], passwordEncrypted: encryptSecret("not-the-password", fx.groupKey, "rev-cdc") };
  await fx.putConnector("rev-cdc", { source: wrong, revision: "r3" });
  await fx.waitForStatus("rev-cdc", (s) => s.state === "FAILED" && s.revision === "r3" && s.errorCode === "SOURCE_AUTH_FAILED");
  const failed = failures();
  await fx.putConnector("rev-cdc", { source: { ...wrong, passwordEncrypted: encryptSecret("not-the-password", fx.groupKey, "rev-cdc") }, revision: "r4" });
  await fx.waitForStatus("rev-cdc", (s) => s.state === "FAILED" && s.revision === "r4");
  assert.equal(failures(), failed + 1, "tried again");
  await fx.deleteConnector("rev-cdc");
  await runtime.kill("SIGTERM");
});
