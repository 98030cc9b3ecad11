import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, test } from "node:test";
import { useBench, type Bench } from "./services";

// Smoke test: the bench's MariaDB is real and writes a row binlog that @vlasky/zongji decodes.
let bench: Bench;
const database = `smoke_${crypto.randomBytes(4).toString("hex")}`;

before(async () => {
  bench = await useBench({ mariadb: true });
  const admin = await bench.mariadb.adminConnection();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(
    `CREATE TABLE ${database}.items (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2), at DATETIME(6))`,
  );
  await admin.end();
});

after(async () => {
  const admin = await bench.mariadb.adminConnection();
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.end();
  await bench.stop();
});

test("the instance runs with the binlog settings CDC needs", async () => {
  const admin = await bench.mariadb.adminConnection();
  const [rows] = await admin.query(
    "SELECT @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image, " +
      "@@binlog_row_metadata AS metadata, @@server_id AS serverId, @@bind_address AS bindAddress, @@tmpdir AS tmpdir",
  );
  await admin.end();
  assert.deepEqual((rows as object[])[0], {
    logBin: 1,
    format: "ROW",
    image: "FULL",
    metadata: "FULL",
    serverId: bench.mariadb.serverId,
    bindAddress: "127.0.0.1",
    // Its own temporary directory, never the shared /tmp (where a bootstrap's temp tables were once deleted under it).
    tmpdir: `${bench.mariadb.dir}/tmp`,
  });
});

test("the CDC account holds exactly the least privileges and no anonymous user shadows it", async () => {
  const admin = await bench.mariadb.adminConnection();
  const [anonymous] = await admin.query("SELECT COUNT(*) AS n FROM mysql.user WHERE user = ''");
  const [grants] = await admin.query(`SHOW GRANTS FOR '${bench.mariadb.cdc.user}'@'%'`);
  await admin.end();
  assert.equal((anonymous as { n: number }[])[0].n, 0);
  const statement = Object.values((grants as Record<string, string>[])[0])[0];
  const match = /^GRANT (.+) ON \*\.\* TO `cdc`@`%`/.exec(statement);
  assert.ok(match, statement);
  // MariaDB 10.5+ spells REPLICATION CLIENT as BINLOG MONITOR in SHOW GRANTS.
  assert.deepEqual(match[1].split(", ").sort(), ["BINLOG MONITOR", "REPLICATION SLAVE", "SELECT"]);
});

test("a row inserted into MariaDB reaches zongji as a binlog row event with the right values", async () => {
  const { default: ZongJi } = await import("@vlasky/zongji");
  const zongji = new ZongJi({
    host: bench.mariadb.host,
    port: bench.mariadb.port,
    user: bench.mariadb.cdc.user,
    password: bench.mariadb.cdc.password,
    dateStrings: true,
    timezone: "Z",
  });
  const events: unknown[] = [];
  const errors: unknown[] = [];
  const received = new Promise<Record<string, unknown>>((resolve) => {
    zongji.on("binlog", (event) => {
      events.push(event.getEventName());
      if (event.getTypeName() !== "WriteRows") return;
      const rows = event as typeof event & { tableId: number; tableMap: Record<number, { tableName: string }>; rows: Record<string, unknown>[] };
      if (rows.tableMap[rows.tableId].tableName === "items") resolve(rows.rows[0]);
    });
  });
  zongji.on("error", (error) => errors.push(error));
  const ready = new Promise<void>((resolve) => zongji.on("ready", () => resolve()));
  zongji.start({
    serverId: 1000 + crypto.randomInt(1_000_000),
    startAtEnd: true,
    includeEvents: ["tablemap", "writerows"],
    includeSchema: { [database]: ["items"] },
  });
  try {
    await ready;
    const admin = await bench.mariadb.adminConnection();
    await admin.query(`INSERT INTO ${database}.items VALUES (7, 'späti 🥨', 12.34, '2024-02-29 23:59:58.123456')`);
    await admin.end();
    const row = await Promise.race([
      received,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no row event; saw ${JSON.stringify(events)}`)), 15_000)),
    ]);
    assert.deepEqual(row, { id: 7, name: "späti 🥨", price: "12.34", at: "2024-02-29 23:59:58.123456" });
    assert.deepEqual(errors, []);
  } finally {
    await new Promise<void>((resolve) => {
      zongji.on("stopped", () => resolve());
      zongji.stop();
    });
  }
});
