/**
 * One run of a connector, from prechecks to a failure or a stop:
 *   prechecks -> topics exist -> producer fenced -> committed offset (or the configured start)
 *   -> binlog stream -> records -> Kafka transactions (data + offset).
 * A task never retries; ConnectorRunner decides what happens after it fails.
 */
import type { Kafka } from "kafkajs";
import type { ConnectorConfig } from "../contract/config";
import { connectorTransactionalId, tableTopic, type GroupTopics } from "../contract/names";
import { CdcError, classifyKafkaError, combineErrors } from "../errors";
import { offsetMinutes } from "../format/values";
import type { Logger } from "../log";
import type { ConnectorMetrics } from "../metrics";
import { BinlogSource } from "../source/binlog-source";
import { resolveStartPosition } from "../source/binlog-position";
import type { SourceEvent } from "../source/events";
import { runPrechecks, type SourceAccess } from "../source/prechecks";
import { KafkaAdmin } from "../sink/admin";
import { KafkaSink } from "../sink/producer";
import { CommitBuffer } from "./commit-buffer";
import { offsetWrite, readCommittedOffset } from "./offsets";
import { RecordBuilder } from "./record-builder";

export interface TaskContext {
  config: ConnectorConfig;
  /** The decrypted source password (memory only). */
  password: string;
  groupName: string;
  topics: GroupTopics;
  kafka: Kafka;
  logger: Logger;
  metrics: ConnectorMetrics;
  tuning: TaskTuning;
}

export interface TaskTuning {
  /** Upper bound of bytes waiting for Kafka; the binlog reader pauses above it. */
  maxQueueBytes: number;
  /** A huge transaction is cut into Kafka transactions of at most this many rows / bytes. */
  splitRows: number;
  splitBytes: number;
  /** An offset-only commit (no rows, the position moved) is written at most this often. */
  idleCommitMs: number;
  /** Bytes per Kafka transaction, when several checkpoints are waiting (a backlog). */
  transactionBytes: number;
}

export const DEFAULT_TUNING: TaskTuning = {
  maxQueueBytes: 8 * 1024 * 1024,
  splitRows: 20_000,
  splitBytes: 8 * 1024 * 1024,
  idleCommitMs: 1_000,
  transactionBytes: 2 * 1024 * 1024,
};

export class ConnectorTask {
  private source: BinlogSource | undefined;
  private sink: KafkaSink | undefined;
  private buffer: CommitBuffer | undefined;
  private builder: RecordBuilder | undefined;
  private stopping = false;
  private failure: CdcError | undefined;
  private wake: (() => void) | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private lastCommitAt = 0;
  private paused = false;
  private settle!: { resolve: () => void; reject: (error: CdcError) => void };
  /** Settles when the task ends: resolves after stop(), rejects with the failure. */
  readonly done: Promise<void>;
  /** Set once the first offset was committed after start: the connector makes progress. */
  committedOnce = false;

  constructor(private readonly ctx: TaskContext) {
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined);
  }

  private get access(): SourceAccess {
    const s = this.ctx.config.source;
    return { host: s.host, port: s.port, user: s.user, password: this.ctx.password, database: s.database, tables: s.tables };
  }

  /** Runs everything up to a streaming binlog; throws the first failure (prechecks: all of them). */
  async start(): Promise<void> {
    try {
      await this.startStreaming();
    } catch (error) {
      await this.shutdown();
      throw error instanceof CdcError ? error : new CdcError("INTERNAL", `starting the connector: ${(error as Error).stack ?? error}`);
    }
  }

  private async startStreaming(): Promise<void> {
    const { config, logger } = this.ctx;
    const checks = await runPrechecks(this.access);
    for (const warning of checks.warnings) logger.warn(warning);
    if (checks.errors.length > 0) throw combineErrors(checks.errors);

    const tableTopics = config.source.tables.map((t) => tableTopic(config.topicPrefix, t));
    const admin = await KafkaAdmin.connect(this.ctx.kafka);
    let partitions: Map<string, number>;
    try {
      const { counts, missing } = await admin.partitionCounts(tableTopics);
      if (missing.length > 0) {
        throw new CdcError("TOPIC_MISSING", `topic${missing.length > 1 ? "s" : ""} ${missing.join(", ")} do${missing.length > 1 ? "" : "es"} not exist.`);
      }
      partitions = counts;
    } finally {
      await admin.disconnect();
    }
    this.builder = new RecordBuilder(config, partitions);

    this.sink = new KafkaSink(this.ctx.kafka, {
      transactionalId: connectorTransactionalId(this.ctx.groupName, config.name),
      compression: config.compression,
      acks: config.acks,
    });
    await this.sink.connect();

    let committed = await readCommittedOffset(this.ctx.kafka, this.ctx.topics.offsets, config.name);
    if (!committed) {
      // First start: pin the configured start as a committed offset at once, so a restart before
      // any change does not jump to a later "end" and lose what happened in between.
      const position = await resolveStartPosition(this.access, config.startPosition);
      const sequence = BigInt(Date.now()) * 1_000_000n;
      await this.sink.commit([], offsetWrite(this.ctx.topics.offsets, config.name, { position, sequence, eventTime: Date.now() }));
      committed = { position, sequence, eventTime: Date.now() };
      logger.info("no committed offset: starting at the configured position", { position: position.toString() });
    }
    this.ctx.metrics.committed = committed.position;
    this.buffer = new CommitBuffer(committed.position, committed.sequence, committed.eventTime ?? Date.now(), {
      splitRows: this.ctx.tuning.splitRows,
      // At most half the queue between checkpoints: a full queue then always holds a checkpoint to
      // flush, so the paused reader is always resumed.
      splitBytes: Math.min(this.ctx.tuning.splitBytes, Math.floor(this.ctx.tuning.maxQueueBytes / 2)),
    });
    this.lastCommitAt = Date.now();

    const includeTables = new Set(config.source.tables);
    this.source = new BinlogSource({
      host: config.source.host,
      port: config.source.port,
      user: config.source.user,
      password: this.ctx.password,
      database: config.source.database,
      serverId: config.source.serverId,
      offsetMinutes: offsetMinutes(config.source.timezone),
      tables: config.source.tables,
      autoAdd: false,
      includeTable: (t) => includeTables.has(t),
      logger,
    });
    logger.info("streaming the binlog", { from: committed.position.toString() });
    await this.source.start(committed.position, { onEvent: (e) => this.onEvent(e), onError: (e) => this.fail(e) });
    this.flushing = this.flushLoop();
  }

  private onEvent(event: SourceEvent): void {
    if (this.stopping) return;
    const buffer = this.buffer as CommitBuffer;
    switch (event.kind) {
      case "rows": {
        const builder = this.builder as RecordBuilder;
        for (const row of event.rows) {
          const sequence = buffer.nextRow();
          if (sequence === undefined) continue;
          const record = builder.build(event.shape, event.op, row.before, row.after, {
            sequenceId: sequence.toString(),
            eventTime: event.eventTime,
            checkpointTime: buffer.checkpointTime,
            gtid: event.gtid,
          });
          buffer.push(record, event.eventTime);
        }
        this.ctx.metrics.queueBytes = buffer.bytes;
        if (!this.paused && buffer.bytes > this.ctx.tuning.maxQueueBytes) {
          this.paused = true;
          this.source?.pause();
        }
        this.kick();
        return;
      }
      case "commit":
      case "ddl":
        buffer.commit(event.file, event.pos, event.gtid, event.eventTime);
        this.kick();
        return;
      case "begin":
        return;
    }
  }

  private kick(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async flushLoop(): Promise<void> {
    const buffer = this.buffer as CommitBuffer;
    const sink = this.sink as KafkaSink;
    const { config, topics, metrics } = this.ctx;
    while (!this.failure) {
      const now = Date.now();
      const ready =
        buffer.hasCheckpoint && (buffer.flushableRecords > 0 || now - this.lastCommitAt >= this.ctx.tuning.idleCommitMs || this.stopping);
      if (!ready) {
        if (this.stopping) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      const batch = buffer.take(this.ctx.tuning.transactionBytes);
      if (!batch) continue;
      try {
        await sink.commit(batch.records, offsetWrite(topics.offsets, config.name, batch.checkpoint));
      } catch (error) {
        this.fail(classifyKafkaError(error, "committing to Kafka"));
        return;
      }
      this.lastCommitAt = Date.now();
      this.committedOnce = true;
      metrics.recordCommit(batch.records.length, batch.checkpoint.bytes, batch.checkpoint.position, batch.checkpoint.eventTime);
      metrics.queueBytes = buffer.bytes;
      // Resume as soon as a transaction's worth of room is free, so reading and writing overlap. The
      // room asked for is at most half the queue: the tail after the last checkpoint (up to half the
      // queue, splitBytes) cannot be committed, and a larger ask would never be met (a silent hang).
      if (this.paused && buffer.bytes <= this.ctx.tuning.maxQueueBytes - Math.min(this.ctx.tuning.transactionBytes, this.ctx.tuning.maxQueueBytes / 2)) {
        this.paused = false;
        this.source?.resume();
      }
    }
  }

  private fail(error: CdcError): void {
    if (this.failure || this.stopping) return;
    this.failure = error;
    this.kick();
    void this.shutdown().finally(() => this.settle.reject(error));
  }

  private async shutdown(): Promise<void> {
    await this.source?.stop().catch(() => undefined);
    await this.flushing.catch(() => undefined);
    await this.sink?.disconnect();
  }

  /** Stops reading, commits what is complete, and disconnects. */
  async stop(): Promise<void> {
    if (this.stopping || this.failure) {
      await this.done.catch(() => undefined);
      return;
    }
    this.stopping = true;
    await this.source?.stop().catch(() => undefined);
    this.kick();
    await this.flushing.catch(() => undefined);
    await this.sink?.disconnect();
    this.settle.resolve();
  }
}
