import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultTlsMode, resolveSourceTls, sourceTlsProblems, tlsMaterialProblems } from "../../../runtime/contract/tls";
import { makeCertificates } from "../../bench/tls";

let dir: string;
let pem: { ca: string; cert: string; key: string; otherKey: string };

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-tls-"));
  const made = await makeCertificates(dir, ["localhost"]);
  const read = (file: string) => fs.readFileSync(file, "utf8");
  pem = { ca: read(made.ca), cert: read(made.client.cert), key: read(made.client.key), otherKey: read(made.server.key) };
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("defaultTlsMode", () => {
  test("without a CA: required (encrypted, the server not verified)", () => {
    assert.equal(defaultTlsMode(undefined, "db.example.com"), "required");
    assert.equal(defaultTlsMode({}, "127.0.0.1"), "required");
  });
  test("with a CA and a host name: verify-identity", () => {
    assert.equal(defaultTlsMode({ ca: "x" }, "rm-abc.mysql.rds.aliyuncs.com"), "verify-identity");
  });
  test("with a CA and an IP address: verify-ca, unless serverName names the certificate", () => {
    assert.equal(defaultTlsMode({ ca: "x" }, "10.0.0.5"), "verify-ca");
    assert.equal(defaultTlsMode({ ca: "x", serverName: "db.internal" }, "10.0.0.5"), "verify-identity");
  });
});

describe("sourceTlsProblems", () => {
  test("valid settings have no problem", () => {
    assert.deepEqual(sourceTlsProblems({ mode: "verify-identity", ca: pem.ca, cert: pem.cert, key: pem.key }, "localhost", "source.tls"), []);
    assert.deepEqual(sourceTlsProblems(undefined, "localhost", "source.tls"), []);
    assert.deepEqual(sourceTlsProblems({ mode: "disabled" }, "localhost", "source.tls"), []);
  });

  test("an unknown mode names MySQL's modes", () => {
    const [p] = sourceTlsProblems({ mode: "VERIFY_IDENTITY" }, "localhost", "source.tls");
    assert.equal(p?.property, "source.tls.mode");
    assert.match(p!.message, /must be one of "disabled", "preferred", "required", "verify-ca", "verify-identity", got "VERIFY_IDENTITY"/);
  });

  test("a CA that does not parse", () => {
    const problems = sourceTlsProblems({ ca: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n" }, "db.example.com", "source.tls");
    assert.deepEqual(problems.map((p) => p.property), ["source.tls.ca"]);
    assert.match(problems[0]!.message, /is not a PEM certificate bundle .*RDS CA file/);
    // A file name instead of its text is the usual slip.
    assert.equal(sourceTlsProblems({ ca: "/etc/ssl/rds-ca.pem" }, "db.example.com", "source.tls")[0]?.property, "source.tls.ca");
  });

  test("a bundle of several certificates parses (as the RDS bundles are)", () => {
    assert.deepEqual(sourceTlsProblems({ ca: `${pem.ca}\n${pem.cert}` }, "db.example.com", "source.tls"), []);
  });

  test("a certificate without its key, a key without its certificate", () => {
    const noKey = sourceTlsProblems({ ca: pem.ca, cert: pem.cert }, "localhost", "source.tls");
    assert.deepEqual(noKey.map((p) => p.property), ["source.tls.key"]);
    assert.match(noKey[0]!.message, /a client certificate needs its private key/);
    const noCert = sourceTlsProblems({ ca: pem.ca, key: pem.key }, "localhost", "source.tls");
    assert.deepEqual(noCert.map((p) => p.property), ["source.tls.cert"]);
  });

  test("a key that is not the certificate's is refused without showing it", () => {
    const problems = sourceTlsProblems({ cert: pem.cert, key: pem.otherKey }, "localhost", "source.tls");
    assert.deepEqual(problems.map((p) => p.property), ["source.tls.key"]);
    assert.match(problems[0]!.message, /is not the private key of source.tls.cert/);
    assert.ok(!problems[0]!.message.includes("PRIVATE KEY"), "the key's text is not in the message");
  });

  test("a key that does not parse is named without its value", () => {
    const problems = sourceTlsProblems({ cert: pem.cert, key: "hunter2-not-a-key" }, "localhost", "source.tls");
    assert.deepEqual(problems.map((p) => p.property), ["source.tls.key"]);
    assert.ok(!problems[0]!.message.includes("hunter2"));
  });

  test("verify-identity at an IP address needs serverName", () => {
    const [p] = sourceTlsProblems({ mode: "verify-identity", ca: pem.ca }, "127.0.0.1", "source.tls");
    assert.equal(p?.property, "source.tls.serverName");
    assert.match(p!.message, /127\.0\.0\.1 is an address .* or use mode "verify-ca"/);
    assert.deepEqual(sourceTlsProblems({ mode: "verify-identity", ca: pem.ca, serverName: "localhost" }, "127.0.0.1", "source.tls"), []);
  });

  test("every problem is reported at once", () => {
    const problems = sourceTlsProblems({ mode: "strict", ca: "nope", cert: pem.cert, serverName: 3 }, "127.0.0.1", "source.tls");
    assert.deepEqual(problems.map((p) => p.property).sort(), ["source.tls.ca", "source.tls.key", "source.tls.mode", "source.tls.serverName"]);
  });

  test("a config record's encrypted key counts as the key", () => {
    assert.deepEqual(tlsMaterialProblems({ cert: pem.cert, keyEncrypted: "v1:..." }, "source.tls", "x"), []);
  });
});

test("resolveSourceTls makes the mode explicit and drops empty parts", () => {
  assert.deepEqual(resolveSourceTls(undefined, "db"), { mode: "required" });
  assert.deepEqual(resolveSourceTls({ ca: pem.ca }, "db.example.com"), { mode: "verify-identity", ca: pem.ca });
  assert.deepEqual(resolveSourceTls({ mode: "disabled", ca: "" }, "db"), { mode: "disabled" });
});
