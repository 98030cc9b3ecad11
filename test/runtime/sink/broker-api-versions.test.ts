import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import { after, before, test } from "node:test";
import { apiVersionsRequest, parseApiVersionsAnswer, readApiVersions, unsupportedBrokerProblem } from "../../../runtime/sink/broker-api-versions";
import { REQUIRED_APIS } from "../../../runtime/sink/broker-features";
import { CdcError } from "../../../runtime/errors";
import { startKafka, type KafkaBroker } from "../../bench/kafka";
import { freeLoopbackPort } from "../../bench/ports";
import { repoRoot, runCommand } from "../../bench/process";
import { useBench, type Bench } from "../../bench/services";

// A broker's ApiVersions answer read with our own request, from the bench's broker (plaintext and
// SASL_SSL, no login) and from a real Kafka 0.11.0.3, which has transactions but no
// CreatePartitions: refused by the check, and by the runtime at start-up.
let bench: Bench;
let old: KafkaBroker;

before(async () => {
  [bench, old] = await Promise.all([useBench({ kafka: true }), startKafka({ version: "0.11.0.3" })]);
});

after(async () => {
  await old?.stop({ remove: true });
  await bench?.stop();
});

test("the bench broker serves every request the connector needs, over plaintext and over SASL_SSL before any login", async () => {
  const plain = await readApiVersions(bench.kafka.brokers[0], undefined);
  for (const api of REQUIRED_APIS) assert.ok((plain.get(api.key)?.max ?? -1) >= api.minVersion, `${api.name} v${api.minVersion}`);
  // ApiVersions itself (key 18) is in every answer.
  assert.ok(plain.has(18));
  assert.equal(await unsupportedBrokerProblem(bench.kafka.brokers, undefined), undefined);
  const secured = bench.kafka.secured;
  if (secured) {
    const ca = fs.readFileSync(secured.certificates.ca, "utf8");
    const overTls = await readApiVersions(secured.saslSsl.brokers[0], { tls: { ca }, sasl: { mechanism: "scram-sha-256", username: "nobody", password: "never-sent" } });
    assert.deepEqual([...overTls].sort(), [...plain].sort());
  }
});

test("Kafka 0.11.0.3 has transactions but no CreatePartitions: refused, naming what it lacks", async () => {
  const versions = await readApiVersions(old.brokers[0], undefined);
  assert.ok((versions.get(22)?.max ?? -1) >= 0, "InitProducerId (transactions)");
  assert.equal(versions.has(37), false);
  assert.equal(
    await unsupportedBrokerProblem([`127.0.0.1:${await freeLoopbackPort()}`, ...old.brokers], undefined),
    `the broker ${old.brokers[0]} runs an Apache Kafka older than 1.0: it lacks CreatePartitions v0+ (raising a table topic's partitions; Kafka 1.0+). ` +
      "The connector needs Kafka 1.0 or later (tested: 2.2.2, 2.8.2, 3.3.2, 4.1.1)",
  );
});

test("the runtime refuses to start on Kafka 0.11, with the code and the fix", async () => {
  const result = await runCommand(process.execPath, [`${repoRoot}/dist/runtime/main.js`], {
    env: { ...process.env, CDC_KAFKA_BROKERS: old.brokers[0], CDC_GROUP: "old-broker", CDC_GROUP_KEY: Buffer.alloc(32, 7).toString("base64"), CDC_HTTP_PORT: "0", CDC_HTTP_HOST: "127.0.0.1" },
    timeoutMs: 60_000,
  });
  assert.equal(result.code, 1);
  const line = JSON.parse(result.stdout.trim().split("\n").filter((l) => l.includes("KAFKA_BROKER_UNSUPPORTED")).at(-1) ?? "{}");
  assert.equal(line.code, "KAFKA_BROKER_UNSUPPORTED");
  assert.match(line.msg ?? line.message, /lacks CreatePartitions v0\+ .* Fix: Point kafka\.brokers at a cluster running Apache Kafka 1\.0 or later/);
});

test("a port nobody listens on, a refused certificate and a malformed answer have their codes", async () => {
  const closed = `127.0.0.1:${await freeLoopbackPort()}`;
  await assert.rejects(readApiVersions(closed, undefined), (e: CdcError) => e.code === "KAFKA_UNAVAILABLE" && e.message.includes(closed) && e.message.includes("ECONNREFUSED"));
  const secured = bench.kafka.secured;
  if (secured) {
    // The system's CAs do not sign the bench's certificate.
    await assert.rejects(readApiVersions(secured.saslSsl.brokers[0], { tls: true }), (e: CdcError) => e.code === "KAFKA_TLS_FAILED");
  }
  // A listener that answers with something else (here: its own bytes echoed back).
  const echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  try {
    const port = (echo.address() as net.AddressInfo).port;
    await assert.rejects(readApiVersions(`127.0.0.1:${port}`, undefined, 2_000), (e: CdcError) => e.code === "KAFKA_REQUEST_FAILED" && /not an ApiVersions answer/.test(e.message));
  } finally {
    echo.close();
  }
  assert.throws(() => parseApiVersionsAnswer(Buffer.from([0, 0, 0, 7, 0, 0, 0, 0, 0, 5]), 7), /truncated/);
  assert.throws(() => parseApiVersionsAnswer(Buffer.from([0, 0, 0, 7, 0, 33, 0, 0, 0, 0]), 7), /error code 33/);
  assert.equal(apiVersionsRequest(9).readInt16BE(4), 18);
});
