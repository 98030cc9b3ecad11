import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { attachKafka, isKafkaRunning, kafkaEndpoint, startKafka, type KafkaBroker, type KafkaEndpoint } from "./kafka";
import {
  attachMariaDb,
  isMariaDbRunning,
  mariaDbEndpoint,
  startMariaDb,
  type MariaDbEndpoint,
  type MariaDbInstance,
} from "./mariadb";
import { attachMySql, startMySql } from "./mysql";
import { ensurePulumi } from "./pulumi";

/**
 * The bench's serialized form: the test command (scripts/run-tests.ts) and `npm run services start`
 * write it to a JSON file and name that file in $CDC_BENCH_STATE, so every test process attaches
 * to the same services instead of starting its own.
 */
export interface BenchState {
  runDir: string;
  mariadb?: MariaDbEndpoint;
  /** MySQL 8.0 (test/bench/mysql.ts), beside MariaDB: the suites that matter run on both. */
  mysql?: MariaDbEndpoint;
  kafka?: KafkaEndpoint;
  pulumiBin?: string;
}

export const BENCH_STATE_ENV = "CDC_BENCH_STATE";

export interface BenchNeeds {
  mariadb?: boolean;
  mysql?: boolean;
  kafka?: boolean;
  pulumi?: boolean;
}

export interface Bench {
  runDir: string;
  mariadb: MariaDbInstance;
  mysql: MariaDbInstance;
  kafka: KafkaBroker;
  pulumiBin: string;
  state: BenchState;
  /** Stops what this bench started; removes its directory unless keep is set (failing runs keep logs). */
  stop(options?: { keep?: boolean }): Promise<void>;
}

function missing(what: string): never {
  throw new Error(`the test bench was not asked for ${what}: pass { ${what}: true } to startBench/useBench`);
}

function benchFrom(state: BenchState, owned: { mariadb?: MariaDbInstance; mysql?: MariaDbInstance; kafka?: KafkaBroker }, ownsDir: boolean): Bench {
  const mariadb = owned.mariadb ?? (state.mariadb ? attachMariaDb(state.mariadb) : undefined);
  const mysql = owned.mysql ?? (state.mysql ? attachMySql(state.mysql) : undefined);
  const kafka = owned.kafka ?? (state.kafka ? attachKafka(state.kafka) : undefined);
  return {
    runDir: state.runDir,
    state,
    get mariadb() {
      return mariadb ?? missing("mariadb");
    },
    get mysql() {
      return mysql ?? missing("mysql");
    },
    get kafka() {
      return kafka ?? missing("kafka");
    },
    get pulumiBin() {
      return state.pulumiBin ?? missing("pulumi");
    },
    async stop(options = {}) {
      await Promise.all([owned.mariadb?.stop(), owned.mysql?.stop(), owned.kafka?.stop()]);
      if (ownsDir && !options.keep) fs.rmSync(state.runDir, { recursive: true, force: true });
    },
  };
}

/** Starts the requested services (in parallel) under runDir, a new temporary directory by default. */
export async function startBench(needs: BenchNeeds, options: { runDir?: string; detached?: boolean } = {}): Promise<Bench> {
  const runDir = options.runDir ?? fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "cdc-bench-"));
  fs.mkdirSync(runDir, { recursive: true });
  const detached = options.detached ?? false;
  const settled = await Promise.allSettled([
    needs.mariadb ? startMariaDb({ parentDir: runDir, detached }) : undefined,
    needs.kafka ? startKafka({ parentDir: runDir, detached }) : undefined,
    needs.pulumi ? ensurePulumi() : undefined,
    needs.mysql ? startMySql({ parentDir: runDir, detached }) : undefined,
  ] as const);
  const [mariadbResult, kafkaResult, pulumiResult, mysqlResult] = settled;
  const mariadb = mariadbResult.status === "fulfilled" ? mariadbResult.value : undefined;
  const mysql = mysqlResult.status === "fulfilled" ? mysqlResult.value : undefined;
  const kafka = kafkaResult.status === "fulfilled" ? kafkaResult.value : undefined;
  const failures = settled.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length > 0) {
    // Do not leave the services that did start running. Keep runDir: it holds the logs.
    await Promise.all([mariadb?.stop(), mysql?.stop(), kafka?.stop()]);
    const reasons = failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)));
    throw new Error(`the test bench did not start:\n${reasons.join("\n")}\n(service logs kept in ${runDir})`);
  }
  const pulumiBin = pulumiResult.status === "fulfilled" ? pulumiResult.value : undefined;
  const state: BenchState = {
    runDir,
    mariadb: mariadb && mariaDbEndpoint(mariadb),
    mysql: mysql && mariaDbEndpoint(mysql),
    kafka: kafka && kafkaEndpoint(kafka),
    pulumiBin,
  };
  return benchFrom(state, { mariadb, mysql, kafka }, options.runDir === undefined);
}

export function writeBenchState(file: string, state: BenchState): void {
  fs.writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function readBenchState(file: string): BenchState {
  return JSON.parse(fs.readFileSync(file, "utf8")) as BenchState;
}

/** The services run, and are of this bench's kind (services started before TLS and SASL, MySQL, or the broker's version in the state existed are not: restart them). */
export function benchStateIsLive(state: BenchState): boolean {
  const current = (!state.mariadb || (state.mariadb.tls !== undefined && state.mysql !== undefined)) && (!state.kafka || state.kafka.version !== undefined);
  return current && (!state.mariadb || isMariaDbRunning(state.mariadb)) && (!state.mysql || isMariaDbRunning(state.mysql)) && (!state.kafka || isKafkaRunning(state.kafka));
}

/**
 * For tests: the services the test command already started (named by $CDC_BENCH_STATE), or, when a
 * test file runs on its own, private ones for this file. stop() only stops what this call started.
 */
export async function useBench(needs: BenchNeeds): Promise<Bench> {
  const file = process.env[BENCH_STATE_ENV];
  if (file) {
    const state = readBenchState(file);
    const lacking = (Object.keys(needs) as (keyof BenchNeeds)[]).filter((k) => needs[k] && !state[k === "pulumi" ? "pulumiBin" : k]);
    if (lacking.length === 0) return benchFrom(state, {}, false);
  }
  return startBench(needs);
}
