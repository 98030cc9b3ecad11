import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { freeLoopbackPort, sleep, waitForPort } from "./ports";
import { ensureTool, isPidAlive, repoRoot, runChecked, spawnService, stopPid, tailFile } from "./process";
import { makeCertificates, type BenchCertificates } from "./tls";

/** What a test needs to reach a running bench broker; also its serialized form. */
export interface KafkaEndpoint {
  /** bootstrap servers for clients, e.g. ["127.0.0.1:40123"] */
  brokers: string[];
  /** The broker's Apache Kafka version, e.g. "4.1.1" (the default, test/bench/pom.xml's). */
  version: string;
  port: number;
  /** KRaft's controller listener, or (before 3.0, ZooKeeper mode) the bench ZooKeeper's client port. */
  controllerPort: number;
  /** ZooKeeper mode only (versions before 3.0): the ZooKeeper server the broker keeps its metadata in. */
  zookeeper?: { pid: number; dir: string; logFile: string };
  dir: string;
  logFile: string;
  pid: number;
  /**
   * Secured listeners beside the plaintext one the suite uses. None on KRaft before 3.5, which
   * cannot hold SCRAM credentials (KIP-554 came with 3.5), nor before 2.7 (no PEM keystores).
   */
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
  /** An Apache Kafka version from Maven Central; benchKafkaVersion() by default (the broker matrix: 3.3.2, 2.8.2). */
  version?: string;
}

const START_TIMEOUT_MS = 120_000;

/** The default broker version: the one test/bench/pom.xml names. */
export const DEFAULT_KAFKA_VERSION = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(
  fs.readFileSync(path.join(repoRoot, "test", "bench", "pom.xml"), "utf8"),
)?.[1] as string;

/** The version a bench starts: $CDC_KAFKA_VERSION (the broker matrix sets it), or the default. */
export function benchKafkaVersion(): string {
  return process.env.CDC_KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
}

const kafkaLibs = new Map<string, Promise<string>>();
/** Fetches a version's broker jars from Maven Central on first use (scripts/ensure-kafka.sh). */
export function ensureKafkaJars(version = DEFAULT_KAFKA_VERSION): Promise<string> {
  let libs = kafkaLibs.get(version);
  if (!libs) kafkaLibs.set(version, (libs = ensureTool("ensure-kafka.sh", [version])));
  return libs;
}

function major(version: string): number {
  return Number(version.split(".")[0]);
}

/** Before 3.0 the broker keeps its metadata in ZooKeeper (KRaft was an early-access preview without transactions). */
export function usesZooKeeper(version: string): boolean {
  return major(version) < 3;
}

/**
 * Whether the bench gives this version its SASL_SSL (SCRAM) and SASL_PLAINTEXT listeners: SCRAM
 * credentials live in ZooKeeper, or in KRaft's metadata from 3.5 on; PEM keystores came with 2.7.
 */
export function hasSecuredListeners(version: string): boolean {
  const [a, b] = version.split(".").map(Number);
  return a > 3 || (a === 3 && b >= 5) || (a === 2 && b >= 7);
}

function serverProperties(endpoint: KafkaEndpoint, keyPassword?: string): string {
  const s = endpoint.secured;
  const extra = s ? `,SASL_SSL://127.0.0.1:${s.saslSsl.port},SASL_PLAINTEXT://127.0.0.1:${s.saslPlaintext.port}` : "";
  const scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  const metadata = usesZooKeeper(endpoint.version)
    ? ["broker.id=1", `zookeeper.connect=127.0.0.1:${endpoint.controllerPort}`, `listeners=PLAINTEXT://127.0.0.1:${endpoint.port}${extra}`]
    : [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@127.0.0.1:${endpoint.controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${endpoint.port}${extra},CONTROLLER://127.0.0.1:${endpoint.controllerPort}`,
        "controller.listener.names=CONTROLLER",
      ];
  return [
    ...metadata,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${endpoint.port}${extra}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    ...(s
      ? [
          "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512",
          `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
          `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
          "listener.name.sasl_ssl.ssl.keystore.type=PEM",
          `listener.name.sasl_ssl.ssl.keystore.location=${path.join(endpoint.dir, "tls", "keystore.pem")}`,
          ...(keyPassword ? [`listener.name.sasl_ssl.ssl.key.password=${keyPassword}`] : []),
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
    ...(major(endpoint.version) >= 4 ? ["share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1"] : []),
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

/** The same for Kafka before 2.x's slf4j binding moved to log4j2 (0.11 logs through log4j 1.2). */
const LOG4J1 = [
  "log4j.rootLogger=INFO, out",
  "log4j.appender.out=org.apache.log4j.ConsoleAppender",
  "log4j.appender.out.layout=org.apache.log4j.PatternLayout",
  "log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n",
  "log4j.logger.kafka.request.logger=WARN",
  "",
].join("\n");

/** The JVM flags naming both logging configurations (each version reads the one it uses). */
function loggingFlags(dir: string): string[] {
  return [`-Dlog4j2.configurationFile=${path.join(dir, "log4j2.properties")}`, `-Dlog4j.configuration=file:${path.join(dir, "log4j.properties")}`];
}

async function launch(endpoint: KafkaEndpoint, libs: string, heapMb: number, detached: boolean): Promise<number> {
  const child = spawnService(
    "java",
    [
      `-Xmx${heapMb}m`,
      "-Xms128m",
      "-Djava.awt.headless=true",
      ...loggingFlags(endpoint.dir),
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
      // Explicit: Kafka before 2.4 refuses -1, the broker's default.
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
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

/**
 * Starts a single broker on free loopback ports: a KRaft node (broker and controller in one JVM),
 * or before 3.0 a broker beside its own ZooKeeper server.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const version = options.version ?? benchKafkaVersion();
  const libs = await ensureKafkaJars(version);
  const parent = options.parentDir ?? fs.realpathSync(os.tmpdir());
  const dir = fs.mkdtempSync(path.join(parent, "kafka-"));
  const port = await freeLoopbackPort();
  const controllerPort = await otherPort([port]);
  const saslSslPort = await otherPort([port, controllerPort]);
  const saslPlaintextPort = await otherPort([port, controllerPort, saslSslPort]);
  const certificates = await makeCertificates(path.join(dir, "tls"), ["localhost", "127.0.0.1"]);
  // Kafka's PEM keystore (2.7+): the private key, then the certificate chain. Before 3.0 the key
  // must be encrypted, with a PBES1 scheme (Java has no PBES2 SecretKeyFactory).
  const keyPassword = usesZooKeeper(version) && hasSecuredListeners(version) ? crypto.randomBytes(12).toString("hex") : undefined;
  const keyFile = keyPassword ? path.join(dir, "tls", "server-key-encrypted.pem") : certificates.server.key;
  if (keyPassword) {
    await runChecked("openssl", ["pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", certificates.server.key, "-passout", `pass:${keyPassword}`, "-out", keyFile]);
  }
  fs.writeFileSync(path.join(dir, "tls", "keystore.pem"), fs.readFileSync(keyFile, "utf8") + fs.readFileSync(certificates.server.cert, "utf8"), { mode: 0o600 });
  const user = (name: string) => ({ username: `${name}-${crypto.randomBytes(3).toString("hex")}`, password: crypto.randomBytes(12).toString("hex") });
  const users = { scram256: user("scram256"), scram512: user("scram512"), plain: user("plain") };
  const endpoint: KafkaEndpoint = {
    brokers: [`127.0.0.1:${port}`],
    version,
    port,
    controllerPort,
    dir,
    logFile: path.join(dir, "broker.log"),
    pid: 0,
    secured: hasSecuredListeners(version)
      ? {
          saslSsl: { brokers: [`127.0.0.1:${saslSslPort}`], port: saslSslPort },
          saslPlaintext: { brokers: [`127.0.0.1:${saslPlaintextPort}`], port: saslPlaintextPort },
          certificates,
          users,
        }
      : undefined,
  };
  fs.writeFileSync(path.join(dir, "server.properties"), serverProperties(endpoint, keyPassword), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "log4j2.properties"), LOG4J2);
  fs.writeFileSync(path.join(dir, "log4j.properties"), LOG4J1);
  const detached = options.detached ?? false;
  try {
    await prepareAndLaunch(endpoint, users, libs, options.heapMb ?? 512, detached);
  } catch (error) {
    // ZooKeeper, started first, must not outlive a broker that failed to start.
    if (endpoint.zookeeper) await stopPid(endpoint.zookeeper.pid, "SIGKILL", 5_000);
    throw error;
  }
  return attachKafka(endpoint, { libs, heapMb: options.heapMb ?? 512, detached });
}

/** Writes the broker's metadata (ZooKeeper and its SCRAM users, or KRaft's format) and starts it. */
async function prepareAndLaunch(endpoint: KafkaEndpoint, users: KafkaSecured["users"], libs: string, heapMb: number, detached: boolean): Promise<void> {
  const { dir, version, controllerPort } = endpoint;
  const log4j = loggingFlags(dir);
  if (usesZooKeeper(version)) {
    endpoint.zookeeper = await startZooKeeper(dir, controllerPort, libs, log4j, detached);
    // SCRAM users live in ZooKeeper, written before the broker starts.
    for (const [mechanism, u] of endpoint.secured ? ([["SCRAM-SHA-256", users.scram256], ["SCRAM-SHA-512", users.scram512]] as const) : []) {
      await runChecked(
        "java",
        ["-cp", `${libs}/*`, ...log4j, "kafka.admin.ConfigCommand", "--zookeeper", `127.0.0.1:${controllerPort}`, "--alter",
          "--add-config", `${mechanism}=[password=${u.password}]`, "--entity-type", "users", "--entity-name", u.username],
        { timeoutMs: 120_000 },
      );
    }
  } else {
    // base64url ids may start with "-": given as a separate argument, StorageTool's parser took it for
    // an option (a 1-in-64 failure, seen in CI). The --cluster-id=<id> form cannot be misread.
    const clusterId = crypto.randomBytes(16).toString("base64url").slice(0, 22);
    const scramUsers = endpoint.secured
      ? // SCRAM users live in the cluster's metadata: written with the first record.
        ["--add-scram", `SCRAM-SHA-256=[name=${users.scram256.username},password=${users.scram256.password}]`,
          "--add-scram", `SCRAM-SHA-512=[name=${users.scram512.username},password=${users.scram512.password}]`]
      : [];
    await runChecked(
      "java",
      ["-cp", `${libs}/*`, ...log4j, "kafka.tools.StorageTool", "format", `--cluster-id=${clusterId}`, "-c", path.join(dir, "server.properties"), ...scramUsers],
      { timeoutMs: 120_000 },
    );
  }
  endpoint.pid = await launch(endpoint, libs, heapMb, detached);
}

/** ZooKeeper's standalone server from the broker's own jars (2.x ships them), on loopback. */
async function startZooKeeper(dir: string, port: number, libs: string, log4j: string[], detached: boolean): Promise<NonNullable<KafkaEndpoint["zookeeper"]>> {
  const zkDir = path.join(dir, "zookeeper");
  fs.mkdirSync(zkDir, { recursive: true });
  fs.writeFileSync(
    path.join(zkDir, "zoo.cfg"),
    [`dataDir=${zkDir}`, `clientPort=${port}`, "clientPortAddress=127.0.0.1", "tickTime=2000", "admin.enableServer=false", "4lw.commands.whitelist=", ""].join("\n"),
  );
  const logFile = path.join(dir, "zookeeper.log");
  const child = spawnService(
    "java",
    ["-Xmx128m", "-Djava.awt.headless=true", "-Dzookeeper.jmx.log4j.disable=true", ...log4j, "-cp", `${libs}/*`, "org.apache.zookeeper.server.quorum.QuorumPeerMain", path.join(zkDir, "zoo.cfg")],
    { logFile, detached },
  );
  if (child.pid === undefined) throw new Error("ZooKeeper did not start");
  let exited = false;
  child.on("exit", () => (exited = true));
  try {
    await waitForPort(port, START_TIMEOUT_MS, () => !exited);
  } catch (error) {
    await stopPid(child.pid, "SIGKILL", 5_000);
    throw new Error(`ZooKeeper did not become ready: ${(error as Error).message}\n--- ${logFile} ---\n${tailFile(logFile)}`);
  }
  return { pid: child.pid, dir: zkDir, logFile };
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
      // The broker's controlled shutdown needs its ZooKeeper: stopped after it.
      if (broker.zookeeper) await stopPid(broker.zookeeper.pid, "SIGTERM", 30_000);
      if (options.remove) fs.rmSync(broker.dir, { recursive: true, force: true });
    },
    async restart() {
      await stopPid(broker.pid, "SIGTERM", 30_000);
      const libs = launchOptions.libs ?? (await ensureKafkaJars(broker.version));
      broker.pid = await launch(broker, libs, launchOptions.heapMb ?? 512, launchOptions.detached ?? false);
    },
  };
  return broker;
}

export function kafkaEndpoint(broker: KafkaBroker): KafkaEndpoint {
  const { brokers, version, port, controllerPort, zookeeper, dir, logFile, pid, secured } = broker;
  return { brokers, version, port, controllerPort, zookeeper, dir, logFile, pid, secured };
}

export function isKafkaRunning(endpoint: KafkaEndpoint): boolean {
  return endpoint.pid > 0 && isPidAlive(endpoint.pid) && (!endpoint.zookeeper || isPidAlive(endpoint.zookeeper.pid));
}
