/**
 * `npm run services -- <start|stop|status|env>`: the test bench's services for people who want
 * them running while they develop (and for the quickstart). They run detached; their endpoints,
 * accounts and directory are kept in a state file under the cache directory.
 *
 *   start   start MariaDB and Kafka (no-op when they already run) and print their endpoints
 *   stop    stop them and remove their directory
 *   status  print the endpoints, or say they are not running
 *   env     print `export CDC_BENCH_STATE=...` so `npm test` in that shell reuses them
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cacheDir } from "./cache";
import { attachKafka } from "./kafka";
import { attachMariaDb } from "./mariadb";
import { attachMySql } from "./mysql";
import { benchStateIsLive, readBenchState, startBench, writeBenchState, type BenchState } from "./services";

export function servicesStateFile(): string {
  return path.join(cacheDir(), "services", "state.json");
}

function describe(state: BenchState): string {
  const lines = [`directory: ${state.runDir}`];
  if (state.mariadb) {
    const m = state.mariadb;
    lines.push(
      `mariadb:   127.0.0.1:${m.port} (socket ${m.socket}, log ${m.logFile})`,
      `  admin:   ${m.admin.user} / password in ${servicesStateFile()}`,
      `  cdc:     ${m.cdc.user} / password in ${servicesStateFile()}`,
    );
  }
  if (state.mariadb?.tls) {
    const t = state.mariadb.tls;
    lines.push(`  TLS:     CA ${t.certificates.ca} (the certificate names localhost); accounts ${t.requireSsl.user} (REQUIRE SSL), ${t.requireX509.user} (REQUIRE X509, client certificate ${t.certificates.client.cert})`);
  }
  if (state.mysql) {
    const m = state.mysql;
    lines.push(`mysql:     127.0.0.1:${m.port} (MySQL 8.0; socket ${m.socket}, log ${m.logFile}; the same accounts as MariaDB's, passwords in ${servicesStateFile()})`);
  }
  if (state.kafka) lines.push(`kafka:     ${state.kafka.brokers.join(",")} (log ${state.kafka.logFile})`);
  if (state.kafka?.secured) {
    const k = state.kafka.secured;
    lines.push(
      `  SASL_SSL:       ${k.saslSsl.brokers.join(",")} (SCRAM-SHA-256 user ${k.users.scram256.username}, SCRAM-SHA-512 user ${k.users.scram512.username}; CA ${k.certificates.ca})`,
      `  SASL_PLAINTEXT: ${k.saslPlaintext.brokers.join(",")} (PLAIN user ${k.users.plain.username}); passwords in ${servicesStateFile()}`,
    );
  }
  return lines.join("\n");
}

/** The running services' state, or undefined when none run. */
export function liveServices(): BenchState | undefined {
  const file = servicesStateFile();
  if (!fs.existsSync(file)) return undefined;
  const state = readBenchState(file);
  return benchStateIsLive(state) ? state : undefined;
}

export async function startServices(): Promise<BenchState> {
  const live = liveServices();
  if (live) return live;
  await stopServices();
  const file = servicesStateFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const runDir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "cdc-services-"));
  const bench = await startBench({ mariadb: true, mysql: true, kafka: true, pulumi: true }, { runDir, detached: true });
  writeBenchState(file, bench.state);
  return bench.state;
}

export async function stopServices(): Promise<void> {
  const file = servicesStateFile();
  if (!fs.existsSync(file)) return;
  const state = readBenchState(file);
  await Promise.all([
    state.mariadb && attachMariaDb(state.mariadb).stop(),
    state.mysql && attachMySql(state.mysql).stop(),
    state.kafka && attachKafka(state.kafka).stop(),
  ]);
  fs.rmSync(state.runDir, { recursive: true, force: true });
  fs.rmSync(file, { force: true });
}

async function main(command: string | undefined): Promise<number> {
  switch (command ?? "status") {
    case "start": {
      const state = await startServices();
      console.log(describe(state));
      console.log(`\nexport CDC_BENCH_STATE=${servicesStateFile()}`);
      return 0;
    }
    case "stop":
      await stopServices();
      console.log("services stopped");
      return 0;
    case "status": {
      const state = liveServices();
      console.log(state ? describe(state) : "services are not running (npm run services -- start)");
      return state ? 0 : 1;
    }
    case "env":
      if (!liveServices()) {
        console.error("services are not running (npm run services -- start)");
        return 1;
      }
      console.log(`export CDC_BENCH_STATE=${servicesStateFile()}`);
      return 0;
    default:
      console.error(`unknown command ${command}: use start, stop, status or env`);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (error) => {
      console.error((error as Error).message);
      process.exit(1);
    },
  );
}
