/**
 * A runtime worker serves one resource group: it makes sure the group's internal topics exist,
 * follows the configs topic, and starts, reconfigures or stops a ConnectorRunner as config records
 * appear, change or are deleted (tombstones). Nothing restarts the process on a config change.
 * With several workers on one group, each connector runs on the worker holding its lease
 * (lease.ts); the others keep its config and stand by.
 */
import crypto from "node:crypto";
import type { Kafka } from "kafkajs";
import { describeProblems, normalizeConnectorConfig, type ConnectorConfig } from "../contract/config";
import { groupTopics, INTERNAL_TOPIC_CONFIGS, type GroupTopics } from "../contract/names";
import { decryptSecret } from "../contract/secrets";
import { CdcError, classifyKafkaError } from "../errors";
import type { Logger } from "../log";
import type { ConnectorMetrics } from "../metrics";
import { DEFAULT_TUNING, type TaskTuning } from "../pipeline/connector-task";
import { KafkaAdmin } from "../sink/admin";
import { watchTopic } from "../sink/topic-reader";
import { ConnectorRunner } from "./connector-runner";
import { backoffMs, DEFAULT_BACKOFF, sleep } from "../retry";
import { ConnectorLease, DEFAULT_LEASE_SESSION_MS } from "./lease";
import { StatusWriter } from "./status-writer";

export interface WorkerOptions {
  groupName: string;
  kafka: Kafka;
  groupKey: string | undefined;
  workerId: string;
  logger: Logger;
  tuning?: Partial<TaskTuning>;
  backoff?: { baseMs: number; maxMs: number };
  /** Replication factor for the internal topics it creates (-1: the broker default). */
  replicationFactor?: number;
  /** Session timeout of the connectors' leases: how fast another worker takes over from a dead one. */
  leaseSessionMs?: number;
}

export class Worker {
  readonly topics: GroupTopics;
  private readonly runners = new Map<string, ConnectorRunner>();
  /** Every valid connector config of the group, run here or not. */
  private readonly desired = new Map<string, ConnectorConfig>();
  private readonly leases = new Map<string, ConnectorLease>();
  /** False for a single local config file (--config): that connector simply runs here. */
  private useLeases = true;
  private status: StatusWriter | undefined;
  private watcher: { stop: () => Promise<void> } | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  started = false;

  constructor(private readonly options: WorkerOptions) {
    this.topics = groupTopics(options.groupName);
  }

  /** Creates the internal topics that are missing (as Kafka Connect does) and connects the status producer. */
  async prepare(): Promise<void> {
    const admin = await KafkaAdmin.connect(this.options.kafka);
    try {
      const created = await admin.ensureTopics(
        (Object.keys(this.topics) as (keyof GroupTopics)[]).map((k) => ({
          topic: this.topics[k],
          partitions: 1,
          replicationFactor: this.options.replicationFactor,
          configs: INTERNAL_TOPIC_CONFIGS[k],
        })),
      );
      if (created.length > 0) this.options.logger.info("created the group's internal topics", { topics: created });
    } finally {
      await admin.disconnect();
    }
    this.status = new StatusWriter(this.options.kafka, this.topics.status, this.options.logger);
    await this.status.connect();
  }

  /**
   * Follows the configs topic; resolves once the configs present at start were applied. A
   * retriable failure (the broker still starting, a leader not elected yet for a topic just made)
   * is retried with backoff until stop(), as a Kafka Connect worker does; /healthz says "starting"
   * meanwhile. A failure retrying cannot mend (no ACL, say) ends the start.
   */
  async start(): Promise<void> {
    await this.retrying(async () => {
      await this.prepare();
      await this.follow();
    });
    this.started = true;
  }

  /** Runs `step` until it succeeds, retrying retriable failures with backoff (see start()). */
  private async retrying(step: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await step();
        return;
      } catch (thrown) {
        const error = thrown instanceof CdcError ? thrown : classifyKafkaError(thrown, "starting the worker");
        await this.watcher?.stop();
        this.watcher = undefined;
        await this.status?.disconnect();
        this.status = undefined;
        if (!error.retriable || this.stopped) throw error;
        const delay = backoffMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF);
        this.options.logger.warn("cannot start on the resource group's topics yet: retrying", { code: error.code, reason: error.reason, attempt: attempt + 1, delayMs: delay });
        await sleep(delay);
      }
    }
  }

  private follow(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      watchTopic(this.options.kafka, this.topics.configs, {
        onRecord: (record) => this.enqueue(() => this.apply(record.key, record.value)),
        onCaughtUp: () => this.enqueue(async () => resolve()),
        onError: (error) => {
          this.options.logger.error("lost the configs topic", { code: error.code, reason: error.reason });
          reject(error);
        },
      }).then((watcher) => (this.watcher = watcher), reject);
    });
  }

  /** Runs one connector from a config record given directly (the local config file). */
  async runConfig(record: unknown): Promise<void> {
    this.useLeases = false;
    await this.retrying(() => this.prepare());
    const name = (record as { name?: unknown })?.name;
    await this.apply(typeof name === "string" ? name : "local", Buffer.from(JSON.stringify(record)));
    this.started = true;
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error) => this.options.logger.error("applying a config record failed", { error }));
  }

  private async apply(key: string, value: Buffer | null): Promise<void> {
    if (this.stopped) return;
    if (value === null) {
      if (this.desired.has(key)) this.options.logger.info("connector deleted: stopping it", { connector: key });
      await this.forget(key);
      await this.status?.remove(key);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.toString("utf8"));
    } catch {
      parsed = undefined;
    }
    const result = normalizeConnectorConfig(parsed);
    const problem = !result.ok
      ? describeProblems(result.problems)
      : result.config.name !== key
        ? `the record's key ${JSON.stringify(key)} differs from its name ${JSON.stringify(result.config.name)}`
        : undefined;
    if (problem || !result.ok) {
      await this.forget(key);
      const error = new CdcError("CONFIG_INVALID", `the config record of connector ${key} is invalid: ${problem}.`);
      const revision = (parsed as { revision?: unknown } | undefined)?.revision;
      await this.status?.write({
        version: 1,
        connector: key,
        state: "FAILED",
        errorCode: error.code,
        reason: error.reason,
        fix: error.fix,
        revision: typeof revision === "string" ? revision : undefined,
        worker: this.options.workerId,
        at: new Date().toISOString(),
      });
      return;
    }
    this.desired.set(key, result.config);
    if (!this.useLeases) {
      await this.run(key, false);
      return;
    }
    const lease = this.leases.get(key);
    if (!lease) {
      const created = new ConnectorLease(
        {
          kafka: this.options.kafka,
          connector: key,
          leasesTopic: this.topics.leases,
          workerId: this.options.workerId,
          sessionTimeoutMs: this.options.leaseSessionMs ?? DEFAULT_LEASE_SESSION_MS,
          rank: () => [...this.desired.keys()].sort().indexOf(key),
          logger: this.options.logger.child({ connector: key }),
        },
        {
          acquired: () => this.enqueue(() => this.run(key, true)),
          lost: () => this.enqueue(() => this.halt(key)),
        },
      );
      this.leases.set(key, created);
      created.start();
    } else if (lease.held) {
      await this.run(key, false);
    }
  }

  /**
   * Runs the connector's current config here: starts it, or restarts it when its config changed
   * (fresh: always, e.g. a lease regained after the old runner gave up on being fenced).
   */
  private async run(key: string, fresh: boolean): Promise<void> {
    const config = this.desired.get(key);
    if (!config || this.stopped) return;
    const existing = this.runners.get(key);
    const lease = this.leases.get(key);
    if (existing && !fresh && sameConfig(existing.config, config, this.options.groupKey)) {
      // Only the revision moved (a pulumi up that changed nothing the runtime uses): the connector
      // keeps running and reports under the new revision. A FAILED one is started again.
      if (existing.config.revision === config.revision) return;
      if (existing.state !== "FAILED") {
        await existing.acknowledge(config.revision);
        return;
      }
    }
    if (existing) {
      if (!fresh) this.options.logger.info("connector reconfigured: restarting it from its committed offset", { connector: key });
      this.runners.delete(key);
      await existing.stop();
    }
    const runner = new ConnectorRunner(config, {
      groupName: this.options.groupName,
      topics: this.topics,
      kafka: this.options.kafka,
      groupKey: this.options.groupKey,
      workerId: this.options.workerId,
      status: this.status as StatusWriter,
      logger: this.options.logger,
      tuning: { ...DEFAULT_TUNING, ...this.options.tuning },
      backoff: this.options.backoff,
      leaseValid: lease ? () => lease.valid() : undefined,
    });
    this.runners.set(key, runner);
    runner.start();
  }

  /** Stops the connector here (its runner commits what is complete first). */
  private async halt(key: string): Promise<void> {
    const runner = this.runners.get(key);
    this.runners.delete(key);
    await runner?.stop();
  }

  /** The connector is gone or invalid: stop it and give up its lease. */
  private async forget(key: string): Promise<void> {
    this.desired.delete(key);
    const lease = this.leases.get(key);
    this.leases.delete(key);
    await this.halt(key);
    await lease?.stop();
  }

  connectors(): { name: string; state: string; metrics: ConnectorMetrics }[] {
    return [...this.runners.values()].map((r) => ({ name: r.config.name, state: r.state, metrics: r.metrics }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.watcher?.stop();
    await this.queue;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
    // After the runners committed what was complete: leaving the groups hands the leases over.
    await Promise.all([...this.leases.values()].map((l) => l.stop()));
    this.leases.clear();
    await this.status?.disconnect();
  }
}

/**
 * Whether two configs run the same connector: everything it uses is equal (not the revision, nor
 * what is only for display), and the password is the same password (each write encrypts it with
 * a new IV, so the bytes differ).
 */
function sameConfig(a: ConnectorConfig, b: ConnectorConfig, groupKey: string | undefined): boolean {
  const comparable = (c: ConnectorConfig) => {
    let password = c.source.password;
    if (c.source.passwordEncrypted) {
      try {
        password = groupKey ? decryptSecret(c.source.passwordEncrypted, groupKey, c.name) : undefined;
      } catch {
        password = undefined;
      }
      if (password === undefined) return undefined;
    }
    // Compared in memory only, never logged.
    const digest = crypto.createHash("sha256").update(password ?? "").digest("hex");
    // region and rdsInstanceId are for display: a change of them restarts nothing.
    return JSON.stringify({ ...c, revision: undefined, source: { ...c.source, passwordEncrypted: undefined, password: digest, region: undefined, rdsInstanceId: undefined } });
  };
  const left = comparable(a);
  return left !== undefined && left === comparable(b);
}
