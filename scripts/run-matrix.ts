/**
 * The broker matrix (`npm run test:matrix`; `.ci/run` runs it after `npm test`): the suites where
 * the broker's version matters, again on each older Apache Kafka that users run. ApsaraMQ for
 * Kafka's instances run 2.2-2.6 (2.2.2 itself, and 2.8.2, Maven Central's newest 2.x, with
 * SASL_SSL and SCRAM: the bench's PEM keystores need 2.7) and 3.3 (serverless; KRaft). `npm test` already
 * runs everything on the default broker (test/bench/pom.xml's version).
 *
 *   node dist/scripts/run-matrix.js [version...]   only these legs
 *
 * Each leg is the test command (scripts/run-tests.ts) with $CDC_KAFKA_VERSION set: it starts its
 * own bench with that broker (services named by $CDC_BENCH_STATE are reused only if their broker
 * is of that version). The legs run one after another: each keeps both cores busy.
 * Ends with the line `N passed, N failed` over every leg.
 */
import { spawn } from "node:child_process";
import path from "node:path";

interface Leg {
  kafka: string;
  /** Test files (path fragments, as run-tests.ts takes them). */
  files: string[];
  why: string;
}

/** The exactly-once pipeline, the broker faults, topic configs, and the engine's lifecycle with a replace. */
const BROKER_SUITES = [
  "bench/kafka.test",
  "runtime/sink/broker-api-versions.test",
  "runtime/exactly-once.test",
  "runtime/streaming.test",
  "runtime/failover.test",
  "runtime/sink/admin.test",
  "provider/connector/provider.test",
  "e2e/lifecycle.test",
  "e2e/changes-replace.test",
];

export const LEGS: Leg[] = [
  { kafka: "3.3.2", files: BROKER_SUITES, why: "ApsaraMQ serverless (3.3, KRaft; no SCRAM in KRaft before 3.5)" },
  {
    kafka: "2.2.2",
    files: BROKER_SUITES,
    why: "ApsaraMQ's oldest (2.2): no -1 replication factor (KIP-464 came with 2.4), no PEM keystores, so no secured listeners here",
  },
  {
    kafka: "2.8.2",
    // SASL_SSL with SCRAM-SHA-256/512, as ApsaraMQ's 2.x endpoints are.
    files: [...BROKER_SUITES, "runtime/secured.test", "runtime/sink/kafka-client.test"],
    why: "ApsaraMQ 2.2-2.6 (ZooKeeper mode, SASL_SSL with SCRAM)",
  },
];

function runLeg(leg: Leg): Promise<{ passed: number; failed: number }> {
  const script = path.join(__dirname, "run-tests.js");
  console.log(`# broker matrix: Kafka ${leg.kafka}, standing in for ${leg.why}: ${leg.files.join(", ")}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...leg.files], {
      env: { ...process.env, CDC_KAFKA_VERSION: leg.kafka },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let last = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      last = (last + chunk.toString()).slice(-400);
    });
    child.on("exit", (code) => {
      const counts = /(\d+) passed, (\d+) failed[^\n]*\n?$/.exec(last);
      const passed = counts ? Number(counts[1]) : 0;
      const failed = counts ? Number(counts[2]) : 1;
      resolve({ passed, failed: code === 0 ? failed : Math.max(failed, 1) });
    });
  });
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const legs = LEGS.filter((l) => wanted.length === 0 || wanted.includes(l.kafka));
  if (legs.length === 0) {
    console.error(`no matrix leg for ${wanted.join(", ")}; the legs: ${LEGS.map((l) => l.kafka).join(", ")}`);
    console.log("0 passed, 1 failed");
    return 1;
  }
  let passed = 0;
  let failed = 0;
  const lines: string[] = [];
  for (const leg of legs) {
    const started = Date.now();
    const result = await runLeg(leg);
    passed += result.passed;
    failed += result.failed;
    lines.push(`# Kafka ${leg.kafka}: ${result.passed} passed, ${result.failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  for (const line of lines) console.log(line);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
