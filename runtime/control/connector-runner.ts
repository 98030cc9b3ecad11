/**
 * Supervises one connector: runs ConnectorTask, reports its status, and retries retriable
 * failures with backoff and jitter inside the connector's retry window (connection failures:
 * retry.connectionMinutes, 720 by default; other retriable failures: retry.otherMinutes, 10).
 * Non-retriable failures (bad password, purged binlog, missing topic, bugs) fail at once.
 */
import type { Kafka } from "kafkajs";
import { tlsKeyContext, type ConnectorConfig } from "../contract/config";
import type { SourceTls } from "../contract/tls";
import type { GroupTopics } from "../contract/names";
import type { ConnectorState, StatusRecord } from "../contract/records";
import { decryptSecret } from "../contract/secrets";
import { CdcError, type ErrorCode } from "../errors";
import type { Logger } from "../log";
import { ConnectorMetrics } from "../metrics";
import { backoffMs, sleep } from "../retry";
import { ConnectorTask, type TaskTuning } from "../pipeline/connector-task";
import type { StatusWriter } from "./status-writer";

const CONNECTION_CODES: ReadonlySet<ErrorCode> = new Set(["SOURCE_UNREACHABLE", "SOURCE_CONNECTION_LOST", "KAFKA_UNAVAILABLE"]);

export interface RunnerContext {
  groupName: string;
  topics: GroupTopics;
  kafka: Kafka;
  /** base64; undefined only for a local config file with a plaintext password. */
  groupKey: string | undefined;
  workerId: string;
  status: StatusWriter;
  logger: Logger;
  tuning: TaskTuning;
  /** Retry timing, overridable by tests. */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * With several workers: whether this worker's lease on the connector is valid now. Each start
   * and retry waits for it, so a worker back from a stall does not fence the lease's new holder.
   */
  leaseValid?: () => boolean;
}

export class ConnectorRunner {
  readonly metrics: ConnectorMetrics;
  /** The running config; acknowledge() moves its revision. */
  config: ConnectorConfig;
  /** The warnings of the start now running (repeated when a new revision is acknowledged). */
  private warnings: string[] = [];
  /** The task, once it streams (stop() stops it; a starting task is stopped by the loop). */
  private streaming: ConnectorTask | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly logger: Logger;
  state: ConnectorState = "STARTING";

  constructor(config: ConnectorConfig, private readonly ctx: RunnerContext) {
    this.config = config;
    this.metrics = new ConnectorMetrics(config.name);
    this.logger = ctx.logger.child({ connector: config.name });
  }

  start(): void {
    this.loop ??= this.run().catch((error) => this.logger.error("connector supervisor crashed", { error }));
  }

  private async report(state: ConnectorState, details: { failure?: CdcError; note?: string; warnings?: string[] } = {}): Promise<void> {
    const { failure, note, warnings = [] } = details;
    this.state = state;
    this.metrics.state = state;
    const lag = this.metrics.lagSeconds();
    const record: StatusRecord = {
      version: 1,
      connector: this.config.name,
      state,
      revision: this.config.revision,
      worker: this.ctx.workerId,
      at: new Date().toISOString(),
      position: this.metrics.committed?.toJSON(),
      lagSeconds: lag === undefined ? undefined : Math.round(lag),
      ...(failure ? { errorCode: failure.code, reason: failure.reason, fix: failure.fix } : {}),
      ...(note ? { reason: note } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
    await this.ctx.status.write(record);
  }

  private password(): string {
    const source = this.config.source;
    if (source.passwordEncrypted) return decryptSecret(source.passwordEncrypted, this.groupKey("the source password"), this.config.name);
    return source.password ?? "";
  }

  /** The source's TLS settings with the client key decrypted (memory only). */
  private tls(): SourceTls | undefined {
    const tls = this.config.source.tls;
    if (!tls) return undefined;
    const { keyEncrypted, key, ...rest } = tls;
    const clear = keyEncrypted ? decryptSecret(keyEncrypted, this.groupKey("the source's TLS key"), tlsKeyContext(this.config.name)) : key;
    return { ...rest, ...(clear ? { key: clear } : {}) };
  }

  private groupKey(what: string): string {
    if (!this.ctx.groupKey) throw new CdcError("GROUP_KEY_INVALID", `the runtime has no resource group key (CDC_GROUP_KEY) to decrypt ${what}.`);
    return this.ctx.groupKey;
  }

  private async run(): Promise<void> {
    if (this.config.paused) {
      await this.report("PAUSED");
      return;
    }
    let failingSince: number | undefined;
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      const leaseValid = this.ctx.leaseValid;
      if (leaseValid && !leaseValid()) {
        this.logger.info("waiting for the group to confirm this worker's lease");
        while (!leaseValid() && !this.abort.signal.aborted) await sleep(200, this.abort.signal);
        if (this.abort.signal.aborted) return;
      }
      await this.report("STARTING", { note: attempt > 0 ? `retry ${attempt}` : undefined });
      let task: ConnectorTask | undefined;
      try {
        task = new ConnectorTask({
          config: this.config,
          password: this.password(),
          tls: this.tls(),
          groupName: this.ctx.groupName,
          topics: this.ctx.topics,
          kafka: this.ctx.kafka,
          logger: this.logger,
          metrics: this.metrics,
          tuning: this.ctx.tuning,
          claimTopics: (claims) => this.ctx.status.claim(claims),
        });
        await task.start();
        if (this.abort.signal.aborted) {
          await task.stop();
          return;
        }
        this.streaming = task;
        this.warnings = task.warnings;
        await this.report("RUNNING", { warnings: task.warnings });
        await task.done;
        return; // stopped on purpose
      } catch (thrown) {
        const error = thrown instanceof CdcError ? thrown : new CdcError("INTERNAL", String((thrown as Error)?.stack ?? thrown));
        if (this.abort.signal.aborted) return;
        this.metrics.recordError(error.code);
        this.logger.warn("connector failed", { code: error.code, reason: error.reason, retriable: error.retriable });
        if (error.code === "KAFKA_FENCED") {
          // Another worker started this connector (same transactional.id) and owns its status now:
          // a FAILED from here would overwrite that worker's RUNNING.
          this.state = "STARTING";
          if (!this.ctx.leaseValid) {
            this.logger.warn("fenced by another worker: leaving the connector to it", { code: error.code });
            return;
          }
          // With leases, the group decides: this worker either learns it lost the lease (and is
          // stopped) or has it confirmed again and resumes from the committed offset.
          this.logger.warn("fenced by another worker: waiting for the group to settle the lease", { code: error.code });
          await sleep(this.ctx.backoff?.baseMs ?? 1_000, this.abort.signal);
          continue;
        }
        if (!error.retriable) {
          await this.report("FAILED", { failure: error });
          return;
        }
        if (task?.committedOnce) {
          failingSince = undefined;
          attempt = 0;
        }
        failingSince ??= Date.now();
        const windowMinutes = CONNECTION_CODES.has(error.code) ? this.config.retry.connectionMinutes : this.config.retry.otherMinutes;
        if (Date.now() - failingSince > windowMinutes * 60_000) {
          const exceeded = new CdcError("RETRY_WINDOW_EXCEEDED", `${error.code} kept failing for more than ${windowMinutes} minutes: ${error.reason}`);
          this.metrics.recordError(exceeded.code);
          await this.report("FAILED", { failure: exceeded });
          return;
        }
        const delay = backoffMs(attempt++, this.ctx.backoff);
        this.logger.info("retrying", { code: error.code, inMs: delay, attempt });
        await sleep(delay, this.abort.signal);
      } finally {
        this.streaming = undefined;
      }
    }
  }

  /**
   * A config record that differs from the running one only in its revision: nothing restarts; the
   * current state is reported under the new revision (a deploy waits for its own revision). A
   * start under way reports the new revision itself.
   */
  async acknowledge(revision: string | undefined): Promise<void> {
    this.config = { ...this.config, revision };
    if (this.state === "RUNNING") await this.report("RUNNING", { warnings: this.warnings });
    else if (this.state === "PAUSED") await this.report("PAUSED");
  }

  /** Stops the connector (its task commits what is complete first). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.streaming?.stop();
    await this.loop;
  }
}
