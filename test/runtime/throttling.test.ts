import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Bench } from "../bench/services";
import { metric, setUpTables, tearDown, type Fixture, type RuntimeProcess } from "./fixtures";
import { writeRows } from "./load";

// throttle.rowsPerSecond holds within 10 % over a 10 s window while a backlog is read.
let bench: Bench;
let fx: Fixture;
let runtime: RuntimeProcess;

before(async () => {
  ({ bench, fx, runtime } = await setUpTables([{ name: "paced", ddl: "CREATE TABLE paced (id INT PRIMARY KEY, payload VARCHAR(40))", partitions: 3 }]));
});

after(() => tearDown(bench, fx));

test("a limit of 2,000 rows/s, measured over 10 s of a 30,000-row backlog", async (t) => {
  await fx.putConnector("paced-cdc", { throttle: { rowsPerSecond: 2000 } });
  await fx.waitForStatus("paced-cdc", (s) => s.state === "RUNNING");
  const writer = await bench.mariadb.adminConnection(fx.database);
  // 200-row transactions: commits (what the metric counts) come every 0.1 s at the limit.
  await writeRows(writer, { table: "paced", rows: 30_000, batch: 200, statementsPerTransaction: 1 });
  await writer.end();
  const deadline = Date.now() + 30_000;
  while ((await metric(runtime, "cdc_rows_total")) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // Skip the first 2 s (the first burst), then count committed rows over 10 s.
  await new Promise((r) => setTimeout(r, 2_000));
  const [from, startedAt] = [await metric(runtime, "cdc_rows_total"), Date.now()];
  await new Promise((r) => setTimeout(r, 10_000));
  const [to, endedAt] = [await metric(runtime, "cdc_rows_total"), Date.now()];
  const rate = (to - from) / ((endedAt - startedAt) / 1000);
  t.diagnostic(`measured ${rate.toFixed(0)} rows/s`);
  assert.ok(rate >= 1800 && rate <= 2200, `measured ${rate.toFixed(0)} rows/s (${to - from} rows in ${endedAt - startedAt} ms)`);
  // And the backlog still arrives whole.
  const end = Date.now() + 30_000;
  while ((await metric(runtime, "cdc_rows_total")) < 30_000 && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
  assert.equal(await metric(runtime, "cdc_rows_total"), 30_000);
});
