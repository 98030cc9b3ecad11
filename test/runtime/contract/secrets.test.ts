import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, test } from "node:test";
import { CdcError } from "../../../runtime/errors";
import {
  decryptSecret,
  encryptSecret,
  generateGroupKey,
  isEncryptedSecret,
  parseGroupKey,
} from "../../../runtime/contract/secrets";

const PLAINTEXT = "Tr0ub4dor&3-päss";

function catchError(fn: () => unknown): CdcError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CdcError, `expected a CdcError, got ${String(error)}`);
    return error;
  }
  return assert.fail("expected an error");
}

describe("group keys", () => {
  test("generateGroupKey gives base64 of 32 random bytes", () => {
    const key = generateGroupKey();
    assert.equal(Buffer.from(key, "base64").length, 32);
    assert.equal(parseGroupKey(key).length, 32);
    assert.notEqual(generateGroupKey(), key);
  });

  test("parseGroupKey returns the decoded bytes", () => {
    const bytes = crypto.randomBytes(32);
    assert.deepEqual(parseGroupKey(bytes.toString("base64")), bytes);
  });

  test("a key of the wrong length fails with GROUP_KEY_INVALID", () => {
    const short = catchError(() => parseGroupKey(crypto.randomBytes(16).toString("base64")));
    assert.equal(short.code, "GROUP_KEY_INVALID");
    assert.equal(short.retriable, false);
    assert.equal(short.reason, "the resource group key is 16 bytes after base64 decoding; it must be 32.");
    assert.match(short.message, /^GROUP_KEY_INVALID: .* Fix: /);

    assert.equal(catchError(() => parseGroupKey(crypto.randomBytes(33).toString("base64"))).code, "GROUP_KEY_INVALID");
    assert.equal(catchError(() => parseGroupKey(undefined)).reason, "the resource group key is 0 bytes after base64 decoding; it must be 32.");
    assert.equal(catchError(() => parseGroupKey("")).code, "GROUP_KEY_INVALID");
  });

  test("encrypt and decrypt with a bad key fail with GROUP_KEY_INVALID", () => {
    const badKey = crypto.randomBytes(31).toString("base64");
    assert.equal(catchError(() => encryptSecret(PLAINTEXT, badKey, "orders-cdc")).code, "GROUP_KEY_INVALID");
    const secret = encryptSecret(PLAINTEXT, generateGroupKey(), "orders-cdc");
    assert.equal(catchError(() => decryptSecret(secret, badKey, "orders-cdc")).code, "GROUP_KEY_INVALID");
  });
});

describe("encryptSecret / decryptSecret", () => {
  test("round trip returns the plaintext", () => {
    const key = generateGroupKey();
    const secret = encryptSecret(PLAINTEXT, key, "orders-cdc");
    assert.equal(decryptSecret(secret, key, "orders-cdc"), PLAINTEXT);
  });

  test("round trip through JSON (as stored in the configs topic)", () => {
    const key = generateGroupKey();
    const stored = JSON.parse(JSON.stringify(encryptSecret("", key, "c1")));
    assert.equal(decryptSecret(stored, key, "c1"), "");
  });

  test("the serialized form is A256GCM with a 12-byte iv and a 16-byte tag", () => {
    const secret = encryptSecret(PLAINTEXT, generateGroupKey(), "orders-cdc");
    assert.deepEqual(Object.keys(secret).sort(), ["alg", "data", "iv", "tag"]);
    assert.equal(secret.alg, "A256GCM");
    assert.equal(Buffer.from(secret.iv, "base64").length, 12);
    assert.equal(Buffer.from(secret.tag, "base64").length, 16);
    assert.equal(Buffer.from(secret.data, "base64").length, Buffer.byteLength(PLAINTEXT, "utf8"));
    assert.ok(!JSON.stringify(secret).includes(PLAINTEXT));
  });

  test("ciphertext differs each time (fresh iv)", () => {
    const key = generateGroupKey();
    const a = encryptSecret(PLAINTEXT, key, "orders-cdc");
    const b = encryptSecret(PLAINTEXT, key, "orders-cdc");
    assert.notEqual(a.iv, b.iv);
    assert.notEqual(a.data, b.data);
    assert.notEqual(a.tag, b.tag);
    assert.equal(decryptSecret(a, key, "orders-cdc"), PLAINTEXT);
    assert.equal(decryptSecret(b, key, "orders-cdc"), PLAINTEXT);
  });

  test("a wrong key fails with PASSWORD_UNDECRYPTABLE and leaks neither plaintext nor key", () => {
    const key = generateGroupKey();
    const other = generateGroupKey();
    const secret = encryptSecret(PLAINTEXT, key, "orders-cdc");
    const error = catchError(() => decryptSecret(secret, other, "orders-cdc"));
    assert.equal(error.code, "PASSWORD_UNDECRYPTABLE");
    assert.equal(error.retriable, false);
    assert.equal(error.reason, `the password of connector "orders-cdc" cannot be decrypted with this resource group's key.`);
    for (const leaked of [PLAINTEXT, key, other, secret.data, secret.iv, secret.tag]) {
      assert.ok(!error.message.includes(leaked), `message leaks ${leaked}`);
    }
    assert.match(error.message, /Fix: /);
  });

  test("a wrong context (connector name) fails with PASSWORD_UNDECRYPTABLE", () => {
    const key = generateGroupKey();
    const secret = encryptSecret(PLAINTEXT, key, "orders-cdc");
    const error = catchError(() => decryptSecret(secret, key, "other-cdc"));
    assert.equal(error.code, "PASSWORD_UNDECRYPTABLE");
    assert.ok(error.message.includes('"other-cdc"'));
    assert.ok(!error.message.includes(PLAINTEXT));
    assert.ok(!error.message.includes(key));
  });

  test("tampered ciphertext or tag fails with PASSWORD_UNDECRYPTABLE", () => {
    const key = generateGroupKey();
    const secret = encryptSecret(PLAINTEXT, key, "orders-cdc");
    const data = Buffer.from(secret.data, "base64");
    data[0] ^= 1;
    assert.equal(catchError(() => decryptSecret({ ...secret, data: data.toString("base64") }, key, "orders-cdc")).code, "PASSWORD_UNDECRYPTABLE");
    const tag = Buffer.from(secret.tag, "base64");
    tag[15] ^= 0x80;
    assert.equal(catchError(() => decryptSecret({ ...secret, tag: tag.toString("base64") }, key, "orders-cdc")).code, "PASSWORD_UNDECRYPTABLE");
    assert.equal(catchError(() => decryptSecret({ ...secret, tag: "" }, key, "orders-cdc")).code, "PASSWORD_UNDECRYPTABLE");
  });
});

describe("isEncryptedSecret", () => {
  test("recognises the serialized form only", () => {
    assert.equal(isEncryptedSecret(encryptSecret("x", generateGroupKey(), "c")), true);
    assert.equal(isEncryptedSecret({ alg: "A256GCM", iv: "a", data: "b", tag: "c" }), true);
    assert.equal(isEncryptedSecret({ alg: "A128GCM", iv: "a", data: "b", tag: "c" }), false);
    assert.equal(isEncryptedSecret({ alg: "A256GCM", iv: "a", data: "b" }), false);
    assert.equal(isEncryptedSecret({ alg: "A256GCM", iv: 1, data: "b", tag: "c" }), false);
    assert.equal(isEncryptedSecret("s3cret"), false);
    assert.equal(isEncryptedSecret(null), false);
    assert.equal(isEncryptedSecret(undefined), false);
  });
});
