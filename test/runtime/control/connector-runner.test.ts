import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { normalizeConnectorConfig, type ConnectorConfig } from "../../../runtime/contract/config";
import { groupTopics } from "../../../runtime/contract/names";
import { encryptSecret, generateGroupKey } from "../../../runtime/contract/secrets";
import { ConnectorRunner } from "../../../runtime/control/connector-runner";
import { StatusWriter } from "../../../runtime/control/status-writer";
import { createLogger } from "../../../runtime/log";
import { DEFAULT_TUNING } from "../../../runtime/pipeline/connector-task";
import { KafkaAdmin } from "../../../runtime/sink/admin";
import { createKafka } from "../../../runtime/sink/kafka-client";
import { freeLoopbackPort } from "../../bench/ports";
import { useBench, type Bench } from "../../bench/services";
import { uniqueName, waitForStatus } from "../fixtures";

// The retry window: a source that stays unreachable is retried with backoff, then the connector
// fails with RETRY_WINDOW_EXCEEDED naming the cause. (The window is shortened below the 10-minute
// minimum a user may configure, by building the config object directly.)
let bench: Bench;
const group = uniqueName("g-");

before(async () => {
  bench = await useBench({ kafka: true });
});

after(async () => {
  const admin = createKafka({ brokers: bench.kafka.brokers, clientId: "cleanup" }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(groupTopics(group)) }).catch(() => undefined);
  await admin.disconnect();
  await bench.stop();
});

test("an unreachable source is retried with backoff, then fails with RETRY_WINDOW_EXCEEDED", async () => {
  const kafka = createKafka({ brokers: bench.kafka.brokers, clientId: uniqueName("runner-") });
  const topics = groupTopics(group);
  const admin = await KafkaAdmin.connect(kafka);
  await admin.ensureTopics(Object.values(topics).map((topic) => ({ topic, partitions: 1, configs: { "cleanup.policy": "compact" } })));
  await admin.disconnect();
  const groupKey = generateGroupKey();
  const deadPort = await freeLoopbackPort();
  const normalized = normalizeConnectorConfig({
    name: "unreachable",
    topicPrefix: "nowhere",
    source: { host: "127.0.0.1", port: deadPort, database: "db", user: "cdc", passwordEncrypted: encryptSecret("pw", groupKey, "unreachable"), tables: ["t"] },
  });
  assert.ok(normalized.ok);
  const config: ConnectorConfig = { ...normalized.config, retry: { connectionMinutes: 0.05, otherMinutes: 0.01 } };
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", write: (line) => lines.push(line) });
  const status = new StatusWriter(kafka, topics.status, logger);
  await status.connect();
  const runner = new ConnectorRunner(config, {
    groupName: group, topics, kafka, groupKey, workerId: "test", status, logger, tuning: DEFAULT_TUNING, backoff: { baseMs: 100, maxMs: 400 },
  });
  const started = Date.now();
  runner.start();
  const failed = await waitForStatus(kafka, group, "unreachable", (s) => s.state === "FAILED", 30_000);
  const elapsed = Date.now() - started;
  await runner.stop();
  await status.disconnect();
  assert.equal(failed.errorCode, "RETRY_WINDOW_EXCEEDED");
  assert.match(failed.reason ?? "", /SOURCE_UNREACHABLE kept failing for more than 0.05 minutes/);
  assert.ok(elapsed >= 3_000, `failed only after the 3 s window (${elapsed} ms)`);
  const retries = lines.filter((l) => l.includes('"msg":"retrying"')).length;
  assert.ok(retries >= 3, `retried with backoff before giving up (${retries} retries)`);
  assert.equal(runner.metrics.errors.get("SOURCE_UNREACHABLE"), retries + 1);
  assert.equal(runner.metrics.errors.get("RETRY_WINDOW_EXCEEDED"), 1);
  assert.ok(!lines.some((l) => l.includes('"pw"')), "the password never reaches a log line");
});
