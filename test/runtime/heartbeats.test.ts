import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { heartbeatTopic } from "../../runtime/contract/names";
import type { Bench } from "../bench/services";
import { consume, metric, setUpTables, tearDown, type Fixture, type RuntimeProcess } from "./fixtures";

// Heartbeat records every heartbeatSeconds, and a lag of 0 while the source is idle.
let bench: Bench;
let fx: Fixture;
let runtime: RuntimeProcess;

before(async () => {
  // Sample the source every second, so idle is seen within seconds.
  ({ bench, fx, runtime } = await setUpTables([{ name: "quiet", ddl: "CREATE TABLE quiet (id INT PRIMARY KEY)", partitions: 1 }], { CDC_SOURCE_CHECK_MS: "1000" }));
});

after(() => tearDown(bench, fx));

test("heartbeats arrive while the source is idle, and the lag is 0 although the last change is an hour old in source time", async () => {
  await fx.putConnector("quiet-cdc", { heartbeatSeconds: 1 });
  await fx.waitForStatus("quiet-cdc", (s) => s.state === "RUNNING");
  // One change long ago (its source time is an hour back), then nothing.
  await fx.sql("SET TIMESTAMP = UNIX_TIMESTAMP() - 3600; INSERT INTO quiet VALUES (1); SET TIMESTAMP = DEFAULT");
  const started = Date.now();
  const beats = await consume(fx.kafka, [heartbeatTopic(fx.prefix)], (m) => m.length >= 4, 30_000);
  const parsed = beats.map((b) => ({ key: b.key, ...JSON.parse(b.value) }));
  assert.ok(parsed.every((b) => b.key === "quiet-cdc" && b.connector === "quiet-cdc"));
  const times = parsed.map((b) => b.ts as number);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1], "heartbeats are in time order");
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.ok(gaps.every((g) => g >= 900 && g < 5_000), `heartbeat gaps ${gaps.join(", ")} ms`);
  const last = parsed[parsed.length - 1];
  assert.match(last.position.file, /\.\d+$/);
  assert.match(last.sourcePosition.file, /\.\d+$/);
  // The change was written an hour ago in source time: event time alone would say 3600 s behind.
  let seen = NaN;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !(seen === 0)) {
    seen = await metric(runtime, "cdc_lag_seconds");
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(seen, 0, `cdc_lag_seconds while idle (after ${Date.now() - started} ms)`);
  assert.equal(last.lagSeconds === null || last.lagSeconds >= 0, true);
});
