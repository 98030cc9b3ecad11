/**
 * The test command (`npm test` runs it after `npm run build`): starts the test bench once
 * (a private MariaDB, a private MySQL 8.0, a KRaft Kafka broker, the Pulumi engine), runs every compiled test file with
 * node's test runner against it, stops the bench and ends with the line `N passed, N failed`.
 *
 *   node dist/scripts/run-tests.js [filter...]   only test files whose path contains a filter
 *
 * Files run slowest first, by the times of the runs before (kept in the cache directory).
 *
 * Services already started with `npm run services -- start` are reused when $CDC_BENCH_STATE
 * names their state file. A failing run keeps the service logs and prints where they are.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { cacheDir } from "../test/bench/cache";
import { benchKafkaVersion, DEFAULT_KAFKA_VERSION } from "../test/bench/kafka";
import { BENCH_STATE_ENV, benchStateIsLive, readBenchState, startBench, writeBenchState, type Bench } from "../test/bench/services";

const repoRoot = path.resolve(__dirname, "..", "..");
const testRoot = path.join(repoRoot, "dist", "test");
const FILE_TIMEOUT_MS = 20 * 60 * 1000;

function findTestFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTestFiles(full);
    return entry.name.endsWith(".test.js") ? [full] : [];
  });
}

interface Summary {
  tests: number;
  pass: number;
  fail: number;
  cancelled: number;
  skipped: number;
  todo: number;
}

/**
 * How many CPU-bound files run at once: CDC_TEST_CONCURRENCY, or one per core. The engine's
 * files (test/e2e, test/bench/pulumi) are CPU-bound: each keeps about one core busy with the
 * Pulumi engine's processes, so more of them than cores made no run shorter, only each test
 * slower (measured: the four change sequences took 13.9 min side by side at 4, about as long as
 * one after another). The other files mostly wait on MariaDB, Kafka and the runtime (about a
 * third of a core each, sampled from /proc/stat), so two of them take one core's place.
 */
function testCapacity(): number {
  const given = Number(process.env.CDC_TEST_CONCURRENCY);
  return Number.isInteger(given) && given > 0 ? given : Math.max(1, os.availableParallelism());
}

/** A file's share of testCapacity(). */
function fileWeight(file: string): number {
  const relative = path.relative(testRoot, file);
  return relative.startsWith(`e2e${path.sep}`) || relative === path.join("bench", "pulumi.test.js") ? 1 : 0.5;
}

/**
 * Each file's time, the sum of its top-level tests' durations (its file-level hooks aside): the
 * slowest are printed at the end, where the suite's time goes. (Node 20 reports a file's events
 * when the file ends, so their arrival times cannot say when it began.)
 */
const fileSeconds = new Map<string, number>();
/** Files with a failing test: their time may be that of a file that stopped early. */
const failedFiles = new Set<string>();

/** Counted under the file run, not data.file: a suite module's tests (changes-suite.ts, lifecycle-suite.ts) report the module's name. */
function noteFileTest(file: string, data: { nesting: number; details: { duration_ms: number } }): void {
  if (data.nesting !== 0) return;
  fileSeconds.set(file, (fileSeconds.get(file) ?? 0) + data.details.duration_ms / 1000);
}

/**
 * Each file's time in the runs before (test/bench/cache.ts's directory, outside the repo): the
 * order of the next run. The broker matrix's runs (scripts/run-matrix.ts) keep their own.
 */
const DURATIONS_FILE = path.join(cacheDir(), benchKafkaVersion() === DEFAULT_KAFKA_VERSION ? "test-durations.json" : `test-durations-kafka-${benchKafkaVersion()}.json`);

function readDurations(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(DURATIONS_FILE, "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}

function saveDurations(): void {
  const durations = readDurations();
  for (const [file, seconds] of fileSeconds) {
    const key = path.relative(testRoot, file);
    // A file that failed in its set-up ran for a second: it keeps its longer time, or it would run last next time.
    const rounded = Math.round(seconds * 10) / 10;
    durations[key] = failedFiles.has(file) ? Math.max(rounded, durations[key] ?? 0) : rounded;
  }
  fs.mkdirSync(path.dirname(DURATIONS_FILE), { recursive: true });
  fs.writeFileSync(DURATIONS_FILE, JSON.stringify(durations, null, 1));
}

/**
 * The slowest files first (by the times of the runs before; a file not timed yet counts as the
 * mean of those that are), so that no long file starts last while the other slots have nothing
 * left to run. With no times at all: by name.
 */
function slowestFirst(files: string[]): string[] {
  const durations = readDurations();
  const times = files.map((f) => durations[path.relative(testRoot, f)]).filter((t): t is number => typeof t === "number");
  const mean = times.length ? times.reduce((a, b) => a + b, 0) / times.length : 0;
  const estimate = (f: string) => durations[path.relative(testRoot, f)] ?? mean;
  return [...files].sort((a, b) => estimate(b) - estimate(a) || a.localeCompare(b));
}

function printSlowestFiles(count: number): void {
  const files = [...fileSeconds].map(([file, seconds]) => ({ file: path.relative(testRoot, file), seconds }));
  files.sort((a, b) => b.seconds - a.seconds);
  const total = files.reduce((sum, f) => sum + f.seconds, 0);
  console.log(`# test time ${total.toFixed(0)} s over ${files.length} files; the slowest: ` + files.slice(0, count).map((f) => `${f.file} ${f.seconds.toFixed(0)} s`).join(", "));
}

/** Runs one file with node's test runner; its report is printed in one piece when it ends. */
async function runFile(file: string, summary: Summary): Promise<void> {
  const stream = run({ files: [file], timeout: FILE_TIMEOUT_MS });
  stream.on("test:pass", (data: { nesting: number; details: { duration_ms: number } }) => noteFileTest(file, data));
  stream.on("test:fail", (data: { nesting: number; details: { duration_ms: number } }) => {
    noteFileTest(file, data);
    failedFiles.add(file);
  });
  stream.on("test:diagnostic", (data: { nesting: number; message: string }) => {
    if (data.nesting !== 0) return;
    const match = /^(tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(data.message);
    if (match) summary[match[1] as keyof Summary] += Number(match[2]);
  });
  const report: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const out = stream.compose(new spec());
    out.on("data", (chunk: Buffer | string) => report.push(String(chunk)));
    out.on("end", resolve);
    out.on("error", reject);
  });
  // The runner's closing counts (ℹ tests …) are per file here; the run's own totals end the output.
  process.stdout.write(report.join("").replace(/^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) .*\n/gm, ""));
}

/**
 * Runs the files in the given order, each starting as soon as its weight fits in testCapacity()
 * (the first file always starts). A heavy file waits for room rather than letting light files
 * pass it, so the slowest-first order holds.
 */
async function runTests(files: string[]): Promise<Summary> {
  const summary: Summary = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
  const capacity = testCapacity();
  const queue = [...files];
  let load = 0;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const startMore = () => {
      while (queue.length > 0 && (running === 0 || load + fileWeight(queue[0]) <= capacity)) {
        const file = queue.shift() as string;
        const weight = fileWeight(file);
        load += weight;
        running += 1;
        runFile(file, summary).then(() => {
          load -= weight;
          running -= 1;
          if (queue.length === 0 && running === 0) resolve();
          else startMore();
        }, reject);
      }
    };
    startMore();
  });
  return summary;
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = findTestFiles(testRoot)
    .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
    .sort();
  const ordered = slowestFirst(files);
  if (files.length === 0) {
    console.error(`no test files under ${testRoot}${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
    console.log("0 passed, 1 failed");
    return 1;
  }

  let bench: Bench | undefined;
  const reuse = process.env[BENCH_STATE_ENV];
  const reusable = reuse && fs.existsSync(reuse) ? readBenchState(reuse) : undefined;
  if (reusable && benchStateIsLive(reusable) && reusable.kafka?.version === benchKafkaVersion()) {
    console.log(`# reusing the services named by ${BENCH_STATE_ENV}=${reuse}`);
  } else {
    const started = Date.now();
    console.log(`# starting the test bench: MariaDB, MySQL, Kafka ${benchKafkaVersion()}, Pulumi engine (first run installs and builds them)`);
    bench = await startBench({ mariadb: true, mysql: true, kafka: true, pulumi: true });
    const stateFile = path.join(bench.runDir, "bench.json");
    writeBenchState(stateFile, bench.state);
    process.env[BENCH_STATE_ENV] = stateFile;
    console.log(`# test bench up in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `MariaDB 127.0.0.1:${bench.state.mariadb?.port}, MySQL 127.0.0.1:${bench.state.mysql?.port}, Kafka ${bench.state.kafka?.brokers.join(",")}, ` +
      `Pulumi ${bench.state.pulumiBin}`);
  }
  if (bench?.state.pulumiBin) process.env.CDC_PULUMI_BIN = bench.state.pulumiBin;

  let summary: Summary | undefined;
  try {
    summary = await runTests(ordered);
    saveDurations();
  } finally {
    const failed = !summary || summary.fail + summary.cancelled > 0;
    if (bench) {
      await bench.stop({ keep: failed });
      if (failed) console.log(`# service logs kept in ${bench.runDir}`);
    }
  }
  printSlowestFiles(12);
  const failed = summary.fail + summary.cancelled;
  const skipped = summary.skipped + summary.todo;
  // The closing line CI reads.
  console.log(`${summary.pass} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  return failed === 0 && summary.pass > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
