import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { freeLoopbackPort, sleep, waitForPort } from "./ports";
import { ensureTool, isPidAlive, runChecked, spawnService, stopPid, tailFile } from "./process";

/** What a test needs to reach a running bench broker; also its serialized form. */
export interface KafkaEndpoint {
  /** bootstrap servers for clients, e.g. ["127.0.0.1:40123"] */
  brokers: string[];
  port: number;
  controllerPort: number;
  dir: string;
  logFile: string;
  pid: number;
}

export interface KafkaBroker extends KafkaEndpoint {
  /** Stops the broker (SIGTERM, a controlled shutdown). Keeps the directory unless remove is set. */
  stop(options?: { remove?: boolean }): Promise<void>;
  /** Stops and starts the broker on the same ports and log dirs; topics and data survive. */
  restart(): Promise<void>;
}

export interface StartKafkaOptions {
  parentDir?: string;
  /** Start as a detached process that outlives this one (for `npm run services`). */
  detached?: boolean;
  heapMb?: number;
}

const START_TIMEOUT_MS = 120_000;

let kafkaLibs: Promise<string> | undefined;
/** Fetches the broker jars from Maven Central on first use (scripts/ensure-kafka.sh). */
export function ensureKafkaJars(): Promise<string> {
  kafkaLibs ??= ensureTool("ensure-kafka.sh");
  return kafkaLibs;
}

function serverProperties(endpoint: KafkaEndpoint): string {
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${endpoint.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${endpoint.port},CONTROLLER://127.0.0.1:${endpoint.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${endpoint.port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${path.join(endpoint.dir, "logs")}`,
    // One node: every internal topic has a single replica.
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=3",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "transaction.state.log.num.partitions=3",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    // Topics are created by TopicSet and the runtime, never by a stray produce or fetch.
    "auto.create.topics.enable=false",
    "num.partitions=1",
    "delete.topic.enable=true",
    // Records up to the connector's 10 MB limit plus framing.
    "message.max.bytes=16777216",
    "replica.fetch.max.bytes=16777216",
    "log.segment.bytes=67108864",
    "",
  ].join("\n");
}

const LOG4J2 = [
  "status = warn",
  "appender.out.type = Console",
  "appender.out.name = out",
  "appender.out.layout.type = PatternLayout",
  "appender.out.layout.pattern = [%d] %p %m (%c)%n",
  "rootLogger.level = INFO",
  "rootLogger.appenderRef.out.ref = out",
  "logger.request.name = kafka.request.logger",
  "logger.request.level = WARN",
  "",
].join("\n");

async function launch(endpoint: KafkaEndpoint, libs: string, heapMb: number, detached: boolean): Promise<number> {
  const child = spawnService(
    "java",
    [
      `-Xmx${heapMb}m`,
      "-Xms128m",
      "-Djava.awt.headless=true",
      `-Dlog4j2.configurationFile=${path.join(endpoint.dir, "log4j2.properties")}`,
      "-cp",
      `${libs}/*`,
      "kafka.Kafka",
      path.join(endpoint.dir, "server.properties"),
    ],
    { logFile: endpoint.logFile, detached },
  );
  if (child.pid === undefined) throw new Error("the Kafka broker did not start");
  let exited = false;
  child.on("exit", () => (exited = true));
  try {
    await waitForPort(endpoint.port, START_TIMEOUT_MS, () => !exited);
    await waitUntilTopicCanBeCreated(endpoint, START_TIMEOUT_MS);
  } catch (error) {
    await stopPid(child.pid, "SIGKILL", 5_000);
    throw new Error(
      `Kafka did not become ready: ${(error as Error).message}\n--- ${endpoint.logFile} ---\n${tailFile(endpoint.logFile)}`,
    );
  }
  return child.pid;
}

/** The broker counts as ready once a kafkajs admin can create (and delete) a topic on it. */
async function waitUntilTopicCanBeCreated(endpoint: KafkaEndpoint, timeoutMs: number): Promise<void> {
  const kafka = new Kafka({ clientId: "bench-ready", brokers: endpoint.brokers, logLevel: logLevel.NOTHING });
  const topic = `__bench_ready_${crypto.randomBytes(4).toString("hex")}`;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await admin.deleteTopics({ topics: [topic] });
      return;
    } catch (error) {
      lastError = error;
      await sleep(250);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new Error(`no topic could be created within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Starts a single KRaft node (broker and controller in one JVM) on free loopback ports. */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const libs = await ensureKafkaJars();
  const parent = options.parentDir ?? fs.realpathSync(os.tmpdir());
  const dir = fs.mkdtempSync(path.join(parent, "kafka-"));
  const port = await freeLoopbackPort();
  let controllerPort = await freeLoopbackPort();
  while (controllerPort === port) controllerPort = await freeLoopbackPort();
  const endpoint: KafkaEndpoint = {
    brokers: [`127.0.0.1:${port}`],
    port,
    controllerPort,
    dir,
    logFile: path.join(dir, "broker.log"),
    pid: 0,
  };
  fs.writeFileSync(path.join(dir, "server.properties"), serverProperties(endpoint));
  fs.writeFileSync(path.join(dir, "log4j2.properties"), LOG4J2);
  // base64url ids may start with "-": given as a separate argument, StorageTool's parser took it for
  // an option (a 1-in-64 failure, seen in CI). The --cluster-id=<id> form cannot be misread.
  const clusterId = crypto.randomBytes(16).toString("base64url").slice(0, 22);
  await runChecked(
    "java",
    ["-cp", `${libs}/*`, `-Dlog4j2.configurationFile=${path.join(dir, "log4j2.properties")}`,
      "kafka.tools.StorageTool", "format", `--cluster-id=${clusterId}`, "-c", path.join(dir, "server.properties")],
    { timeoutMs: 120_000 },
  );
  const heapMb = options.heapMb ?? 512;
  endpoint.pid = await launch(endpoint, libs, heapMb, options.detached ?? false);
  return attachKafka(endpoint, { libs, heapMb, detached: options.detached ?? false });
}

/** Wraps a running broker's endpoint (for instance one read back from a services state file). */
export function attachKafka(
  endpoint: KafkaEndpoint,
  launchOptions: { libs?: string; heapMb?: number; detached?: boolean } = {},
): KafkaBroker {
  const broker: KafkaBroker = {
    ...endpoint,
    brokers: [...endpoint.brokers],
    async stop(options = {}) {
      await stopPid(broker.pid, "SIGTERM", 30_000);
      if (options.remove) fs.rmSync(broker.dir, { recursive: true, force: true });
    },
    async restart() {
      await stopPid(broker.pid, "SIGTERM", 30_000);
      const libs = launchOptions.libs ?? (await ensureKafkaJars());
      broker.pid = await launch(broker, libs, launchOptions.heapMb ?? 512, launchOptions.detached ?? false);
    },
  };
  return broker;
}

export function kafkaEndpoint(broker: KafkaBroker): KafkaEndpoint {
  const { brokers, port, controllerPort, dir, logFile, pid } = broker;
  return { brokers, port, controllerPort, dir, logFile, pid };
}

export function isKafkaRunning(endpoint: KafkaEndpoint): boolean {
  return endpoint.pid > 0 && isPidAlive(endpoint.pid);
}
