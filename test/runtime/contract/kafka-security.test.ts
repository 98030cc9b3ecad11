import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describeKafkaSecurity, kafkaSecurityOf, kafkaSecurityProblems } from "../../../runtime/contract/kafka-security";

const SASL = { mechanism: "scram-sha-256", username: "cdc", password: "s3cret-pw" };

describe("kafkaSecurityProblems", () => {
  test("plaintext, TLS alone, SASL_SSL and an opted-in SASL_PLAINTEXT are valid", () => {
    assert.deepEqual(kafkaSecurityProblems({}), []);
    assert.deepEqual(kafkaSecurityProblems({ tls: true }), []);
    assert.deepEqual(kafkaSecurityProblems({ tls: { verifyHostname: false }, sasl: SASL }), []);
    assert.deepEqual(kafkaSecurityProblems({ sasl: { ...SASL, mechanism: "plain", allowWithoutTls: true } }), []);
  });

  test("SASL without TLS needs the explicit opt-in, and says both ways out", () => {
    const problems = kafkaSecurityProblems({ sasl: SASL });
    assert.deepEqual(problems.map((p) => p.property), ["kafka.tls"]);
    assert.match(problems[0]!.message, /unencrypted \(SASL_PLAINTEXT\)\. Set kafka\.tls .* or, .* set kafka\.sasl\.allowWithoutTls: true/);
    assert.equal(kafkaSecurityProblems({ tls: false, sasl: SASL }).length, 1);
  });

  test("an unknown mechanism lists the known ones, and suggests the spelling Kafka's docs use", () => {
    const [wrong] = kafkaSecurityProblems({ tls: true, sasl: { ...SASL, mechanism: "gssapi" } });
    assert.equal(wrong?.property, "kafka.sasl.mechanism");
    assert.match(wrong!.message, /must be one of "plain", "scram-sha-256", "scram-sha-512", got "gssapi"; ApsaraMQ takes "plain" or "scram-sha-256"/);
    const [upper] = kafkaSecurityProblems({ tls: true, sasl: { ...SASL, mechanism: "SCRAM_SHA_512" } });
    assert.match(upper!.message, /\(write it "scram-sha-512"\)/);
  });

  test("a missing username or password, every problem at once, the password never shown", () => {
    const problems = kafkaSecurityProblems({ sasl: { mechanism: "md5", password: 12345 } }, "spec.kafka");
    assert.deepEqual(problems.map((p) => p.property).sort(), ["spec.kafka.sasl.mechanism", "spec.kafka.sasl.password", "spec.kafka.sasl.username", "spec.kafka.tls"]);
    assert.ok(problems.every((p) => !p.message.includes("12345")));
  });

  test("TLS material: a CA that does not parse, a certificate without its key", () => {
    const problems = kafkaSecurityProblems({ tls: { ca: "not a pem", cert: "also not" } });
    assert.deepEqual(problems.map((p) => p.property).sort(), ["kafka.tls.ca", "kafka.tls.cert", "kafka.tls.key"]);
    assert.match(problems.find((p) => p.property === "kafka.tls.ca")!.message, /the CA file your Kafka provider publishes/);
  });

  test("wrong types are named", () => {
    assert.deepEqual(kafkaSecurityProblems({ tls: "yes" }).map((p) => p.property), ["kafka.tls"]);
    assert.deepEqual(kafkaSecurityProblems({ tls: { verifyHostname: "no" } }).map((p) => p.property), ["kafka.tls.verifyHostname"]);
    assert.deepEqual(kafkaSecurityProblems({ tls: true, sasl: "cdc:pw" }).map((p) => p.property), ["kafka.sasl"]);
  });
});

test("kafkaSecurityOf keeps only tls and sasl, and nothing for a plaintext cluster", () => {
  assert.equal(kafkaSecurityOf({}), undefined);
  assert.equal(kafkaSecurityOf({ tls: false, sasl: null }), undefined);
  assert.deepEqual(kafkaSecurityOf({ brokers: ["b:9093"], tls: true, sasl: SASL } as never), { tls: true, sasl: SASL });
});

test("describeKafkaSecurity names the protocol and the user, never the password", () => {
  assert.equal(describeKafkaSecurity(undefined), "PLAINTEXT");
  assert.equal(describeKafkaSecurity({ tls: true }), "SSL");
  assert.equal(describeKafkaSecurity({ tls: { ca: "x" }, sasl: SASL as never }), "SASL_SSL (scram-sha-256 as cdc)");
  assert.equal(describeKafkaSecurity({ sasl: { ...SASL, mechanism: "plain" } as never }), "SASL_PLAINTEXT (plain as cdc)");
});
