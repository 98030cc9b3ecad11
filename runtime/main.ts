/**
 * The runtime's entry point (also the container's): `node dist/runtime/main.js`.
 *
 * Environment:
 *   CDC_KAFKA_BROKERS   comma-separated bootstrap servers (required)
 *   CDC_GROUP           the resource group this worker serves (required unless --config)
 *   CDC_SECRETS_FILE    a JSON file with the group's key and the Kafka login, { groupKey, kafka: { tls, sasl } }
 *                       (runtime/contract/runtime-secrets.ts): how the ResourceGroup hands them over, so no
 *                       secret is in the environment or the arguments (`ps e` shows both)
 *   CDC_GROUP_KEY       the group's key, base64 of 32 bytes, to decrypt source passwords (a secret), when
 *                       there is no CDC_SECRETS_FILE (manual runs)
 *   CDC_HTTP_PORT       port of /healthz and /metrics (default 8080; 0 picks a free one)
 *   CDC_HTTP_HOST       address to listen on (default 0.0.0.0)
 *   CDC_WORKER_ID       this worker's name in status records (default <hostname>-<pid>)
 *   CDC_LOG_LEVEL       debug, info (default), warn or error
 *   CDC_QUEUE_BYTES     bound of the queue between binlog and Kafka (default 8 MiB)
 *   CDC_SPLIT_ROWS      rows per Kafka transaction inside one huge MySQL transaction (default 20000)
 *   CDC_TRANSACTION_BYTES  bytes per Kafka transaction while catching up a backlog (default 2 MiB)
 *   CDC_SOURCE_CHECK_MS how often the source's binlog end is sampled to tell an idle source (lag 0)
 *                       from a connector behind it (default 5000)
 *   CDC_PARTITION_CHECK_MS how often the partition counts of the topics a connector writes are read, so
 *                       partitions added while it runs are used without a restart (default 5000)
 *   CDC_LEASE_SESSION_MS  how long a dead worker keeps its connectors' leases before another worker
 *                       takes them over (default 10000; the broker allows 6000 to 300000 by default)
 *   CDC_RETRY_BASE_MS   first retry delay (default 1000), doubling up to CDC_RETRY_MAX_MS (default 60000)
 *   CDC_ROW_IMAGES         0 turns off writing DataWorks messages straight from binlog row images (runtime/format/dataworks-image.ts)
 *   CDC_KAFKAJS_FAST_PATH  0 turns off the faster kafkajs internals (runtime/sink/kafkajs-fast-path.ts)
 *   CDC_KAFKAJS_LOG_LEVEL  debug or info shows kafkajs's own protocol logs (default: kept at debug)
 *
 * Arguments:
 *   --config FILE       run the one connector described in FILE (a config record as JSON; its
 *                       source.password may be plaintext) instead of following the configs topic
 */
import fs from "node:fs";
import os from "node:os";
import type { AddressInfo } from "node:net";
import { groupNameProblem } from "./contract/names";
import { describeKafkaSecurity } from "./contract/kafka-security";
import { readRuntimeSecrets } from "./contract/runtime-secrets";
import { parseGroupKey } from "./contract/secrets";
import { CdcError } from "./errors";
import { startHttpServer } from "./http-server";
import { createLogger } from "./log";
import { DEFAULT_BACKOFF } from "./retry";
import { Worker } from "./control/worker";
import { unsupportedBrokerProblem } from "./sink/broker-api-versions";
import { createKafka } from "./sink/kafka-client";
import { installKafkajsFastPath } from "./sink/kafkajs-fast-path";

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A whole number from an environment variable, at least `min`. */
function positiveEnv(name: string, min: number): number {
  const value = Number(process.env[name]);
  if (!Number.isInteger(value) || value < min) fail(`${name} must be a whole number, at least ${min}; got ${JSON.stringify(process.env[name])}.`);
  return value;
}

function fail(message: string): never {
  throw new CdcError("CONFIG_INVALID", message);
}

async function main(): Promise<void> {
  const logger = createLogger();
  const configFile = argument("--config");
  const brokers = (process.env.CDC_KAFKA_BROKERS ?? "").split(",").map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) fail("CDC_KAFKA_BROKERS is not set: give the Kafka bootstrap servers, e.g. 10.0.0.5:9092.");
  const groupName = process.env.CDC_GROUP ?? (configFile ? "local" : fail("CDC_GROUP is not set: give the resource group's name."));
  const groupProblem = groupNameProblem(groupName);
  if (groupProblem) fail(`CDC_GROUP ${JSON.stringify(groupName)} ${groupProblem}.`);
  const secrets = process.env.CDC_SECRETS_FILE ? readRuntimeSecrets(process.env.CDC_SECRETS_FILE) : {};
  const groupKey = secrets.groupKey ?? (process.env.CDC_GROUP_KEY || undefined);
  if (groupKey) parseGroupKey(groupKey);
  else if (!configFile) fail("CDC_GROUP_KEY is not set: give the resource group's key (the ResourceGroup's secret groupKey output).");
  const tuning = {
    ...(process.env.CDC_QUEUE_BYTES ? { maxQueueBytes: positiveEnv("CDC_QUEUE_BYTES", 1024 * 1024) } : {}),
    ...(process.env.CDC_SPLIT_ROWS ? { splitRows: positiveEnv("CDC_SPLIT_ROWS", 1) } : {}),
    ...(process.env.CDC_TRANSACTION_BYTES ? { transactionBytes: positiveEnv("CDC_TRANSACTION_BYTES", 1) } : {}),
    ...(process.env.CDC_SOURCE_CHECK_MS ? { sourceCheckMs: positiveEnv("CDC_SOURCE_CHECK_MS", 100) } : {}),
    ...(process.env.CDC_PARTITION_CHECK_MS ? { partitionCheckMs: positiveEnv("CDC_PARTITION_CHECK_MS", 100) } : {}),
  };
  const backoff = {
    baseMs: process.env.CDC_RETRY_BASE_MS ? positiveEnv("CDC_RETRY_BASE_MS", 1) : DEFAULT_BACKOFF.baseMs,
    maxMs: process.env.CDC_RETRY_MAX_MS ? positiveEnv("CDC_RETRY_MAX_MS", 1) : DEFAULT_BACKOFF.maxMs,
  };
  const workerId = process.env.CDC_WORKER_ID ?? `${os.hostname()}-${process.pid}`;
  const log = logger.child({ group: groupName, worker: workerId });

  const kafka = createKafka({ brokers, clientId: `cdc-${groupName}-${workerId}`, security: secrets.kafka }, log);
  // A broker too old for transactions or topic changes is refused before anything is read.
  const brokerProblem = await unsupportedBrokerProblem(brokers, secrets.kafka);
  if (brokerProblem) throw new CdcError("KAFKA_BROKER_UNSUPPORTED", `${brokerProblem}.`);
  const leaseSessionMs = process.env.CDC_LEASE_SESSION_MS ? positiveEnv("CDC_LEASE_SESSION_MS", 1000) : undefined;
  const worker = new Worker({ groupName, kafka, groupKey, workerId, logger: log, tuning, backoff, leaseSessionMs });
  const server = await startHttpServer(Number(process.env.CDC_HTTP_PORT ?? 8080), process.env.CDC_HTTP_HOST ?? "0.0.0.0", worker);
  log.info("runtime listening", { port: (server.address() as AddressInfo).port, kafka: describeKafkaSecurity(secrets.kafka), kafkajsFastPath: installKafkajsFastPath() });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    await worker.stop();
    server.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  if (configFile) {
    let record: unknown;
    try {
      record = JSON.parse(fs.readFileSync(configFile, "utf8"));
    } catch (error) {
      fail(`--config ${configFile} cannot be read as JSON: ${(error as Error).message}`);
    }
    await worker.runConfig(record);
  } else {
    await worker.start();
  }
  log.info("runtime started", { connectors: worker.connectors().map((c) => c.name) });
}

main().catch((error) => {
  const message = error instanceof CdcError ? error.message : `INTERNAL: ${(error as Error)?.stack ?? error}`;
  createLogger().error(message, { code: error instanceof CdcError ? error.code : "INTERNAL" });
  process.exit(1);
});
