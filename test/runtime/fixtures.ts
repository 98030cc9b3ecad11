/**
 * Shared fixtures for runtime tests against the real bench: a unique database and group per test,
 * topics, config records in the group's configs topic, the runtime as a real child process, and
 * read_committed consumers. Everything created is registered for cleanup.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel, type Admin } from "kafkajs";
import type mysql from "mysql2/promise";
import { groupTopics, tableTopic } from "../../runtime/contract/names";
import { decodeStatusRecord, type StatusRecord } from "../../runtime/contract/records";
import { encryptSecret, generateGroupKey } from "../../runtime/contract/secrets";
import { leaseGroupId } from "../../runtime/control/lease";
import { registerCompressionCodecs } from "../../runtime/sink/codecs";
import { readTopicToEnd } from "../../runtime/sink/topic-reader";
import { repoRoot } from "../bench/process";
import type { MariaDbInstance } from "../bench/mariadb";
import { useBench, type Bench } from "../bench/services";

export function uniqueName(prefix: string): string {
  return `${prefix}${crypto.randomBytes(4).toString("hex")}`;
}

/** A kafkajs client for tests, able to read every compression the runtime writes. */
export function kafkaOf(bench: Bench): Kafka {
  registerCompressionCodecs();
  return new Kafka({ clientId: uniqueName("test-"), brokers: bench.kafka.brokers, logLevel: logLevel.NOTHING });
}

/** The source servers of the bench: MariaDB, and MySQL 8.0 (the product's target, RDS for MySQL). */
export type SourceFlavor = "mariadb" | "mysql";
export const SOURCE_FLAVORS: SourceFlavor[] = ["mariadb", "mysql"];

export interface Fixture {
  bench: Bench;
  /** The source server this fixture's database is on. */
  server: MariaDbInstance;
  kafka: Kafka;
  database: string;
  group: string;
  groupKey: string;
  prefix: string;
  admin: mysql.Connection;
  /** Runs SQL as the admin account in the fixture's database. */
  sql(statement: string, params?: unknown[]): Promise<unknown>;
  createTopics(tables: { table: string; partitions: number }[]): Promise<void>;
  /** Writes a connector config record (password encrypted with the group key) to the configs topic. */
  putConnector(name: string, overrides?: Record<string, unknown>): Promise<Record<string, unknown>>;
  deleteConnector(name: string): Promise<void>;
  connectorRecord(name: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Starts `node [nodeArgs] dist/runtime/main.js [args]` for the fixture's group. */
  startRuntime(extraEnv?: Record<string, string>, args?: string[], nodeArgs?: string[]): Promise<RuntimeProcess>;
  /** waitForStatus on the fixture's group; a timeout shows the end of each runtime's log it started. */
  waitForStatus(connector: string, accept: (status: StatusRecord) => boolean, timeoutMs?: number): Promise<StatusRecord>;
  cleanup(): Promise<void>;
}

export interface RuntimeProcess {
  child: ChildProcess;
  httpPort: number;
  logs(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with the exit signal or code once the process ended by itself, or "running" after timeoutMs. */
  exited(timeoutMs: number): Promise<string>;
}

export async function createFixture(bench: Bench, options: { tables?: string[]; source?: SourceFlavor } = {}): Promise<Fixture> {
  const server = options.source === "mysql" ? bench.mysql : bench.mariadb;
  const database = uniqueName("cdc_");
  const group = uniqueName("g-");
  const prefix = uniqueName("t");
  const groupKey = generateGroupKey();
  const kafka = kafkaOf(bench);
  const admin = await server.adminConnection();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`USE ${database}`);
  const createdTopics: string[] = [];
  const runtimes: RuntimeProcess[] = [];
  const connectors = new Set<string>();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-runtime-"));

  const fixture: Fixture = {
    bench,
    server,
    kafka,
    database,
    group,
    groupKey,
    prefix,
    admin,
    async sql(statement, params) {
      const [result] = await admin.query(statement, params);
      return result;
    },
    async createTopics(tables) {
      const kadmin = kafka.admin();
      await kadmin.connect();
      const topics = tables.map((t) => ({ topic: tableTopic(prefix, t.table), numPartitions: t.partitions, replicationFactor: 1 }));
      await kadmin.createTopics({ topics, waitForLeaders: false });
      createdTopics.push(...topics.map((t) => t.topic));
      await waitForLeaders(kadmin, topics.map((t) => t.topic));
      await kadmin.disconnect();
    },
    connectorRecord(name, overrides = {}) {
      const m = server;
      const source = {
        host: m.host,
        port: m.port,
        database,
        user: m.cdc.user,
        passwordEncrypted: encryptSecret(m.cdc.password, groupKey, name),
        tables: options.tables ?? [],
        ...((overrides.source as object | undefined) ?? {}),
      };
      return { version: 1, name, topicPrefix: prefix, ...overrides, source };
    },
    async putConnector(name, overrides) {
      connectors.add(name);
      const record = fixture.connectorRecord(name, overrides);
      await writeRecord(kafka, groupTopics(group).configs, name, JSON.stringify(record));
      return record;
    },
    async deleteConnector(name) {
      await writeRecord(kafka, groupTopics(group).configs, name, null);
    },
    async startRuntime(extraEnv = {}, args = [], nodeArgs = []) {
      const runtime = await spawnRuntime(bench, { CDC_GROUP: group, CDC_GROUP_KEY: groupKey, ...extraEnv }, args, logDir, nodeArgs);
      runtimes.push(runtime);
      return runtime;
    },
    async waitForStatus(connector, accept, timeoutMs) {
      return waitForStatus(kafka, group, connector, accept, timeoutMs).catch((error: Error) => {
        // The runtimes' logs say why (they are deleted with the fixture, so CI would not keep them).
        const tails = runtimes.map((r, i) => `--- runtime ${i + 1} (${r.child.exitCode ?? r.child.signalCode ?? "running"}):\n${r.logs().slice(-4000)}`);
        throw new Error([error.message, ...tails].join("\n"));
      });
    },
    async cleanup() {
      await Promise.all(runtimes.map((r) => r.kill("SIGKILL")));
      await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
      await admin.end().catch(() => undefined);
      const kadmin = kafka.admin();
      await kadmin.connect();
      const existing = new Set(await kadmin.listTopics());
      const internal = Object.values(groupTopics(group));
      // Also what the runtime made for the fixture's connectors (heartbeats, dead letters, added tables).
      const made = [...existing].filter((t) => t.startsWith(`${prefix}_`));
      const toDelete = [...new Set([...createdTopics, ...internal, ...made])].filter((t) => existing.has(t));
      if (toDelete.length) await kadmin.deleteTopics({ topics: toDelete }).catch(() => undefined);
      // The connectors' lease groups (empty once the runtimes are gone).
      if (connectors.size) await kadmin.deleteGroups([...connectors].map(leaseGroupId)).catch(() => undefined);
      await kadmin.disconnect();
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/**
 * Waits until every partition of `topics` has a leader. kafkajs's own wait (createTopics
 * waitForLeaders) gives up on UNKNOWN_TOPIC_OR_PARTITION, which a broker started moments ago
 * answers while its metadata catches up (seen under load): that is waited out here too.
 */
export async function waitForLeaders(kadmin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await kadmin.fetchTopicMetadata({ topics });
      if (metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if ((error as { type?: string }).type !== "UNKNOWN_TOPIC_OR_PARTITION" && (error as { type?: string }).type !== "LEADER_NOT_AVAILABLE") throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(", ")} have no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A table a test file makes, with its topic: name, CREATE TABLE statement, partitions. */
export interface TestTable {
  name: string;
  ddl: string;
  partitions: number;
}

/**
 * The usual start of a runtime test file: the shared bench, a fixture whose connector tables are
 * `tables` (each created, with its topic), and a runtime for the fixture's group (`env`: extra
 * environment). tearDown() undoes it.
 */
export async function setUpTables(tables: TestTable[], env: Record<string, string> = {}): Promise<{ bench: Bench; fx: Fixture; runtime: RuntimeProcess }> {
  const bench = await useBench({ mariadb: true, kafka: true });
  const fx = await createFixture(bench, { tables: tables.map((t) => t.name) });
  for (const table of tables) await fx.sql(table.ddl);
  await fx.createTopics(tables.map((t) => ({ table: t.name, partitions: t.partitions })));
  return { bench, fx, runtime: await fx.startRuntime(env) };
}

export async function tearDown(bench: Bench, fx: Fixture): Promise<void> {
  await fx.cleanup();
  await bench.stop();
}

export async function writeRecord(kafka: Kafka, topic: string, key: string, value: string | null): Promise<void> {
  const kadmin = kafka.admin();
  await kadmin.connect();
  const existing = await kadmin.listTopics();
  if (!existing.includes(topic)) {
    await kadmin
      .createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: "cleanup.policy", value: "compact" }] }], waitForLeaders: true })
      .catch(() => undefined);
  }
  await kadmin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key, value }] });
  await producer.disconnect();
}

async function spawnRuntime(bench: Bench, env: Record<string, string>, args: string[], logDir: string, nodeArgs: string[]): Promise<RuntimeProcess> {
  const logFile = path.join(logDir, `runtime-${Date.now()}-${crypto.randomBytes(2).toString("hex")}.log`);
  const out = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, "dist", "runtime", "main.js"), ...args], {
    env: { ...process.env, CDC_KAFKA_BROKERS: bench.kafka.brokers.join(","), CDC_HTTP_PORT: "0", CDC_HTTP_HOST: "127.0.0.1", CDC_LOG_LEVEL: "debug",
      // The broker's smallest session: a runtime restarted after kill -9 waits for the dead one's leases.
      CDC_LEASE_SESSION_MS: "6000", ...env },
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const exit = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? String(code))));
  const logs = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
  // The runtime logs the port it listens on.
  const deadline = Date.now() + 30_000;
  let httpPort = 0;
  while (!httpPort) {
    const m = /"msg":"runtime listening","port":(\d+)/.exec(logs()) ?? /"msg":"runtime listening".*?"port":(\d+)/.exec(logs());
    if (m) httpPort = Number(m[1]);
    else if (child.exitCode !== null) throw new Error(`the runtime exited (${child.exitCode}):\n${logs()}`);
    else if (Date.now() > deadline) throw new Error(`the runtime did not start:\n${logs()}`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    httpPort,
    logs,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exit;
    },
    exited(timeoutMs) {
      return Promise.race([exit, new Promise<string>((resolve) => setTimeout(() => resolve("running"), timeoutMs))]);
    },
  };
}

export interface Consumed {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
}

/** A consumed DataWorks message, parsed, with its Kafka key and topic. */
export interface DataWorksMessage {
  topic: string;
  key: string;
  // The layout is docs/FORMATS.md's; tests read the fields they check.
  schema: any;
  payload: any;
}

/** DataWorks messages parsed and put in sequenceId order (the connector's order), optionally of one topic. */
export function inSequence(messages: Consumed[], topic?: string): DataWorksMessage[] {
  return messages
    .filter((m) => topic === undefined || m.topic === topic)
    .map((m) => ({ topic: m.topic, key: m.key, ...(JSON.parse(m.value) as { schema: unknown; payload: { sequenceId: string } }) }))
    .sort((x, y) => (BigInt(x.payload.sequenceId) < BigInt(y.payload.sequenceId) ? -1 : 1));
}

/**
 * Reads `topics` from the beginning, read_committed, until `until(messages)` is true (then keeps
 * reading for settleMs more, so late duplicates would show) or rejects after timeoutMs.
 */
export async function consume(
  kafka: Kafka,
  topics: string[],
  until: (messages: Consumed[]) => boolean,
  timeoutMs = 60_000,
  settleMs = 0,
): Promise<Consumed[]> {
  const consumer = kafka.consumer({ groupId: uniqueName("test-consumer-"), readUncommitted: false, maxWaitTimeInMs: 200, maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const messages: Consumed[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms with ${messages.length} messages`)), timeoutMs);
      const check = () => {
        if (done || !until(messages)) return;
        done = true;
        clearTimeout(timer);
        setTimeout(resolve, settleMs);
      };
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            messages.push({ topic: batch.topic, partition: batch.partition, offset: message.offset, key: String(message.key), value: String(message.value) });
          }
          check();
        },
      });
      check();
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Polls the group's status topic until the connector's latest status satisfies `accept`. */
export async function waitForStatus(
  kafka: Kafka,
  group: string,
  connector: string,
  accept: (status: StatusRecord) => boolean,
  timeoutMs = 60_000,
): Promise<StatusRecord> {
  const deadline = Date.now() + timeoutMs;
  let last: StatusRecord | null = null;
  for (;;) {
    const records = await readTopicToEnd(kafka, groupTopics(group).status).catch(() => new Map<string, Buffer | null>());
    last = decodeStatusRecord(records.get(connector) ?? null);
    if (last && accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`connector ${connector} never reached the expected status; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A connector's sample of a /metrics family (the first connector listed), or NaN when absent. */
export async function metric(runtime: RuntimeProcess, family: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${runtime.httpPort}/metrics`)).text();
  const m = new RegExp(`^${family}\\{[^}]*\\} ([\\d.]+)`, "m").exec(text);
  return m ? Number(m[1]) : NaN;
}
