/**
 * `npm run bench [-- --rows N] [-- --json] [-- --secured] [-- --source mariadb|mysql]`: throughput
 * and latency of the runtime on the real bench, reading the bench's MariaDB (the default) or its
 * MySQL 8.0. It prints figures; it asserts nothing. With --secured every connection is as
 * production has it: the source over TLS verify-identity (the binlog too: decode-only as well),
 * Kafka on the SASL_SSL listener with SCRAM-SHA-256, its login in the runtime's secrets file.
 *
 * 1. Backlog drain: with the runtime stopped, N rows (1,000,000 by default; 10 columns, ~200 bytes
 *    of binlog each) are inserted in multi-row INSERTs. The runtime then starts (exactly-once,
 *    DataWorks JSON, lz4) and is timed until its last row is committed (its /metrics).
 * 2. Decode only: zongji alone reads the same backlog, in the same run.
 * 3. Steady load: 10,000 rows/s for 10 s; a read_committed consumer measures, per row, the time
 *    from the INSERT's commit to the record being readable.
 * Peak RSS is the runtime process's VmHWM. CPU per row: CPU time of the runtime, the broker and
 * source server during the drain (from /proc), divided by the rows.
 * With CDC_BENCH_STATE set (`npm run services -- start`), the running services are used (a warm
 * broker); otherwise the bench starts its own.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Kafka, logLevel } from "kafkajs";
import type mysql from "mysql2/promise";
import { tableTopic } from "../runtime/contract/names";
import { serializeRuntimeSecrets } from "../runtime/contract/runtime-secrets";
import type { SourceTls } from "../runtime/contract/tls";
import { mysqlTlsOptions } from "../runtime/source/tls";
import { registerCompressionCodecs } from "../runtime/sink/codecs";
import { useBench, type Bench } from "../test/bench/services";
import { createFixture, type Fixture, type RuntimeProcess } from "../test/runtime/fixtures";

const args = process.argv.slice(2);
const json = args.includes("--json");
const rowsArg = args.indexOf("--rows");
const ROWS = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 1_000_000;
const SECURED = args.includes("--secured");
const sourceArg = args.indexOf("--source");
const SOURCE = sourceArg >= 0 ? args[sourceArg + 1] : "mariadb";
if (SOURCE !== "mariadb" && SOURCE !== "mysql") {
  console.error(`--source ${SOURCE}: give mariadb or mysql`);
  process.exit(2);
}
/** The bench's server of --source. */
const sourceOf = (bench: Bench) => (SOURCE === "mysql" ? bench.mysql : bench.mariadb);
const STEADY_RATE = 10_000;
const STEADY_SECONDS = 10;

function say(line: string): void {
  if (!json) console.log(line);
}

const TABLE = `CREATE TABLE rows10 (
  id BIGINT PRIMARY KEY, account INT, amount DECIMAL(12,2), status VARCHAR(16), note VARCHAR(80),
  created DATETIME(3), flag TINYINT, ratio DOUBLE, code CHAR(8), t BIGINT)`;

function rowValues(id: number, t: number): string {
  return `(${id},${id % 9973},${(id % 100000) / 100},'${["new", "paid", "shipped"][id % 3]}','note for row ${id} with some text to fill',` +
    `'2026-11-21 10:${String(id % 60).padStart(2, "0")}:00.123',${id % 2},${id / 7},'C${String(id % 1e7).padStart(7, "0")}',${t})`;
}

async function insertBacklog(db: mysql.Connection, from: number, count: number): Promise<void> {
  const batch = 2000;
  for (let start = from; start < from + count; start += batch * 5) {
    await db.query("START TRANSACTION");
    for (let b = start; b < Math.min(start + batch * 5, from + count); b += batch) {
      const values: string[] = [];
      for (let id = b; id < Math.min(b + batch, from + count); id++) values.push(rowValues(id, 0));
      await db.query(`INSERT INTO rows10 VALUES ${values.join(",")}`);
    }
    await db.query("COMMIT");
  }
}

async function rowsCommitted(runtime: RuntimeProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${runtime.httpPort}/metrics`)).text();
  const m = /^cdc_rows_total\{[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time (user + system) a process has used, in seconds; NaN when it cannot be read. */
function cpuSeconds(pid: number): number {
  try {
    // /proc/<pid>/stat: fields 14 and 15 (after the parenthesised command) are utime and stime, in clock ticks.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The source TLS of --secured: verify-identity, as the provider sets it up when given the CA. */
function benchSourceTls(bench: Bench): SourceTls | undefined {
  if (!SECURED) return undefined;
  const tls = sourceOf(bench).tls;
  if (!tls) throw new Error("--secured needs the bench's source server with TLS (restart the services)");
  return { mode: "verify-identity", ca: fs.readFileSync(tls.certificates.ca, "utf8"), serverName: "localhost" };
}

async function decodeOnly(bench: Bench, fx: Fixture, file: string, pos: number, rows: number): Promise<number> {
  const { default: ZongJi } = await import("@vlasky/zongji");
  const m = sourceOf(bench);
  const zongji = new ZongJi({ host: m.host, port: m.port, user: m.cdc.user, password: m.cdc.password, dateStrings: true, timezone: "Z", ...mysqlTlsOptions(m.host, m.port, benchSourceTls(bench)) } as ConstructorParameters<typeof ZongJi>[0]);
  let seen = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    zongji.on("binlog", (event) => {
      const rowsEvent = event as typeof event & { rows?: unknown[] };
      if (event.getTypeName() === "WriteRows") seen += rowsEvent.rows?.length ?? 0;
      if (seen >= rows) resolve();
    });
    zongji.on("error", reject);
    zongji.start({ serverId: 90001, filename: file, position: pos, includeEvents: ["tablemap", "writerows", "xid", "rotate"], includeSchema: { [fx.database]: ["rows10"] } });
  });
  const seconds = (performance.now() - started) / 1000;
  zongji.stop();
  return rows / seconds;
}

async function steadyLatency(bench: Bench, fx: Fixture, firstId: number): Promise<{ p50: number; p99: number; rows: number }> {
  registerCompressionCodecs();
  const kafka = new Kafka({ clientId: "bench-latency", brokers: bench.kafka.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-latency-${Date.now()}`, readUncommitted: false, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [tableTopic(fx.prefix, "rows10")], fromBeginning: false });
  const latencies: number[] = [];
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const message of batch.messages) {
        const t = Number(/"t":(\d+)/.exec(String(message.value))?.[1] ?? 0);
        if (t > 0) latencies.push(now - t);
      }
    },
  });
  await new Promise((r) => setTimeout(r, 3000)); // the consumer joins its group
  const db = await sourceOf(bench).adminConnection(fx.database);
  const perTick = STEADY_RATE / 20; // every 50 ms
  let id = firstId;
  const end = Date.now() + STEADY_SECONDS * 1000;
  while (Date.now() < end) {
    const tick = Date.now();
    const values: string[] = [];
    for (let i = 0; i < perTick; i++) values.push(rowValues(id++, Date.now()));
    await db.query(`INSERT INTO rows10 VALUES ${values.join(",")}`);
    const wait = 50 - (Date.now() - tick);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await db.end();
  const expected = id - firstId;
  const deadline = Date.now() + 30_000;
  while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), rows: latencies.length };
}

async function main(): Promise<void> {
  say(`# bench: ${ROWS} rows from ${SOURCE}, ${os.cpus().length} cores, node ${process.version}${SECURED ? ", secured (source TLS verify-identity, Kafka SASL_SSL SCRAM-SHA-256)" : ""}`);
  const bench = await useBench({ [SOURCE]: true, kafka: true });
  try {
    const fx = await createFixture(bench, { source: SOURCE as "mariadb" | "mysql", tables: ["rows10"] });
    await fx.sql(TABLE);
    await fx.createTopics([{ table: "rows10", partitions: 6 }]);
    const [start] = (await fx.sql("SHOW MASTER STATUS")) as mysql.RowDataPacket[];
    const db = await sourceOf(bench).adminConnection(fx.database);
    let t = performance.now();
    await insertBacklog(db, 1, ROWS);
    await db.end();
    say(`backlog: ${ROWS} rows inserted in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const decodeRowsPerSec = await decodeOnly(bench, fx, String(start.File), Number(start.Position), ROWS);
    say(`decode only (zongji): ${Math.round(decodeRowsPerSec)} rows/s`);

    const tls = benchSourceTls(bench);
    await fx.putConnector("bench", { startPosition: { file: String(start.File), pos: Number(start.Position) }, ...(tls ? { source: { tls } } : {}) });
    const securedEnv: Record<string, string> = {};
    if (SECURED) {
      const k = bench.kafka.secured;
      if (!k) throw new Error("--secured needs the bench broker's SASL_SSL listener (restart the services)");
      const secretsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cdc-bench-")), "secrets.json");
      fs.writeFileSync(secretsFile, serializeRuntimeSecrets({ groupKey: fx.groupKey, kafka: { tls: { ca: fs.readFileSync(k.certificates.ca, "utf8") }, sasl: { mechanism: "scram-sha-256", ...k.users.scram256 } } }), { mode: 0o600 });
      Object.assign(securedEnv, { CDC_KAFKA_BROKERS: k.saslSsl.brokers.join(","), CDC_SECRETS_FILE: secretsFile, CDC_GROUP_KEY: "" });
    }
    t = performance.now();
        // BENCH_PROFILE=DIR writes a V8 CPU profile of the runtime there (open it in Chrome DevTools).
    const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const tuning = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^CDC_(QUEUE_BYTES|TRANSACTION_BYTES|SPLIT_ROWS)$/.test(k))) as Record<string, string>;
    const servicePids = { broker: bench.kafka.pid, source: sourceOf(bench).pid };
    const cpuBefore = { broker: cpuSeconds(servicePids.broker), source: cpuSeconds(servicePids.source) };
    const runtime = await fx.startRuntime({ CDC_LOG_LEVEL: "info", ...tuning, ...securedEnv }, [], profile);
    let rssPeak = 0;
    let firstRowAt = 0;
    for (;;) {
      const done = await rowsCommitted(runtime).catch(() => 0);
      rssPeak = Math.max(rssPeak, peakRssMb(runtime.child.pid as number));
      if (done > 0 && !firstRowAt) firstRowAt = performance.now();
      if (done >= ROWS) break;
      if (performance.now() - t > 15 * 60_000) throw new Error(`the runtime committed ${done} of ${ROWS} rows in 15 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const drainSeconds = (performance.now() - t) / 1000;
    // Where the machine's CPU went during the drain (the runtime's includes its start-up).
    const perRow = (seconds: number) => Math.round((seconds * 1e6) / ROWS);
    const cpuUsPerRow = {
      runtime: perRow(cpuSeconds(runtime.child.pid as number)),
      broker: perRow(cpuSeconds(servicePids.broker) - cpuBefore.broker),
      [SOURCE]: perRow(cpuSeconds(servicePids.source) - cpuBefore.source),
    };
    const endToEndRowsPerSec = ROWS / drainSeconds;
    say(`end to end (exactly-once, dataworks, lz4): ${Math.round(endToEndRowsPerSec)} rows/s (${drainSeconds.toFixed(1)} s, including start-up ${((firstRowAt - t) / 1000).toFixed(1)} s)`);
    say(`ratio to decode-only: ${(endToEndRowsPerSec / decodeRowsPerSec).toFixed(2)}`);
    say(`CPU per row during the drain: runtime ${cpuUsPerRow.runtime} µs, Kafka broker ${cpuUsPerRow.broker} µs, ${SOURCE} ${cpuUsPerRow[SOURCE]} µs (${os.cpus().length} cores)`);

    const latency = await steadyLatency(bench, fx, ROWS + 1);
    rssPeak = Math.max(rssPeak, peakRssMb(runtime.child.pid as number));
    say(`steady ${STEADY_RATE} rows/s for ${STEADY_SECONDS} s: p50 ${latency.p50} ms, p99 ${latency.p99} ms (${latency.rows} rows measured)`);
    say(`peak RSS of the runtime: ${rssPeak.toFixed(0)} MB`);
    await runtime.kill("SIGTERM");
    await fx.cleanup();
    const figures = {
      rows: ROWS,
      source: SOURCE,
      secured: SECURED,
      endToEndRowsPerSec: Math.round(endToEndRowsPerSec),
      decodeRowsPerSec: Math.round(decodeRowsPerSec),
      ratio: Number((endToEndRowsPerSec / decodeRowsPerSec).toFixed(3)),
      peakRssMb: Math.round(rssPeak),
      p50Ms: latency.p50,
      p99Ms: latency.p99,
      cpuUsPerRow,
    };
    console.log(JSON.stringify(figures));
  } finally {
    await bench.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
