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
import { connectorTransactionalId, heartbeatTopic, type GroupTopics } from "../contract/names";
import { CdcError, classifyKafkaError, combineErrors } from "../errors";
import type { Logger } from "../log";
import type { ConnectorMetrics } from "../metrics";
import type { Position } from "../position";
import { resolveStartPosition } from "../source/binlog-position";
import { settledTls } from "../source/connection";
import type { SourceTls } from "../contract/tls";
import { judgeForResume, runPrechecks, type SourceAccess } from "../source/prechecks";
import { recordBlocksSupported } from "../sink/kafkajs-fast-path";
import { KafkaSink } from "../sink/producer";
import { unpackBlockBatch } from "../sink/record-blocks";
import { checkpointFromJson } from "./binlog-reader";
import { createAddedTableTopic, createOwnTopics, planTopics, topicFailure, type ClaimTopics } from "./connector-topics";
import { offsetWrite, readCommittedOffset } from "./offsets";
import { unpackRecords } from "./record-frame";
import { ReaderThread, type ReaderItem } from "./reader-thread";
import { RecordBuilder } from "./record-builder";
import { newSnapshot, runSnapshot, type SnapshotStart } from "./snapshot";
import { SourceWatch } from "./source-watch";
import { DEFAULT_PARTITION_CHECK_MS, PartitionWatch } from "./partition-watch";

export interface TaskContext {
  config: ConnectorConfig;
  /** The decrypted source password (memory only). */
  password: string;
  /** The source's TLS settings, the client key decrypted (memory only). */
  tls?: SourceTls;
  groupName: string;
  topics: GroupTopics;
  kafka: Kafka;
  logger: Logger;
  metrics: ConnectorMetrics;
  tuning: TaskTuning;
  /** Claims the topics the connector is about to create (they are then the Connector's to delete). */
  claimTopics: ClaimTopics;
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
  /** How often the source's binlog end is sampled (idle detection for the lag metric). */
  sourceCheckMs: number;
  /** How often the partition counts of the topics written are read (partitions added while running). */
  partitionCheckMs: number;
}

export const DEFAULT_TUNING: TaskTuning = {
  maxQueueBytes: 8 * 1024 * 1024,
  splitRows: 20_000,
  splitBytes: 8 * 1024 * 1024,
  idleCommitMs: 1_000,
  transactionBytes: 2 * 1024 * 1024,
  sourceCheckMs: 5_000,
  partitionCheckMs: DEFAULT_PARTITION_CHECK_MS,
};

const TICK = Symbol("tick");

export class ConnectorTask {
  /** The prechecks' warnings at this start (reported with RUNNING, so `pulumi refresh` shows them). */
  readonly warnings: string[] = [];
  private reader: ReaderThread | undefined;
  /** The reader thread spawned at the start, until it is started. */
  private prepared: ReaderThread | undefined;
  private sink: KafkaSink | undefined;
  private stopping = false;
  private failure: CdcError | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private watch: SourceWatch | undefined;
  /** Partition counts of the topics written, re-read while running (partitions added to a topic). */
  private partitionWatch: PartitionWatch | undefined;
  /** The last offset committed (heartbeats commit it again). */
  private lastCheckpoint: { position: Position; sequence: bigint; eventTime: number } | undefined;
  private lastEnd: Position | null = null;
  private commitsSinceCheck = 0;
  private nextCheckAt = Date.now();
  private nextHeartbeatAt = Date.now();
  private nextPartitionCheckAt = Date.now();
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
    return { host: s.host, port: s.port, user: s.user, password: this.ctx.password, tls: this.ctx.tls, database: s.database, tables: s.tables, serverId: s.serverId };
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
    // The reader thread loads while the source is checked and the offset read (see spawn()).
    this.prepared = new ReaderThread(logger);
    this.prepared.spawn();
    // The source's checks and the topics' (Kafka) run side by side; the checks' errors come first.
    const [checks, topics] = await Promise.allSettled([runPrechecks(this.access), planTopics(this.ctx.kafka, this.access, config)]);
    if (checks.status === "rejected") throw checks.reason;
    // Whether a missing table is fatal depends on the committed offset, read below.
    const resuming = judgeForResume(checks.value);
    if (resuming.errors.length > 0) throw combineErrors(checks.value.errors);
    if (topics.status === "rejected") {
      throw topicFailure(checks.value.errors, topics.reason);
    }
    const { streamed } = topics.value;

    this.sink = new KafkaSink(this.ctx.kafka, {
      transactionalId: connectorTransactionalId(this.ctx.groupName, config.name),
      compression: config.compression,
      acks: config.acks,
    });
    await this.sink.connect();

    // Read only once the sink's transactional producer is initialised: that fences the previous
    // owner, so no transaction of its can commit after this read.
    let committed = await readCommittedOffset(this.ctx.kafka, this.ctx.topics.offsets, config.name);
    const judged = committed ? resuming : checks.value;
    for (const warning of judged.warnings) logger.warn(warning);
    this.warnings.push(...judged.warnings);
    if (judged.errors.length > 0) throw combineErrors(judged.errors);
    const partitions = await createOwnTopics(this.ctx.kafka, config, topics.value, this.ctx.claimTopics, logger);
    if (!committed) {
      // First start: pin the configured start as a committed offset at once, so a restart before
      // any change does not jump to a later "end" and lose what happened in between. With
      // initialSync, that position is taken before the copy begins and the copy's progress rides
      // in the same record.
      const position = await resolveStartPosition(this.access, config.startPosition);
      const sequence = BigInt(Date.now()) * 1_000_000n;
      const snapshot = config.initialSync ? newSnapshot(streamed.source.tables) : undefined;
      // No source transaction is behind this position yet: its event time is unknown (NaN, left
      // out of the record), and the first transaction read gives the records their checkpointTime.
      await this.sink.commit([], offsetWrite(this.ctx.topics.offsets, config.name, { position, sequence, eventTime: NaN }, snapshot));
      committed = { position, sequence, ...(snapshot ? { snapshot } : {}) };
      logger.info("no committed offset: starting at the configured position", { position: position.toString(), initialSync: config.initialSync });
    }
    this.ctx.metrics.committed = committed.position;
    this.lastCheckpoint = { position: committed.position, sequence: committed.sequence, eventTime: committed.eventTime ?? NaN };
    this.watch = new SourceWatch(this.access, logger);
    this.partitionWatch = new PartitionWatch(this.ctx.kafka, partitions, logger);
    const stream = (from: { sequence: bigint; eventTime: number }) => this.startReader(streamed, partitions, committed.position, from.sequence, from.eventTime);

    if (!committed.snapshot) {
      await stream({ sequence: committed.sequence, eventTime: committed.eventTime ?? NaN });
      return;
    }
    // The copy runs after start() returned (the connector is RUNNING while it copies); the
    // binlog is streamed once it is done.
    const start: SnapshotStart = { position: committed.position, sequence: committed.sequence, eventTime: committed.eventTime ?? NaN, progress: committed.snapshot };
    this.flushing = (async () => {
      try {
        const copied = await runSnapshot(
          {
            access: this.access,
            config,
            builder: new RecordBuilder(streamed, partitions),
            sink: this.sink as KafkaSink,
            offsetsTopic: this.ctx.topics.offsets,
            logger,
            metrics: this.ctx.metrics,
            stopping: () => this.stopping || this.failure !== undefined,
            onCommit: () => (this.committedOnce = true),
          },
          start,
        );
        if (!copied || this.stopping || this.failure) return;
        this.lastCheckpoint = { position: committed.position, sequence: copied.sequence, eventTime: copied.eventTime };
        await stream(copied);
        // A stop that came while the reader started found no reader to tell.
        if (this.stopping) this.reader?.requestStop();
        await this.flushing;
      } catch (error) {
        this.fail(error instanceof CdcError ? error : new CdcError("INTERNAL", `the initial full sync failed: ${(error as Error).stack ?? error}`));
      }
    })();
  }

  /** Starts the reader thread at `from` and the loop that commits what it hands over. */
  private async startReader(config: ConnectorConfig, partitions: Map<string, number>, from: Position, sequence: bigint, eventTime: number): Promise<void> {
    const { logger } = this.ctx;
    logger.info("streaming the binlog", { from: from.toString() });
    this.reader = this.prepared ?? new ReaderThread(logger);
    this.prepared = undefined;
    await this.reader.start(
      {
        config,
        password: this.ctx.password,
        // zongji cannot fall back by itself: "preferred" is settled first (the server asked once).
        tls: await settledTls(this.access),
        partitions: [...partitions],
        from: from.toJSON(),
        sequence: sequence.toString(),
        eventTime,
        tuning: this.ctx.tuning,
        blocks: recordBlocksSupported(),
        rowImages: process.env.CDC_ROW_IMAGES !== "0",
      },
      (error) => this.fail(error),
      // A table added while streaming (autoAddTables) gets its topic before its rows are written.
      async (request) => {
        const count = await createAddedTableTopic(this.ctx.kafka, this.access, this.ctx.config.name, request, this.ctx.claimTopics, this.ctx.logger);
        this.partitionWatch?.add(request.topic, count);
        return count;
      },
    );
    this.flushing = this.flushLoop(this.reader);
  }

  /**
   * Commits the reader's batches, one Kafka transaction each, until the reader drains or fails.
   * Between batches it samples the source (idle detection) and writes heartbeats when due.
   */
  private async flushLoop(reader: ReaderThread): Promise<void> {
    const sink = this.sink as KafkaSink;
    const { config, topics, metrics } = this.ctx;
    let pending: Promise<{ item: ReaderItem | undefined }> | undefined;
    for (;;) {
      // Mapped once per item: a tick must not stack another callback on the same promise.
      pending ??= reader.next().then((item) => ({ item }));
      const next = await this.nextOrTick(pending);
      if (this.failure) return;
      if (next === TICK) {
        await this.tick();
        continue;
      }
      pending = undefined;
      const item = next.item;
      if (!item || item.kind === "drained") return;
      const { data, count, bytes, deadLetters, queueBytes } = item.batch;
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
      this.commitsSinceCheck++;
      this.lastCheckpoint = checkpoint;
      metrics.recordCommit(count, bytes, checkpoint.position, checkpoint.eventTime, deadLetters);
      metrics.queueBytes = queueBytes;
    }
  }

  /** The reader's next item, or TICK when a source check or a heartbeat is due first. */
  private async nextOrTick(pending: Promise<{ item: ReaderItem | undefined }>): Promise<{ item: ReaderItem | undefined } | typeof TICK> {
    const wait = Math.max(0, Math.min(this.nextCheckAt, this.nextHeartbeatAt, this.nextPartitionCheckAt) - Date.now());
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([pending, new Promise<typeof TICK>((resolve) => (timer = setTimeout(() => resolve(TICK), wait)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async tick(): Promise<void> {
    const { config, metrics } = this.ctx;
    const now = Date.now();
    if (now >= this.nextCheckAt) {
      this.nextCheckAt = now + this.ctx.tuning.sourceCheckMs;
      const end = await (this.watch as SourceWatch).end();
      // Idle: the source's end did not move over a whole interval, nothing was committed in it and
      // nothing waits in the reader: everything the source has is in Kafka, so the lag is 0.
      const idle = end !== null && this.lastEnd !== null && end.equals(this.lastEnd) && this.commitsSinceCheck === 0 && metrics.queueBytes === 0;
      if (idle) metrics.idleSince ??= now;
      else if (end === null || !this.lastEnd || !end.equals(this.lastEnd)) metrics.idleSince = undefined;
      this.lastEnd = end;
      this.commitsSinceCheck = 0;
    }
    if (now >= this.nextPartitionCheckAt) {
      this.nextPartitionCheckAt = now + this.ctx.tuning.partitionCheckMs;
      await this.checkPartitions();
    }
    if (config.heartbeatSeconds <= 0) this.nextHeartbeatAt = Infinity;
    else if (now >= this.nextHeartbeatAt) {
      this.nextHeartbeatAt = now + config.heartbeatSeconds * 1000;
      await this.writeHeartbeat(now);
    }
  }

  /**
   * Partitions added to a topic while the connector runs (TopicSet raised them): later records
   * are spread over all of them, without a restart. kafkajs drops records for partitions missing
   * from its metadata without a word; the fast path's grouping refuses them instead, which makes
   * kafkajs refresh its metadata and send again (kafkajs-fast-path.ts). Without the fast path the
   * new partitions are used from the next start.
   */
  private async checkPartitions(): Promise<void> {
    const grown = await (this.partitionWatch as PartitionWatch).check();
    if (grown.length === 0) return;
    if (!recordBlocksSupported()) {
      this.ctx.logger.warn("partitions were added to topics this connector writes; they are used from its next start (the kafkajs fast path is off)", { topics: grown.map(([t]) => t) });
      return;
    }
    this.reader?.partitionsGrew(grown);
    (this.partitionWatch as PartitionWatch).accept(grown);
  }

  /** A heartbeat record, in a transaction with the (unchanged) committed offset. */
  private async writeHeartbeat(now: number): Promise<void> {
    const { config, topics, metrics } = this.ctx;
    const checkpoint = this.lastCheckpoint as NonNullable<ConnectorTask["lastCheckpoint"]>;
    const lag = metrics.lagSeconds(now);
    const value = JSON.stringify({
      connector: config.name,
      ts: now,
      position: checkpoint.position.toJSON(),
      sourcePosition: this.lastEnd ? { file: this.lastEnd.file, pos: this.lastEnd.pos } : null,
      lagSeconds: lag === undefined ? null : Math.round(lag * 1000) / 1000,
    });
    const record = { topic: heartbeatTopic(config.topicPrefix), partition: 0, key: config.name, value, bytes: Buffer.byteLength(config.name) + Buffer.byteLength(value) };
    try {
      await (this.sink as KafkaSink).commit([record], offsetWrite(topics.offsets, config.name, checkpoint));
      metrics.heartbeatsTotal++;
    } catch (error) {
      this.fail(classifyKafkaError(error, "writing a heartbeat"));
    }
  }

  private fail(error: CdcError): void {
    if (this.failure || this.stopping) return;
    this.failure = error;
    void this.shutdown().finally(() => this.settle.reject(error));
  }

  private async shutdown(): Promise<void> {
    await this.prepared?.terminate();
    this.prepared = undefined;
    await this.reader?.terminate();
    await this.flushing.catch(() => undefined);
    await this.sink?.disconnect();
    await this.watch?.close();
    await this.partitionWatch?.close();
  }

  /** Stops reading, commits what is complete, and disconnects. */
  async stop(): Promise<void> {
    if (this.stopping || this.failure) {
      await this.done.catch(() => undefined);
      return;
    }
    this.stopping = true;
    await this.prepared?.terminate();
    this.prepared = undefined;
    this.reader?.requestStop();
    await this.flushing.catch(() => undefined);
    await this.reader?.terminate();
    await this.sink?.disconnect();
    await this.watch?.close();
    await this.partitionWatch?.close();
    this.settle.resolve();
  }
}
