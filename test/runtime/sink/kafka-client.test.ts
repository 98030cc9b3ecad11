import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Kafka } from "kafkajs";
import type { KafkaSecurity } from "../../../runtime/contract/kafka-security";
import { CdcError } from "../../../runtime/errors";
import { KafkaAdmin } from "../../../runtime/sink/admin";
import { createKafka, kafkajsSecurityOptions } from "../../../runtime/sink/kafka-client";
import type { KafkaSecured } from "../../bench/kafka";
import { useBench, type Bench } from "../../bench/services";
import { makeCertificates } from "../../bench/tls";
import { uniqueName } from "../fixtures";

// The one Kafka client factory against the bench broker's secured listeners: SASL_SSL with
// SCRAM-SHA-256 and -512 (the transactional, read_committed path the runtime uses), PLAIN over
// SASL_PLAINTEXT, and each way a secured login fails, classified by code.
let bench: Bench;
let secured: KafkaSecured;
let ca: string;
let otherCa: string;
let dir: string;
const topics: string[] = [];

before(async () => {
  bench = await useBench({ kafka: true });
  assert.ok(bench.kafka.secured, "the bench broker has secured listeners");
  secured = bench.kafka.secured;
  ca = fs.readFileSync(secured.certificates.ca, "utf8");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-kafka-tls-"));
  otherCa = fs.readFileSync((await makeCertificates(dir, ["localhost"])).ca, "utf8");
});

after(async () => {
  if (topics.length) {
    const admin = await KafkaAdmin.connect(createKafka({ brokers: bench.kafka.brokers, clientId: "cleanup" }));
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  }
  await bench.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function saslSsl(user: keyof KafkaSecured["users"], mechanism: "scram-sha-256" | "scram-sha-512", tls: KafkaSecurity["tls"] = { ca }): Kafka {
  return createKafka({ brokers: secured.saslSsl.brokers, clientId: uniqueName("sec-"), security: { tls, sasl: { mechanism, ...secured.users[user] } } });
}

async function connectFailure(kafka: Kafka): Promise<CdcError> {
  try {
    const admin = await KafkaAdmin.connect(kafka);
    await admin.disconnect();
  } catch (error) {
    assert.ok(error instanceof CdcError, `expected a CdcError, got ${String(error)}`);
    return error;
  }
  return assert.fail("expected the login to fail");
}

/** A transaction committed and one aborted; a read_committed consumer in a group sees the committed one only. */
async function transactionsRoundTrip(kafka: Kafka): Promise<string[]> {
  const topic = uniqueName("sec-");
  topics.push(topic);
  const admin = await KafkaAdmin.connect(kafka);
  await admin.createTopics([{ topic, partitions: 2 }]);
  await admin.disconnect();
  const producer = kafka.producer({ transactionalId: uniqueName("tx-"), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const committed = await producer.transaction();
  await committed.send({ topic, acks: -1, messages: [{ key: "a", value: "committed-1" }, { key: "b", value: "committed-2" }] });
  await committed.commit();
  const aborted = await producer.transaction();
  await aborted.send({ topic, acks: -1, messages: [{ key: "c", value: "aborted" }] });
  await aborted.abort();
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName("sec-group-"), readUncommitted: false });
  const seen: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const deadline = Date.now() + 30_000;
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // The aborted record would come after the committed ones: give it time to show.
    await new Promise((r) => setTimeout(r, 1_000));
  } finally {
    await consumer.disconnect();
  }
  return seen.sort();
}

describe("SASL_SSL", () => {
  for (const [user, mechanism] of [["scram256", "scram-sha-256"], ["scram512", "scram-sha-512"]] as const) {
    test(`${mechanism}: transactions, read_committed, a consumer group`, async () => {
      assert.deepEqual(await transactionsRoundTrip(saslSsl(user, mechanism)), ["committed-1", "committed-2"]);
    });
  }

  test("a wrong password is KAFKA_AUTH_FAILED, not retried, without the password", async () => {
    const kafka = createKafka({
      brokers: secured.saslSsl.brokers,
      clientId: uniqueName("sec-"),
      security: { tls: { ca }, sasl: { mechanism: "scram-sha-256", username: secured.users.scram256.username, password: "wrong-pw-x9" } },
    });
    const error = await connectFailure(kafka);
    assert.equal(error.code, "KAFKA_AUTH_FAILED");
    assert.equal(error.retriable, false);
    assert.match(error.message, /the broker refused the SASL login/);
    assert.ok(!error.message.includes("wrong-pw-x9"));
  });

  test("a SCRAM-SHA-256 user does not log in with SCRAM-SHA-512", async () => {
    const kafka = createKafka({ brokers: secured.saslSsl.brokers, clientId: uniqueName("sec-"), security: { tls: { ca }, sasl: { mechanism: "scram-sha-512", ...secured.users.scram256 } } });
    assert.equal((await connectFailure(kafka)).code, "KAFKA_AUTH_FAILED");
  });

  test("brokers signed by another CA are KAFKA_TLS_FAILED; so is a self-signed CA under Node's own CAs", async () => {
    const other = await connectFailure(saslSsl("scram256", "scram-sha-256", { ca: otherCa }));
    assert.equal(other.code, "KAFKA_TLS_FAILED");
    assert.match(other.message, /not signed by a CA given in kafka\.tls\.ca|chain ends in a CA not given in kafka\.tls\.ca/);
    assert.equal((await connectFailure(saslSsl("scram256", "scram-sha-256", true))).code, "KAFKA_TLS_FAILED");
  });

  test("a refused certificate ends the connect at once: kafkajs's retries (6 s and more) are not waited for", async () => {
    const started = Date.now();
    const error = await connectFailure(saslSsl("scram256", "scram-sha-256", { ca: otherCa }));
    const elapsed = Date.now() - started;
    assert.equal(error.code, "KAFKA_TLS_FAILED");
    // kafkajs's retries (200 ms doubling, 5 times) take over 6 s; one failed handshake takes milliseconds.
    assert.ok(elapsed < 3_000, `failed after ${elapsed} ms`);
  });

  test("a certificate that does not name the broker is refused, unless verifyHostname is false (ApsaraMQ)", async () => {
    const mismatch = await connectFailure(saslSsl("scram256", "scram-sha-256", { ca, serverName: "kafka.example.com" }));
    assert.equal(mismatch.code, "KAFKA_TLS_FAILED");
    assert.match(mismatch.message, /does not name the host/);
    const admin = await KafkaAdmin.connect(saslSsl("scram256", "scram-sha-256", { ca, serverName: "kafka.example.com", verifyHostname: false }));
    await admin.disconnect();
  });
});

test("a plaintext client at the SASL_SSL listener is KAFKA_UNAVAILABLE, and the fix names the listener's protocol", async () => {
  const error = await connectFailure(createKafka({ brokers: secured.saslSsl.brokers, clientId: uniqueName("sec-") }));
  assert.equal(error.code, "KAFKA_UNAVAILABLE");
  assert.match(error.message, /a SASL_SSL or SSL listener closes a connection made without kafka\.tls/);
});

describe("SASL_PLAINTEXT", () => {
  test("PLAIN with allowWithoutTls: transactions and read_committed", async () => {
    const kafka = createKafka({ brokers: secured.saslPlaintext.brokers, clientId: uniqueName("sec-"), security: { sasl: { mechanism: "plain", ...secured.users.plain, allowWithoutTls: true } } });
    assert.deepEqual(await transactionsRoundTrip(kafka), ["committed-1", "committed-2"]);
  });
});

test("kafkajsSecurityOptions: the CA checked always, the name skipped only when asked", () => {
  assert.deepEqual(kafkajsSecurityOptions(undefined), {});
  assert.deepEqual(kafkajsSecurityOptions({ tls: true }), { ssl: true });
  const options = kafkajsSecurityOptions({ tls: { ca: "C", serverName: "b.example" }, sasl: { mechanism: "plain", username: "u", password: "p", allowWithoutTls: false } });
  assert.deepEqual(options, { ssl: { ca: "C", servername: "b.example", rejectUnauthorized: true }, sasl: { mechanism: "plain", username: "u", password: "p" } });
  const loose = kafkajsSecurityOptions({ tls: { verifyHostname: false } }).ssl as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
  assert.equal(loose.rejectUnauthorized, true);
  assert.equal(loose.checkServerIdentity(), undefined);
});
