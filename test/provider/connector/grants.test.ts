/**
 * manageGrants against the real server: the account is made with exactly the grants it lacks,
 * and its password never reaches the binlog (every REPLICATION SLAVE account can read it) on
 * create or rotation; revoking undoes exactly that.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type mysql from "mysql2/promise";
import { applyGrants, nativePasswordHash, revokeGrants } from "../../../provider/connector/grants";
import { useBench, type Bench } from "../../bench/services";
import { uniqueName } from "../../runtime/fixtures";

describe("nativePasswordHash", () => {
  test("mysql_native_password's stored form: * and SHA1(SHA1(password)) in upper-case hex", () => {
    // The value MySQL and MariaDB give for PASSWORD('password').
    assert.equal(nativePasswordHash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  });
});

describe("applyGrants against MariaDB", () => {
  let bench: Bench;
  let admin: mysql.Connection;
  const user = uniqueName("mg");
  const database = uniqueName("mg_");
  const first = `first-${uniqueName("")}`;
  const second = `second-${uniqueName("")}`;
  before(async () => {
    bench = await useBench({ mariadb: true });
    admin = await bench.mariadb.adminConnection();
    await admin.query(`CREATE DATABASE ${database}`);
  });
  after(async () => {
    await admin.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
    await admin.end();
    await bench.stop();
  });

  /** Where the binlog ends now. */
  async function binlogEnd(): Promise<{ file: string; pos: number }> {
    const [rows] = await admin.query<mysql.RowDataPacket[]>("SHOW MASTER STATUS");
    return { file: String(rows[0].File), pos: Number(rows[0].Position) };
  }

  /** The text of every binlog event from `from` on (statements, as a replica reads them). */
  async function binlogText(from: { file: string; pos: number }): Promise<string> {
    const [logs] = await admin.query<mysql.RowDataPacket[]>("SHOW BINARY LOGS");
    const parts: string[] = [];
    for (const log of logs.map((l) => String(l.Log_name)).filter((name) => name >= from.file)) {
      const [events] = await admin.query<mysql.RowDataPacket[]>(`SHOW BINLOG EVENTS IN '${log}'${log === from.file ? ` FROM ${from.pos}` : ""}`);
      for (const e of events) parts.push(String(e.Info));
    }
    return parts.join("\n");
  }

  test("the account is created, then its password rotated, and the binlog never holds either password", async () => {
    const m = bench.mariadb;
    const source = { host: m.host, port: m.port, database, user, password: first };
    const admin_ = { adminUser: m.admin.user, adminPassword: m.admin.password };
    const from = await binlogEnd();
    const applied = await applyGrants(source, ["orders"], admin_, undefined);
    assert.deepEqual({ ...applied, privileges: [...applied.privileges].sort() }, { user, host: "%", createdAccount: true, privileges: ["REPLICATION CLIENT", "REPLICATION SLAVE", "SELECT"] });
    await applyGrants({ ...source, password: second }, ["orders"], admin_, applied);
    const binlog = await binlogText(from);
    assert.ok(binlog.includes(`CREATE USER`) && binlog.includes(user), "the statements are in the binlog");
    assert.ok(!binlog.includes(first) && !binlog.includes(second), "no password in the binlog");
    assert.ok(binlog.includes(nativePasswordHash(second)), "the hash is what travelled");
    // The rotated password is the one that logs in.
    const login = await (await import("mysql2/promise")).createConnection({ host: m.host, port: m.port, user, password: second });
    await login.end();
    await revokeGrants(source, admin_, applied);
    const [rows] = await admin.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ?", [user]);
    assert.equal(Number(rows[0].n), 0, "the account it made is dropped");
  });
});
