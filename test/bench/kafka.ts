import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { freeLoopbackPort, sleep, waitForPort } from "./ports";
import { ensureTool, isPidAlive, runChecked, spawnService, stopPid, tailFile } from "./process";
import { makeCertificates, type BenchCertificates } from "./tls";

/** What a test needs to reach a running bench broker; also its serialized form. */
export interface KafkaEndpoint {
  /** bootstrap servers for clients, e.g. ["127.0.0.1:40123"] */
  brokers: string[];
  port: number;
  controllerPort: number;
  dir: string;
  logFile: string;
  pid: number;
  /** Secured listeners beside the plaintext one the suite uses. */
  secured?: KafkaSecured;
}

export interface SaslUser {
  username: string;
  password: string;
}

/**
 * A SASL_SSL listener (SCRAM-SHA-256 and SCRAM-SHA-512, the server certificate naming localhost
 * and 127.0.0.1) and a SASL_PLAINTEXT listener (PLAIN), as ApsaraMQ's and self-managed clusters'
 * secured endpoints are. No authorizer: an authenticated user may do anything.
 */
export interface KafkaSecured {
  saslSsl: { brokers: string[]; port: number };
  saslPlaintext: { brokers: string[]; port: number };
  certificates: BenchCertificates;
  users: { scram256: SaslUser; scram512: SaslUser; plain: SaslUser };
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
  const s = endpoint.secured;
  const extra = s ? `,SASL_SSL://127.0.0.1:${s.saslSsl.port},SASL_PLAINTEXT://127.0.0.1:${s.saslPlaintext.port}` : "";
  const scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${endpoint.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${endpoint.port}${extra},CONTROLLER://127.0.0.1:${endpoint.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${endpoint.port}${extra}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    ...(s
      ? [
          "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512",
          `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
          `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
          "listener.name.sasl_ssl.ssl.keystore.type=PEM",
          `listener.name.sasl_ssl.ssl.keystore.location=${path.join(endpoint.dir, "tls", "keystore.pem")}`,
          "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN",
          `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${s.users.plain.username}="${s.users.plain.password}";`,
        ]
      : []),
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
  const saslSslPort = await otherPort([port, controllerPort]);
  const saslPlaintextPort = await otherPort([port, controllerPort, saslSslPort]);
  const certificates = await makeCertificates(path.join(dir, "tls"), ["localhost", "127.0.0.1"]);
  // Kafka's PEM keystore: the private key, then the certificate chain.
  fs.writeFileSync(path.join(dir, "tls", "keystore.pem"), fs.readFileSync(certificates.server.key, "utf8") + fs.readFileSync(certificates.server.cert, "utf8"), { mode: 0o600 });
  const user = (name: string) => ({ username: `${name}-${crypto.randomBytes(3).toString("hex")}`, password: crypto.randomBytes(12).toString("hex") });
  const endpoint: KafkaEndpoint = {
    brokers: [`127.0.0.1:${port}`],
    port,
    controllerPort,
    dir,
    logFile: path.join(dir, "broker.log"),
    pid: 0,
    secured: {
      saslSsl: { brokers: [`127.0.0.1:${saslSslPort}`], port: saslSslPort },
      saslPlaintext: { brokers: [`127.0.0.1:${saslPlaintextPort}`], port: saslPlaintextPort },
      certificates,
      users: { scram256: user("scram256"), scram512: user("scram512"), plain: user("plain") },
    },
  };
  const users = endpoint.secured?.users as KafkaSecured["users"];
  fs.writeFileSync(path.join(dir, "server.properties"), serverProperties(endpoint));
  fs.writeFileSync(path.join(dir, "log4j2.properties"), LOG4J2);
  // base64url ids may start with "-": given as a separate argument, StorageTool's parser took it for
  // an option (a 1-in-64 failure, seen in CI). The --cluster-id=<id> form cannot be misread.
  const clusterId = crypto.randomBytes(16).toString("base64url").slice(0, 22);
  await runChecked(
    "java",
    ["-cp", `${libs}/*`, `-Dlog4j2.configurationFile=${path.join(dir, "log4j2.properties")}`,
      "kafka.tools.StorageTool", "format", `--cluster-id=${clusterId}`, "-c", path.join(dir, "server.properties"),
      // SCRAM users live in the cluster's metadata: written with the first record.
      "--add-scram", `SCRAM-SHA-256=[name=${users.scram256.username},password=${users.scram256.password}]`,
      "--add-scram", `SCRAM-SHA-512=[name=${users.scram512.username},password=${users.scram512.password}]`],
    { timeoutMs: 120_000 },
  );
  const heapMb = options.heapMb ?? 512;
  endpoint.pid = await launch(endpoint, libs, heapMb, options.detached ?? false);
  return attachKafka(endpoint, { libs, heapMb, detached: options.detached ?? false });
}

async function otherPort(taken: number[]): Promise<number> {
  for (;;) {
    const port = await freeLoopbackPort();
    if (!taken.includes(port)) return port;
  }
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
  const { brokers, port, controllerPort, dir, logFile, pid, secured } = broker;
  return { brokers, port, controllerPort, dir, logFile, pid, secured };
}

export function isKafkaRunning(endpoint: KafkaEndpoint): boolean {
  return endpoint.pid > 0 && isPidAlive(endpoint.pid);
}
