/**
 * `npm run quickstart`: starts the test bench's services (MariaDB and Kafka, detached, reused when
 * already running), creates the demo database `shop` (tables orders and order_items), runs
 * `pulumi up` on the root Pulumi.yaml (a local file backend under the cache directory), then
 * inserts a row and prints the message that arrives in topic shop_orders. The stack reaches
 * MariaDB over TLS and Kafka on its SASL_SSL listener (SCRAM-SHA-256), as production stacks do.
 * `npm run quickstart -- destroy` runs `pulumi destroy` (topics, connector and runtime go away);
 * stop the services with `npm run services -- stop`.
 */
import { privateDir } from "../provider/private-files";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import mysql from "mysql2/promise";
import type { KafkaSecurity } from "../runtime/contract/kafka-security";
import { createKafka } from "../runtime/sink/kafka-client";
import { cacheDir } from "../test/bench/cache";
import { startServices } from "../test/bench/cli";
import { ensurePulumi } from "../test/bench/pulumi";

const repoRoot = path.resolve(__dirname, "..", "..");
const STACK = "quickstart";

function pulumi(binDir: string, env: NodeJS.ProcessEnv, args: string[], input?: string): void {
  const result = spawnSync(path.join(binDir, "pulumi"), [...args, "--non-interactive"], {
    cwd: repoRoot,
    env,
    input,
    stdio: [input === undefined ? "inherit" : "pipe", "inherit", "inherit"],
  });
  if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed (exit ${result.status})`);
}

async function createDemoDatabase(port: number, admin: { user: string; password: string }): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({ host: "127.0.0.1", port, user: admin.user, password: admin.password });
  await connection.query("CREATE DATABASE IF NOT EXISTS shop");
  await connection.query("CREATE TABLE IF NOT EXISTS shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(100), amount DECIMAL(10,2), created_at DATETIME(3))");
  await connection.query("CREATE TABLE IF NOT EXISTS shop.order_items (order_id INT, line INT, sku VARCHAR(40), PRIMARY KEY (order_id, line))");
  return connection;
}

/** Inserts one order and waits for its message in shop_orders (read_committed). */
async function showOneRow(brokers: string[], security: KafkaSecurity, connection: mysql.Connection): Promise<void> {
  const kafka = createKafka({ brokers, clientId: "quickstart", security });
  const consumer = kafka.consumer({ groupId: `quickstart-${Date.now()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: ["shop_orders"], fromBeginning: true });
  const [result] = await connection.query<mysql.ResultSetHeader>("INSERT INTO shop.orders (item, amount, created_at) VALUES ('quickstart order', 42.50, NOW(3))");
  const id = result.insertId;
  console.log(`# inserted shop.orders id=${id}; waiting for it in topic shop_orders`);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the row did not arrive within 60 s: see the runtime log (stack output runtimeLog)")), 60_000);
    void consumer.run({
      eachMessage: async ({ message, partition }) => {
        if (message.key?.toString() !== JSON.stringify({ id })) return;
        console.log(`# arrived in shop_orders partition ${partition} offset ${message.offset}, key ${message.key}:`);
        console.log(JSON.stringify(JSON.parse(String(message.value)), null, 2));
        clearTimeout(timer);
        resolve();
      },
    });
  });
  await consumer.disconnect();
}

async function main(action: string): Promise<void> {
  if (action !== "up" && action !== "destroy") throw new Error(`unknown action ${action}: use up or destroy`);
  const binDir = await ensurePulumi();
  const backend = path.join(cacheDir(), "quickstart", "state");
  // The stack's state (its secrets encrypted, the rest readable): the owner's only.
  privateDir(backend);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${backend}`,
    // Encrypts the stack's secrets (the bench account's password); set your own for anything real.
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "quickstart",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  console.log("# starting the bench services (MariaDB, Kafka)");
  const services = await startServices();
  const mariadb = services.mariadb;
  const secured = services.kafka?.secured;
  if (!mariadb?.tls) throw new Error("the bench has no MariaDB with TLS: restart it with npm run services -- stop, then start");
  if (!secured) throw new Error("the bench's Kafka has no SASL_SSL listener: restart it with npm run services -- stop, then start");
  const brokers = secured.saslSsl.brokers;
  const user = secured.users.scram256;
  console.log(`# MariaDB 127.0.0.1:${mariadb.port} (TLS), Kafka ${brokers.join(",")} (SASL_SSL, SCRAM-SHA-256 as ${user.username})`);
  pulumi(binDir, env, ["stack", "select", "--create", STACK]);
  if (action === "destroy") {
    pulumi(binDir, env, ["destroy", "--yes"]);
    return;
  }
  const connection = await createDemoDatabase(mariadb.port, mariadb.admin);
  try {
    pulumi(binDir, env, ["config", "set", "mysqlPort", String(mariadb.port)]);
    pulumi(binDir, env, ["config", "set", "mysqlCaFile", mariadb.tls.certificates.ca]);
    pulumi(binDir, env, ["config", "set", "kafkaBrokers", brokers.join(",")]);
    pulumi(binDir, env, ["config", "set", "kafkaCaFile", secured.certificates.ca]);
    pulumi(binDir, env, ["config", "set", "kafkaUser", user.username]);
    pulumi(binDir, env, ["config", "set", "user", mariadb.cdc.user]);
    // From stdin, so the passwords are never on a command line.
    pulumi(binDir, env, ["config", "set", "--secret", "password"], mariadb.cdc.password);
    pulumi(binDir, env, ["config", "set", "--secret", "kafkaPassword"], user.password);
    pulumi(binDir, env, ["up", "--yes"]);
    const ca = fs.readFileSync(secured.certificates.ca, "utf8");
    await showOneRow(brokers, { tls: { ca }, sasl: { mechanism: "scram-sha-256", ...user } }, connection);
  } finally {
    await connection.end();
  }
  console.log(`# state: ${env.PULUMI_BACKEND_URL} (stack ${STACK}). Take it down with: npm run quickstart -- destroy; stop the services with: npm run services -- stop`);
}

main(process.argv[2] ?? "up").catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
