import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import type mysql from "mysql2/promise";
import { groupTopics, tableTopic } from "../../runtime/contract/names";
import { readCommittedOffset } from "../../runtime/pipeline/offsets";
import type { MariaDbInstance } from "../bench/mariadb";
import { startMySql } from "../bench/mysql";
import { useBench, type Bench } from "../bench/services";
import { consume, createFixture, type Fixture } from "./fixtures";
import { idCounts } from "./load";

// A MySQL primary switchover, the way RDS for MySQL's HA does it: two MySQL 8.0 servers with GTID
// replication (the replica logs what it applies, under the primary's GTIDs); the connector reads
// through one address (here a TCP proxy standing in for the instance's DNS name). Rows are written
// all along. The switchover: the primary turns read-only, the replica catches up and is promoted,
// the address moves to it, the old primary goes away. The connector resumes on the new server by
// its GTID set (file names and offsets differ between the two servers), and a read_committed
// consumer sees every row the new primary holds, exactly once.
let bench: Bench;
let primary: MariaDbInstance;
let replica: MariaDbInstance;
let fx: Fixture;
const APP_USER = `app_${Math.random().toString(36).slice(2, 8)}`;
const APP_PASSWORD = "app-pw-switchover";
const log = (line: string) => console.error(`# ${new Date().toISOString()} ${line}`);

/** A TCP proxy whose target can be moved; moving it cuts every connection, as a DNS switch with the old server gone does. */
async function movableProxy(target: number): Promise<{ port: number; moveTo(port: number): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let upstreamPort = target;
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    moveTo(port) {
      upstreamPort = port;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function query(server: MariaDbInstance, sql: string): Promise<mysql.RowDataPacket[]> {
  const connection = await server.adminConnection();
  try {
    const [rows] = await connection.query(sql);
    return rows as mysql.RowDataPacket[];
  } finally {
    await connection.end();
  }
}

before(async () => {
  [bench, primary, replica] = await Promise.all([useBench({ kafka: true }), startMySql({ serverId: 101 }), startMySql({ serverId: 102 })]);
  // The replica as if cloned from the primary now: the primary's history counts as applied (its
  // accounts exist on both), the replica's own set-up is not part of the topology's history.
  const [{ executed }] = await query(primary, "SELECT @@GLOBAL.gtid_executed AS executed");
  await query(replica, "RESET MASTER");
  await query(replica, `SET GLOBAL gtid_purged = '${String(executed).replace(/\s/g, "")}'`);
  // The connector's account logs in on either server with one password (a password change on the
  // primary would replicate; this one is made before replication starts, so it is done on both).
  await query(replica, `SET sql_log_bin = 0; ALTER USER '${replica.cdc.user}'@'%' IDENTIFIED BY '${primary.cdc.password}'; SET sql_log_bin = 1`);
  await query(
    replica,
    `CHANGE REPLICATION SOURCE TO SOURCE_HOST = '127.0.0.1', SOURCE_PORT = ${primary.port}, SOURCE_USER = '${primary.admin.user}', ` +
      `SOURCE_PASSWORD = '${primary.admin.password}', SOURCE_AUTO_POSITION = 1, SOURCE_SSL = 1`,
  );
  await query(replica, "START REPLICA");
  // The fixture's database, tables and topics live on the primary (and replicate).
  fx = await createFixture(Object.create(bench, { mysql: { value: primary } }) as Bench, { source: "mysql", tables: ["orders"] });
  await fx.sql("CREATE TABLE orders (id INT PRIMARY KEY, payload VARCHAR(40))");
  // The application's account, made on the primary: it replicates, so it logs in on both.
  await fx.sql(`CREATE USER '${APP_USER}'@'%' IDENTIFIED BY '${APP_PASSWORD}'`);
  await fx.sql(`GRANT SELECT, INSERT ON ${fx.database}.* TO '${APP_USER}'@'%'`);
  await fx.createTopics([{ table: "orders", partitions: 3 }]);
});

after(async () => {
  await fx?.cleanup();
  await Promise.all([primary?.stop({ remove: true }), replica?.stop({ remove: true })]);
  await bench?.stop();
});

test("a primary switchover (GTID replication, one address): every row arrives exactly once, read from both servers", async () => {
  const proxy = await movableProxy(primary.port);
  const [{ uuid: primaryUuid }] = (await query(primary, "SELECT @@server_uuid AS uuid")) as { uuid: string }[];
  let stop = false;
  try {
    await fx.putConnector("orders-cdc", { source: { host: "127.0.0.1", port: proxy.port } });
    const runtime = await fx.startRuntime({ CDC_RETRY_BASE_MS: "200", CDC_RETRY_MAX_MS: "1000" });
    await fx.waitForStatus("orders-cdc", (s) => s.state === "RUNNING");

    // The application: 20-row transactions through the same address, retried (INSERT IGNORE: a
    // commit whose answer was lost is not written twice) until the new primary takes them.
    const BATCHES = 150;
    let batch = 0;
    const writing = (async () => {
      let connection: mysql.Connection | undefined;
      while (batch < BATCHES && !stop) {
        try {
          connection ??= await (await import("mysql2/promise")).createConnection({ host: "127.0.0.1", port: proxy.port, user: APP_USER, password: APP_PASSWORD, database: fx.database, connectTimeout: 5_000 });
          const values = Array.from({ length: 20 }, (_, i) => `(${batch * 20 + i + 1}, 'row-${batch * 20 + i + 1}')`);
          // A time-out on each statement: a connection cut during the switchover must not hang the writer.
          for (const sql of ["START TRANSACTION", `INSERT IGNORE INTO orders (id, payload) VALUES ${values.join(",")}`, "COMMIT"]) await connection.query({ sql, timeout: 5_000 });
          batch += 1;
          await new Promise((r) => setTimeout(r, 40));
        } catch (error) {
          log(`writer at batch ${batch}: ${(error as Error).message}`);
          connection?.destroy();
          connection = undefined;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await connection?.end().catch(() => undefined);
    })();

    while (batch < 50) await new Promise((r) => setTimeout(r, 50));
    // The switchover.
    log(`switchover at batch ${batch}`);
    await query(primary, "SET GLOBAL super_read_only = ON");
    const [{ executed }] = await query(primary, "SELECT @@GLOBAL.gtid_executed AS executed");
    const [{ caughtUp }] = await query(replica, `SELECT WAIT_FOR_EXECUTED_GTID_SET('${String(executed).replace(/\s/g, "")}', 60) AS caughtUp`);
    assert.equal(Number(caughtUp), 0, "the replica applied everything the primary wrote");
    await query(replica, "STOP REPLICA; RESET REPLICA ALL; SET GLOBAL read_only = OFF");
    proxy.moveTo(replica.port);
    const switchedAt = batch;
    log(`promoted, address moved, at batch ${batch}`);
    // The old primary's host is gone.
    process.kill(primary.pid, "SIGKILL");

    await writing;
    log(`written: ${batch} batches`);
    const rows = Number((await query(replica, `SELECT COUNT(*) AS n FROM ${fx.database}.orders`))[0].n);
    assert.equal(rows, BATCHES * 20, "the new primary holds every row");
    assert.ok(switchedAt >= 50 && switchedAt < BATCHES, `rows were written before and after the switchover (at batch ${switchedAt})`);

    const topic = tableTopic(fx.prefix, "orders");
    let distinct = 0;
    const all = await consume(
      fx.kafka,
      [topic],
      (m) => {
        distinct = new Set(m.map((x) => x.key)).size;
        return distinct >= rows;
      },
      120_000,
      3_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message} (distinct ${distinct} of ${rows})\n${runtime.logs().slice(-4000)}`);
    });
    const counts = idCounts(all.map((m) => m.value));
    const missing = Array.from({ length: rows }, (_, i) => i + 1).filter((id) => !counts.has(id));
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] });
    assert.equal(all.length, rows);
    // The connector read the new primary: its committed checkpoint is a GTID set that holds the
    // old primary's transactions and the new primary's own, and its file is the new primary's.
    const [{ uuid: newUuid }] = await query(replica, "SELECT @@server_uuid AS uuid");
    const committed = await readCommittedOffset(fx.kafka, groupTopics(fx.group).offsets, "orders-cdc");
    const gtid = committed?.position.gtid ?? "";
    for (const server of [primaryUuid, String(newUuid)]) assert.match(gtid, new RegExp(`${server}:1-\\d+`), `the checkpoint ${gtid} holds ${server}'s transactions`);
    assert.equal((await fx.waitForStatus("orders-cdc", (s) => s.state === "RUNNING")).state, "RUNNING");
    stop = true;
    await runtime.kill("SIGTERM");
  } finally {
    stop = true;
    await proxy.close();
  }
});
