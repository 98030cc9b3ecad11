/**
 * The harness of the change-sequence suites (changes-suite.ts): a Pulumi program built from one
 * JSON spec in a file the stack's config names (so each step is one edit of it), a stack driver that reads the
 * engine's event log for each preview and up, a writer inserting rows all along, a collector that
 * reads every `<prefix>_orders` topic as soon as it exists, and a TCP proxy that is the same
 * MariaDB at another port.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Admin, Consumer, Kafka } from "kafkajs";
import type mysql from "mysql2/promise";
import { repoRoot } from "../bench/process";
import type { PulumiSandbox } from "../bench/pulumi";
import { uniqueName } from "../runtime/fixtures";

export interface ConnectorSpec {
  name: string;
  group: string;
  topicSet: string;
  host: string;
  port: number;
  database: string;
  /** The managed account (config `password`), or the bench's cdc account (config `cdcPassword`). */
  user: string;
  tables: string[];
  prefix: string;
  manageGrants?: boolean;
  serverId?: number;
  timezone?: string;
  options?: Record<string, unknown>;
}

export interface TopicSetSpec {
  prefix: string;
  database: string;
  tables: string[];
  partitions?: Record<string, number>;
  topicConfigs?: Record<string, string>;
  retainOnDelete?: boolean;
}

export interface Spec {
  /** Resource key -> group name. */
  groups: Record<string, string>;
  topicSets: Record<string, TopicSetSpec>;
  connectors: Record<string, ConnectorSpec>;
}

/** The program: every resource's logical name is its key in the spec, so an edit is a change of the same resource. */
export const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const cdc = require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});
const c = new pulumi.Config();
// The spec is a file the stack's config names (writing it is an edit; a "pulumi config set" per step cost a CLI run).
const spec = JSON.parse(require("node:fs").readFileSync(c.require("specFile"), "utf8"));
const region = "cn-hangzhou";
const kafka = { brokers: c.require("brokers").split(","), region, vpc: { vpcId: "vpc-kafka", cidrBlock: "10.1.0.0/16", region } };
const admin = { user: c.require("adminUser"), password: c.requireSecret("adminPassword") };
const groups = {};
for (const [key, name] of Object.entries(spec.groups)) {
  const workDir = c.require("runtimeDir") + "/" + name;
  groups[key] = new cdc.ResourceGroup(key, { name, region, kafka, sources: [{ vpc: { vpcId: "vpc-db", cidrBlock: "10.2.0.0/16", region } }], eniBindings: [{ vpcId: "vpc-db" }], runtime: { local: { workDir } } });
}
const sets = {};
for (const [key, t] of Object.entries(spec.topicSets)) {
  sets[key] = new cdc.TopicSet(key, {
    kafka, tables: t.tables, topicPrefix: t.prefix, partitions: t.partitions, topicConfigs: t.topicConfigs, retainOnDelete: t.retainOnDelete,
    source: { host: "127.0.0.1", port: c.requireNumber("mysqlPort"), database: t.database, user: admin.user, password: admin.password },
  });
}
for (const [key, x] of Object.entries(spec.connectors)) {
  if (!groups[x.group] || !sets[x.topicSet]) throw new Error("spec: connector " + key + " names group " + x.group + " / topic set " + x.topicSet + ", not in " + JSON.stringify(spec));
  const password = x.user === c.require("cdcUser") ? c.requireSecret("cdcPassword") : c.requireSecret("password");
  new cdc.Connector(key, {
    resourceGroup: groups[x.group], name: x.name, tables: x.tables, topicPrefix: x.prefix,
    source: { host: x.host, port: x.port, database: x.database, user: x.user, password, serverId: x.serverId, timezone: x.timezone },
    manageGrants: x.manageGrants ? { adminUser: admin.user, adminPassword: admin.password } : undefined,
    deployTimeoutSeconds: 120,
    ...(x.options || {}),
  }, { dependsOn: [sets[x.topicSet]] });
}
`;

/** One engine step as the event log tells it: the resource's logical name and the operation. */
export interface Op {
  name: string;
  type: string;
  op: string;
  detailedDiff: Record<string, { kind: string }> | null;
}

export interface RunResult {
  code: number;
  out: string;
  stdout: string;
  /** Every step but the stack's and the providers', in the order they began. */
  ops: Op[];
}

/** The engine's events of one command (PULUMI_DEBUG_COMMANDS enables --event-log). */
function opsOf(file: string): Op[] {
  if (!fs.existsSync(file)) return [];
  const ops: Op[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as { resourcePreEvent?: { metadata: { op: string; urn: string; type: string; detailedDiff?: Op["detailedDiff"] } } };
    const m = event.resourcePreEvent?.metadata;
    if (!m || m.type === "pulumi:pulumi:Stack" || m.type.startsWith("pulumi:providers:")) continue;
    ops.push({ name: m.urn.split("::").pop() as string, type: m.type.split(":").pop() as string, op: m.op, detailedDiff: m.detailedDiff ?? null });
  }
  return ops;
}

/** What changes, as "name op" sorted (same and read steps left out): comparable between preview and up. */
export function changes(ops: Op[]): string[] {
  return ops.filter((o) => o.op !== "same" && o.op !== "read").map((o) => `${o.name} ${o.op}`).sort();
}

export class StackDriver {
  private runs = 0;
  constructor(private readonly sandbox: PulumiSandbox, readonly project: string) {}

  async pulumi(args: string[], withEvents = false): Promise<RunResult> {
    const log = path.join(this.sandbox.dir, `events-${++this.runs}.jsonl`);
    const result = await this.sandbox.pulumi([...args, ...(withEvents ? ["--event-log", log] : [])], {
      cwd: this.project,
      timeoutMs: 5 * 60 * 1000,
      env: { PULUMI_DEBUG_COMMANDS: "true" },
    });
    return { code: result.code ?? -1, out: `${result.stdout}\n${result.stderr}`, stdout: result.stdout, ops: withEvents ? opsOf(log) : [] };
  }

  /** Sets several config values in one CLI run (`pulumi config set-all`). */
  async configAll(plain: Record<string, string>, secrets: Record<string, string>): Promise<void> {
    const args = [...Object.entries(plain).map(([k, v]) => ["--plaintext", `${k}=${v}`]), ...Object.entries(secrets).map(([k, v]) => ["--secret", `${k}=${v}`])].flat();
    const r = await this.pulumi(["config", "set-all", ...args]);
    if (r.code !== 0) throw new Error(r.out);
  }

  async config(key: string, value: string, secret = false): Promise<void> {
    const r = await this.pulumi(["config", "set", ...(secret ? ["--secret"] : []), key, value]);
    if (r.code !== 0) throw new Error(r.out);
  }

  /** Where the program reads its spec (config `specFile`). */
  get specFile(): string {
    return path.join(this.project, "spec.json");
  }

  async setSpec(spec: Spec): Promise<void> {
    fs.writeFileSync(this.specFile, JSON.stringify(spec));
  }

  preview(): Promise<RunResult> {
    return this.pulumi(["preview", "--diff"], true);
  }

  up(): Promise<RunResult> {
    return this.pulumi(["up", "--yes", "--skip-preview"], true);
  }
}

/** Inserts a row every `everyMs` into `<database>.orders`, with ids that are unique across databases. */
export class RowWriter {
  /** Where rows go now; a step may switch it. */
  database: string;
  readonly written: { id: number; database: string; at: number }[] = [];
  private nextId = 1;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly connection: mysql.Connection, database: string, private readonly everyMs = 50) {
    this.database = database;
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const id = this.nextId++;
        const database = this.database;
        try {
          await this.connection.query(`INSERT INTO ${database}.orders (id, item) VALUES (?, ?)`, [id, `row-${id}`]);
          this.written.push({ id, database, at: Date.now() });
        } catch (error) {
          this.failure = error;
          return;
        }
        await new Promise((r) => setTimeout(r, this.everyMs));
      }
    })();
  }

  /** The ids written so far (all of them, or to one database). */
  ids(database?: string): number[] {
    return this.written.filter((w) => database === undefined || w.database === database).map((w) => w.id);
  }

  /** Stops writing and ends its connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.connection.end().catch(() => undefined);
    if (this.failure) throw this.failure;
  }
}

export interface Delivered {
  topic: string;
  partition: number;
  id: number;
}

/**
 * Reads every topic whose name ends in `_orders` and starts with one of `prefixes`, each from its
 * beginning, read_committed, as soon as it appears: topics deleted at the end of an update (an
 * old prefix's) are read before they go.
 */
export class OrdersCollector {
  readonly delivered: Delivered[] = [];
  /** topic/partition/offset of each record seen: a consumer that reads a partition again (a rebalance) does not count it twice. */
  private readonly seen = new Set<string>();
  private readonly consumers = new Map<string, Consumer>();
  /** One admin for the topic listing, connected once (a client per poll, four a second, kept the broker busy). */
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  /** `kafka` makes a client per consumer (one client's socket would gather every consumer's listeners). */
  constructor(private readonly kafka: () => Kafka, private readonly prefixes: () => string[]) {}

  start(): void {
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.poll()).catch(() => undefined);
    }, 250);
  }

  private async poll(): Promise<void> {
    let topics: string[];
    try {
      if (!this.admin) {
        const admin = this.kafka().admin();
        await admin.connect();
        this.admin = admin;
      }
      topics = await this.admin.listTopics();
    } catch (error) {
      // The next poll connects a new one.
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = undefined;
      throw error;
    }
    for (const topic of topics) {
      if (this.consumers.has(topic) || !topic.endsWith("_orders") || !this.prefixes().some((p) => topic === `${p}_orders`)) continue;
      // Metadata read every second: partitions added to a topic are read at once too. A fetch
      // returns as soon as records arrive; maxWaitTimeInMs only bounds how often an idle one polls.
      const consumer = this.kafka().consumer({ groupId: uniqueName("e2e-collector-"), readUncommitted: false, maxWaitTimeInMs: 1_000, metadataMaxAge: 1_000 });
      this.consumers.set(topic, consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const where = `${topic}/${partition}/${message.offset}`;
          if (this.seen.has(where)) return;
          this.seen.add(where);
          const id = (JSON.parse(String(message.key)) as { id: number }).id;
          this.delivered.push({ topic, partition, id });
        },
      });
    }
  }

  /** How many times each id arrived. */
  counts(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const d of this.delivered) counts.set(d.id, (counts.get(d.id) ?? 0) + 1);
    return counts;
  }

  /** Waits until every id arrived, up to timeoutMs; returns the missing ones (empty when all arrived). */
  async await(ids: number[], timeoutMs: number): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = this.counts();
      const missing = ids.filter((id) => !counts.has(id));
      if (missing.length === 0 || Date.now() > deadline) return missing;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Ids that arrived more than once. */
  duplicates(): number[] {
    return [...this.counts()].filter(([, n]) => n > 1).map(([id]) => id);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    // A poll left hanging (its admin client never answered; seen once, with no socket left open)
    // must not keep the test file from ending: wait for it 10 s at most.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.polling, new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    await Promise.all([...this.consumers.values()].map((c) => c.disconnect().catch(() => undefined)));
    await this.admin?.disconnect().catch(() => undefined);
  }
}

/** A TCP proxy on a free loopback port to `port`: the same server reached at another address. */
export async function startProxy(port: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
