/**
 * End to end, the real Pulumi engine: bad TLS and SASL settings, each fed to `pulumi up` on an
 * empty stack, fail in preview with a message naming the property, what is wrong and the fix, and
 * nothing is created (see bad-inputs-harness.ts). The static ones fail in check before any
 * connection; the live ones (a wrong password, a certificate for another name, a server without
 * SSL) fail when check logs in.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startMariaDb, type MariaDbInstance } from "../bench/mariadb";
import { conn, createBadInputsStack, group, topics, type BadInputsStack } from "./bad-inputs-harness";

let stack: BadInputsStack;
let noSsl: MariaDbInstance;
let dir: string;
let kafkaCa: string;
let sourceCa: string;
let clientCert: string;
/** The group's and the TopicSet's Kafka on the SASL_SSL listener, SCRAM-SHA-256. */
let saslSsl: Record<string, unknown>;

before(async () => {
  stack = await createBadInputsStack("cdc-bad-secured");
  const secured = stack.bench.kafka.secured!;
  kafkaCa = fs.readFileSync(secured.certificates.ca, "utf8");
  sourceCa = fs.readFileSync(stack.bench.mariadb.tls!.certificates.ca, "utf8");
  clientCert = fs.readFileSync(stack.bench.mariadb.tls!.certificates.client.cert, "utf8");
  saslSsl = { brokers: secured.saslSsl.brokers, tls: { ca: kafkaCa }, sasl: { mechanism: "scram-sha-256", ...secured.users.scram256 } };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-bad-secured-"));
  noSsl = await startMariaDb({ parentDir: dir, tls: false });
  const admin = await noSsl.adminConnection();
  await admin.query(`CREATE DATABASE ${stack.database}`);
  await admin.query(`CREATE TABLE ${stack.database}.orders (id INT PRIMARY KEY)`);
  // The stack's account and password, on this server too.
  await admin.query("ALTER USER ?@'%' IDENTIFIED BY ?", [stack.bench.mariadb.cdc.user, stack.bench.mariadb.cdc.password]);
  await admin.end();
});

after(async () => {
  await stack?.cleanup();
  await noSsl?.stop({ remove: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Both the group's and the TopicSet's Kafka settings replaced by `kafka`. */
const onKafka = (kafka: Record<string, unknown>) => ({ ...group({ kafka }), ...topics({ kafka }) });

describe("bad TLS and SASL settings: refused in preview, naming the property, nothing created", () => {
  test("the baseline on SASL_SSL with SCRAM-SHA-256 and the source over verify-identity is valid (preview passes)", async () => {
    stack.setSpec({ ...onKafka(saslSsl), ...conn({ source: { tls: { ca: sourceCa, serverName: "localhost" } } }) });
    const r = await stack.pulumi(["preview"]);
    assert.equal(r.code, 0, r.out);
  });

  test("a source CA that does not parse, a client certificate without its key", async () => {
    await stack.refused(conn({ source: { tls: { ca: "/etc/ssl/rds-ca-bundle.pem" } } }), /property source\.tls\.ca .*is not a PEM certificate bundle \(-----BEGIN CERTIFICATE-----\.\.\.\); give the CA bundle's text, e\.g\. the RDS CA file read with fs\.readFileSync/);
    await stack.refused(conn({ source: { tls: { ca: sourceCa, serverName: "localhost", cert: clientCert } } }), /property source\.tls\.key.*is missing: a client certificate needs its private key \(give source\.tls\.key, as a secret\)/);
  });

  test("a Kafka CA that does not parse", async () => {
    await stack.refused(onKafka({ ...saslSsl, tls: { ca: "not a certificate" } }), /property kafka\.tls\.ca .*is not a PEM certificate bundle .*the CA file your Kafka provider publishes/);
  });

  test("SASL without TLS is refused unless opted in; the opt-in passes with a warning", async () => {
    const secured = stack.bench.kafka.secured!;
    const plain = { brokers: secured.saslPlaintext.brokers, sasl: { mechanism: "plain", ...secured.users.plain } };
    await stack.refused(onKafka(plain), /property kafka\.tls.*is not set, so the SASL login would cross the network unencrypted \(SASL_PLAINTEXT\)\. Set kafka\.tls \(true, or \{ ca \}\) for a SASL_SSL endpoint, or, to use a SASL_PLAINTEXT endpoint on purpose, set kafka\.sasl\.allowWithoutTls: true/);
    stack.setSpec(onKafka({ ...plain, sasl: { ...plain.sasl, allowWithoutTls: true } }));
    const r = await stack.pulumi(["preview"]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /kafka\.sasl\.allowWithoutTls is set: the SASL plain login and every record cross the network to .* unencrypted \(SASL_PLAINTEXT\)/);
  });

  test("an unknown SASL mechanism", async () => {
    await stack.refused(onKafka({ ...saslSsl, sasl: { ...(saslSsl.sasl as object), mechanism: "SCRAM-SHA-1" } }), /property kafka\.sasl\.mechanism .*must be one of "plain", "scram-sha-256", "scram-sha-512", got "SCRAM-SHA-1"; ApsaraMQ takes "plain" or "scram-sha-256"/);
  });

  test("a wrong SASL password, never shown", async () => {
    const out = await stack.refused(onKafka({ ...saslSsl, sasl: { ...(saslSsl.sasl as object), password: "not-the-sasl-pw" } }), /property kafka\.sasl: KAFKA_AUTH_FAILED: .*the broker refused the SASL login/, "not-the-sasl-pw");
    assert.match(out, /Check kafka\.sasl/);
  });

  test("a broker certificate that does not name the broker", async () => {
    await stack.refused(onKafka({ ...saslSsl, tls: { ca: kafkaCa, serverName: "kafka.example.com" } }), /property kafka\.tls: KAFKA_TLS_FAILED: .*does not name the host/);
  });

  test("under verify-identity, a source certificate that does not name the host", async () => {
    await stack.refused(conn({ source: { tls: { mode: "verify-identity", ca: sourceCa, serverName: "db.example.com" } } }), /property source\.tls: SOURCE_TLS_FAILED: .*the server's certificate does not name the host connected to/);
    await stack.refused(conn({ source: { tls: { mode: "verify-identity", ca: sourceCa } } }), /property source\.tls\.serverName.*is needed: under verify-identity the server's certificate must name the host, and 127\.0\.0\.1 is an address/);
  });

  test("TLS required, and the server has no SSL", async () => {
    await stack.refused(conn({ source: { port: noSsl.port, tls: { mode: "required" } } }), /property source\.tls: SOURCE_TLS_FAILED: .*the server does not offer TLS \(no SSL certificate configured\), but TLS is required/);
  });
});
