/**
 * `npm run quickstart`: starts the test bench's services (MariaDB and Kafka, detached, reused when
 * already running), then runs `pulumi up` on the root Pulumi.yaml with a local file backend under
 * the cache directory. `npm run quickstart -- destroy` runs `pulumi destroy` instead; stop the
 * services with `npm run services -- stop`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cacheDir } from "../test/bench/cache";
import { startServices } from "../test/bench/cli";
import { ensurePulumi } from "../test/bench/pulumi";

const repoRoot = path.resolve(__dirname, "..", "..");
const STACK = "quickstart";

function pulumi(binDir: string, env: NodeJS.ProcessEnv, args: string[]): void {
  const result = spawnSync(path.join(binDir, "pulumi"), [...args, "--non-interactive"], { cwd: repoRoot, env, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed (exit ${result.status})`);
}

async function main(action: string): Promise<void> {
  if (action !== "up" && action !== "destroy") throw new Error(`unknown action ${action}: use up or destroy`);
  const binDir = await ensurePulumi();
  const backend = path.join(cacheDir(), "quickstart", "state");
  fs.mkdirSync(backend, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${backend}`,
    // The quickstart's stack holds no real secret yet; set your own passphrase for anything else.
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "quickstart",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  console.log("# starting the bench services (MariaDB, Kafka)");
  const services = await startServices();
  console.log(`# MariaDB 127.0.0.1:${services.mariadb?.port}, Kafka ${services.kafka?.brokers.join(",")}`);
  pulumi(binDir, env, ["stack", "select", "--create", STACK]);
  pulumi(binDir, env, ["config", "set", "mysqlPort", String(services.mariadb?.port)]);
  pulumi(binDir, env, ["config", "set", "kafkaBrokers", services.kafka?.brokers.join(",") ?? ""]);
  pulumi(binDir, env, action === "up" ? ["up", "--yes"] : ["destroy", "--yes"]);
  console.log(`# state: ${env.PULUMI_BACKEND_URL} (stack ${STACK}); stop the services with: npm run services -- stop`);
}

main(process.argv[2] ?? "up").catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
