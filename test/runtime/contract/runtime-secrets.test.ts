import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { parseRuntimeSecrets, readRuntimeSecrets, serializeRuntimeSecrets } from "../../../runtime/contract/runtime-secrets";
import { generateGroupKey } from "../../../runtime/contract/secrets";
import { CdcError } from "../../../runtime/errors";

function failure(fn: () => unknown): CdcError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CdcError);
    return error;
  }
  return assert.fail("expected an error");
}

test("the serialized form round-trips", () => {
  const secrets = { groupKey: generateGroupKey(), kafka: { tls: true as const, sasl: { mechanism: "scram-sha-512" as const, username: "u", password: "p@ss" } } };
  const text = serializeRuntimeSecrets(secrets);
  assert.deepEqual(JSON.parse(text), secrets);
  assert.deepEqual(parseRuntimeSecrets(text, "f"), secrets);
  assert.equal(serializeRuntimeSecrets({}), "{}\n");
});

test("a malformed file is CONFIG_INVALID, naming the part and not the values", () => {
  assert.match(failure(() => parseRuntimeSecrets("{nope", "CDC_SECRETS_FILE /x")).message, /CDC_SECRETS_FILE \/x is not JSON/);
  assert.match(failure(() => parseRuntimeSecrets("[]", "f")).message, /must hold a JSON object/);
  const badKey = failure(() => parseRuntimeSecrets(JSON.stringify({ groupKey: "c2hvcnQ=" }), "f"));
  assert.equal(badKey.code, "GROUP_KEY_INVALID");
  const sasl = failure(() => parseRuntimeSecrets(JSON.stringify({ kafka: { sasl: { mechanism: "plain", username: "u", password: "leaky-pw" } } }), "f"));
  assert.equal(sasl.code, "CONFIG_INVALID");
  assert.match(sasl.message, /kafka\.tls is not set/);
  assert.ok(!sasl.message.includes("leaky-pw"));
});

test("readRuntimeSecrets reads the file, and says when it cannot", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-secrets-"));
  try {
    const file = path.join(dir, "secrets.json");
    fs.writeFileSync(file, serializeRuntimeSecrets({ kafka: { tls: true } }));
    assert.deepEqual(readRuntimeSecrets(file), { kafka: { tls: true } });
    const missing = failure(() => readRuntimeSecrets(path.join(dir, "absent.json")));
    assert.equal(missing.code, "CONFIG_INVALID");
    assert.match(missing.message, /cannot be read \(ENOENT\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
