import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, test } from "node:test";
import { useBench, type Bench } from "./services";

// Smoke test: the bench's MySQL 8.0 is real, runs with the CDC settings and GTIDs, and its binlog
// (MySQL's binary JSON included) reaches @vlasky/zongji.
let bench: Bench;
const database = `smoke_${crypto.randomBytes(4).toString("hex")}`;

before(async () => {
  bench = await useBench({ mysql: true });
  const admin = await bench.mysql.adminConnection();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`CREATE TABLE ${database}.items (id INT PRIMARY KEY, name VARCHAR(40), doc JSON)`);
  await admin.end();
});

after(async () => {
  const admin = await bench.mysql.adminConnection();
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.end();
  await bench.stop();
});

test("the instance is MySQL 8.0 with the binlog settings CDC needs, GTID mode on, its own tmpdir", async () => {
  const admin = await bench.mysql.adminConnection();
  const [rows] = await admin.query(
    "SELECT @@version AS version, @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image, " +
      "@@binlog_row_metadata AS metadata, @@gtid_mode AS gtidMode, @@enforce_gtid_consistency AS enforce, @@server_id AS serverId, " +
      "@@bind_address AS bindAddress, @@tmpdir AS tmpdir, @@have_ssl AS haveSsl",
  );
  await admin.end();
  assert.deepEqual((rows as object[])[0], {
    version: "8.0.31",
    logBin: 1,
    format: "ROW",
    image: "FULL",
    metadata: "FULL",
    gtidMode: "ON",
    enforce: "ON",
    serverId: bench.mysql.serverId,
    bindAddress: "127.0.0.1",
    tmpdir: `${bench.mysql.dir}/tmp`,
    haveSsl: "YES",
  });
});

test("the CDC account holds exactly the least privileges, with MySQL's default caching_sha2_password", async () => {
  const admin = await bench.mysql.adminConnection();
  const [grants] = await admin.query(`SHOW GRANTS FOR '${bench.mysql.cdc.user}'@'%'`);
  const [plugin] = await admin.query("SELECT plugin FROM mysql.user WHERE user = ?", [bench.mysql.cdc.user]);
  await admin.end();
  const statement = Object.values((grants as Record<string, string>[])[0])[0];
  const match = /^GRANT (.+) ON \*\.\* TO `cdc`@`%`/.exec(statement);
  assert.ok(match, statement);
  assert.deepEqual(match[1].split(", ").sort(), ["REPLICATION CLIENT", "REPLICATION SLAVE", "SELECT"]);
  assert.deepEqual(plugin, [{ plugin: "caching_sha2_password" }]);
});

test("a row with binary JSON reaches zongji with the right values and a MySQL GTID", async () => {
  const { default: ZongJi } = await import("@vlasky/zongji");
  const zongji = new ZongJi({ host: bench.mysql.host, port: bench.mysql.port, user: bench.mysql.cdc.user, password: bench.mysql.cdc.password });
  const seen: { row?: Record<string, unknown>; gtid?: string } = {};
  const arrived = new Promise<void>((resolve, reject) => {
    zongji.on("error", reject);
    zongji.on("binlog", (event) => {
      if (event.getTypeName() === "Gtid") seen.gtid = event.getTypeName();
      const rows = (event as typeof event & { rows?: Record<string, unknown>[] }).rows;
      if (event.getTypeName() === "WriteRows" && rows) {
        seen.row = rows[0];
        resolve();
      }
    });
  });
  await new Promise<void>((resolve) => {
    zongji.on("ready", resolve);
    zongji.start({ includeEvents: ["tablemap", "writerows", "gtid"], includeSchema: { [database]: true }, startAtEnd: true, serverId: 9300 + Math.floor(Math.random() * 100) });
  });
  try {
    const admin = await bench.mysql.adminConnection(database);
    await admin.query(`INSERT INTO items VALUES (7, 'seven', '{"a": [1, 2.5, "x"], "b": null}')`);
    await admin.end();
    await Promise.race([arrived, new Promise((_, reject) => setTimeout(() => reject(new Error("no WriteRows event within 15 s")), 15_000))]);
  } finally {
    zongji.stop();
  }
  assert.deepEqual(seen.row, { id: 7, name: "seven", doc: { a: [1, 2.5, "x"], b: null } });
  assert.ok(seen.gtid, "a Gtid event came before the row");
});
