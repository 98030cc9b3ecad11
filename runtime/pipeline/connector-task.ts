/**
 * One run of a connector, from prechecks to a failure or a stop:
 *   prechecks -> topics exist -> producer fenced -> committed offset (or the configured start)
 *   -> binlog stream -> records -> Kafka transactions (data + offset).
 * The binlog stream and the records are made in the connector's reader thread (binlog-reader.ts);
 * this side writes the batches it hands over, one Kafka transaction each.
 * A task never retries; ConnectorRunner decides what happens after it fails.
 */
import type { Kafka } from "kafkajs";
import type { ConnectorConfig } from "../contract/config";
import { connectorTransactionalId, tableTopic, type GroupTopics } from "../contract/names";
import { CdcError, classifyKafkaError, combineErrors } from "../errors";
import type { Logger } from "../log";
import type { ConnectorMetrics } from "../metrics";
import { resolveStartPosition } from "../source/binlog-position";
import { runPrechecks, type SourceAccess } from "../source/prechecks";
import { KafkaAdmin } from "../sink/admin";
import { recordBlocksSupported } from "../sink/kafkajs-fast-path";
import { KafkaSink } from "../sink/producer";
import { unpackBlockBatch } from "../sink/record-blocks";
import { checkpointFromJson } from "./binlog-reader";
import { offsetWrite, readCommittedOffset } from "./offsets";
import { unpackRecords } from "./record-frame";
import { ReaderThread } from "./reader-thread";

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
  private reader: ReaderThread | undefined;
  private sink: KafkaSink | undefined;
  private stopping = false;
  private failure: CdcError | undefined;
  private flushing: Promise<void> = Promise.resolve();
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

    logger.info("streaming the binlog", { from: committed.position.toString() });
    this.reader = new ReaderThread(logger);
    await this.reader.start(
      {
        config,
        password: this.ctx.password,
        partitions: [...partitions],
        from: committed.position.toJSON(),
        sequence: committed.sequence.toString(),
        eventTime: committed.eventTime ?? Date.now(),
        tuning: this.ctx.tuning,
        blocks: recordBlocksSupported(),
      },
      (error) => this.fail(error),
    );
    this.flushing = this.flushLoop(this.reader);
  }

  /** Commits the reader's batches, one Kafka transaction each, until the reader drains or fails. */
  private async flushLoop(reader: ReaderThread): Promise<void> {
    const sink = this.sink as KafkaSink;
    const { config, topics, metrics } = this.ctx;
    for (;;) {
      const item = await reader.next();
      if (!item || item.kind === "drained" || this.failure) return;
      const { data, count, bytes, queueBytes } = item.batch;
      const checkpoint = checkpointFromJson(item.batch.checkpoint);
      const offset = offsetWrite(topics.offsets, config.name, checkpoint);
      metrics.queueBytes = queueBytes + bytes;
      try {
        if (data.kind === "blocks") await sink.commitBlocks(unpackBlockBatch(data.blocks), offset);
        else await sink.commit(unpackRecords(data.frame), offset);
      } catch (error) {
        this.fail(classifyKafkaError(error, "committing to Kafka"));
        return;
      }
      reader.ack();
      this.committedOnce = true;
      metrics.recordCommit(count, bytes, checkpoint.position, checkpoint.eventTime);
      metrics.queueBytes = queueBytes;
    }
  }

  private fail(error: CdcError): void {
    if (this.failure || this.stopping) return;
    this.failure = error;
    void this.shutdown().finally(() => this.settle.reject(error));
  }

  private async shutdown(): Promise<void> {
    await this.reader?.terminate();
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
    this.reader?.requestStop();
    await this.flushing.catch(() => undefined);
    await this.reader?.terminate();
    await this.sink?.disconnect();
    this.settle.resolve();
  }
}
