import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type mysql from "mysql2/promise";
import type { SourceTls } from "../../../runtime/contract/tls";
import { CdcError } from "../../../runtime/errors";
import { connectMysql, settledTls, type MysqlLogin } from "../../../runtime/source/connection";
import { mysqlTlsOptions } from "../../../runtime/source/tls";
import { startMariaDb, type MariaDbInstance } from "../../bench/mariadb";
import { useBench, type Bench } from "../../bench/services";
import { makeCertificates } from "../../bench/tls";

// Every source connection (prechecks, lookups, full sync; zongji takes the same options) is made
// by connectMysql: each TLS mode against the bench's TLS MariaDB, and against one without SSL.
let bench: Bench;
let plain: MariaDbInstance;
let dir: string;
let ca: string;
let otherCa: string;
let client: { cert: string; key: string };

before(async () => {
  bench = await useBench({ mariadb: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-source-tls-"));
  const tls = bench.mariadb.tls;
  assert.ok(tls, "the bench MariaDB runs with TLS");
  ca = fs.readFileSync(tls.certificates.ca, "utf8");
  client = { cert: fs.readFileSync(tls.certificates.client.cert, "utf8"), key: fs.readFileSync(tls.certificates.client.key, "utf8") };
  otherCa = fs.readFileSync((await makeCertificates(path.join(dir, "other"), ["localhost"])).ca, "utf8");
  plain = await startMariaDb({ parentDir: dir, tls: false });
});

after(async () => {
  await plain?.stop({ remove: true });
  await bench.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function login(tls: SourceTls | undefined, account?: { user: string; password: string }, host = bench.mariadb.host): MysqlLogin {
  const a = account ?? bench.mariadb.cdc;
  return { host, port: bench.mariadb.port, user: a.user, password: a.password, tls };
}

/** The cipher the session uses ("" without TLS), and closes it. */
async function cipherOf(connection: mysql.Connection): Promise<string> {
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    return String(rows[0]?.Value ?? "");
  } finally {
    await connection.end();
  }
}

async function failure(promise: Promise<unknown>): Promise<CdcError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CdcError, `expected a CdcError, got ${String(error)}`);
    return error;
  }
  return assert.fail("expected the connection to fail");
}

describe("mysqlTlsOptions", () => {
  test("disabled: no ssl; required and preferred: TLS without checking the server", () => {
    assert.deepEqual(mysqlTlsOptions("db", 3306, { mode: "disabled", ca: "x" }), {});
    assert.deepEqual(mysqlTlsOptions("db", 3306, undefined), {});
    assert.deepEqual(mysqlTlsOptions("db", 3306, { mode: "required" }), { ssl: { rejectUnauthorized: false } });
  });
  test("verify-ca checks the chain only; verify-identity also the name", () => {
    assert.deepEqual(mysqlTlsOptions("db", 3306, { mode: "verify-ca", ca: "C" }), { ssl: { ca: "C", rejectUnauthorized: true, verifyIdentity: false } });
    assert.deepEqual(mysqlTlsOptions("db", 3306, { mode: "verify-identity", ca: "C" }), { ssl: { ca: "C", rejectUnauthorized: true, verifyIdentity: true } });
  });
  test("verify-identity with serverName: mysql2 verifies that name, the socket goes to the host given", () => {
    const options = mysqlTlsOptions("10.1.2.3", 3307, { mode: "verify-identity", ca: "C", serverName: "db.internal" });
    assert.equal(options.host, "db.internal");
    assert.equal(typeof options.stream, "function");
  });
});

describe("connecting over TLS", () => {
  test("verify-identity by the name the certificate holds", async () => {
    const cipher = await cipherOf(await connectMysql(login({ mode: "verify-identity", ca }, undefined, "localhost")));
    assert.notEqual(cipher, "");
  });

  test("verify-identity at 127.0.0.1 with serverName localhost", async () => {
    assert.notEqual(await cipherOf(await connectMysql(login({ mode: "verify-identity", ca, serverName: "localhost" }))), "");
  });

  test("verify-identity: a certificate that does not name the host is refused", async () => {
    const error = await failure(connectMysql(login({ mode: "verify-identity", ca, serverName: "db.example.com" })));
    assert.equal(error.code, "SOURCE_TLS_FAILED");
    assert.equal(error.retriable, false);
    assert.match(error.message, /the server's certificate does not name the host connected to .*db\.example\.com/);
    assert.match(error.message, /Check source\.tls/);
  });

  test("verify-ca: a certificate signed by another CA is refused; required does not check it", async () => {
    const error = await failure(connectMysql(login({ mode: "verify-ca", ca: otherCa })));
    assert.equal(error.code, "SOURCE_TLS_FAILED");
    assert.match(error.message, /the TLS handshake failed \(self-signed certificate in certificate chain\): under verify-ca and verify-identity/);
    assert.notEqual(await cipherOf(await connectMysql(login({ mode: "required", ca: otherCa }))), "");
  });

  test("an account created REQUIRE SSL logs in over TLS only", async () => {
    const account = bench.mariadb.tls!.requireSsl;
    assert.notEqual(await cipherOf(await connectMysql(login({ mode: "required" }, account))), "");
    const error = await failure(connectMysql(login({ mode: "disabled" }, account)));
    assert.equal(error.code, "SOURCE_AUTH_FAILED");
    assert.match(error.message, /REQUIRE SSL or REQUIRE X509 also refuses a login without TLS/);
  });

  test("an account created REQUIRE X509 logs in with its client certificate only", async () => {
    const account = bench.mariadb.tls!.requireX509;
    assert.notEqual(await cipherOf(await connectMysql(login({ mode: "verify-identity", ca, serverName: "localhost", ...client }, account))), "");
    const error = await failure(connectMysql(login({ mode: "verify-identity", ca, serverName: "localhost" }, account)));
    assert.equal(error.code, "SOURCE_AUTH_FAILED");
  });

  test("the password is in no error", async () => {
    const error = await failure(connectMysql({ ...login({ mode: "verify-identity", ca, serverName: "db.example.com" }), password: "pw-that-must-not-leak" }));
    assert.ok(!`${error.message} ${error.stack}`.includes("pw-that-must-not-leak"));
  });
});

describe("a server without SSL", () => {
  const plainLogin = (tls: SourceTls): MysqlLogin => ({ host: plain.host, port: plain.port, user: plain.cdc.user, password: plain.cdc.password, tls });

  test("required: refused, saying the server offers no TLS", async () => {
    const error = await failure(connectMysql(plainLogin({ mode: "required" })));
    assert.equal(error.code, "SOURCE_TLS_FAILED");
    assert.match(error.message, /over TLS \(required\).*the server does not offer TLS/);
    assert.equal((await failure(connectMysql(plainLogin({ mode: "verify-identity", ca, serverName: "localhost" })))).code, "SOURCE_TLS_FAILED");
  });

  test("preferred: connects without TLS, and settles to disabled for streams that cannot fall back", async () => {
    assert.equal(await cipherOf(await connectMysql(plainLogin({ mode: "preferred" }))), "");
    assert.deepEqual(await settledTls(plainLogin({ mode: "preferred" })), { mode: "disabled" });
    assert.deepEqual(await settledTls(login({ mode: "preferred" })), { mode: "required" });
  });
});
