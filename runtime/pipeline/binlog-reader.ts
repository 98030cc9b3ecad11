/**
 * The reading half of a connector, run in its own thread (reader-worker.ts) so that decoding the
 * binlog (zongji) and building the messages use one core while the Kafka half uses the other:
 *
 *   BinlogSource -> RecordBuilder -> CommitBuffer -> record blocks -> (the Kafka thread)
 *
 * Rows of tables DataWorksImage can write arrive as binlog row images and become messages without
 * zongji decoding them (format/dataworks-image.ts); other rows arrive decoded.
 *
 * A batch is the records up to a checkpoint (at most transactionBytes, at least one checkpoint)
 * with that checkpoint. At most two are sent and not yet acknowledged (committed) by the Kafka
 * thread: the next is encoded while the one before commits. The queue bound counts what waits
 * here plus the batches in flight; above it the binlog connection is paused (zongji has no back-pressure of its own). The connector's
 * throttle (rows/s, MB/s) pauses it the same way (throttle.ts).
 */
import { matchesAutoAdd, type ConnectorConfig } from "../contract/config";
import { tableTopic } from "../contract/names";
import { CdcError } from "../errors";
import { offsetMinutes } from "../format/values";
import type { Logger } from "../log";
import { Position, type PositionJson } from "../position";
import { BinlogSource } from "../source/binlog-source";
import type { DdlEvent, RowsEvent, SourceEvent } from "../source/events";
import { ByteWriter } from "../format/byte-writer";
import { parseDdl } from "../format/ddl";
import { CommitBuffer, type Checkpoint } from "./commit-buffer";
import type { TaskTuning } from "./connector-task";
import { buildBlockBatch, type BlockBatch } from "../sink/record-blocks";
import type { OutRecord } from "../sink/producer";
import { packRecords, type RecordFrame } from "./record-frame";
import { RecordBuilder, type ImageRowContext, type RowContext } from "./record-builder";
import type { SourceTls } from "../contract/tls";
import { Throttle } from "./throttle";

/** Everything the reader needs, as plain data (it crosses into the reader thread). */
export interface ReaderStart {
  config: ConnectorConfig;
  /** The decrypted source password (memory only). */
  password: string;
  /** TLS to the source, "preferred" settled, the key decrypted (memory only). */
  tls?: SourceTls;
  /** Partition counts of the tables' topics. */
  partitions: [string, number][];
  from: PositionJson;
  /** The last sequenceId committed, decimal. */
  sequence: string;
  eventTime: number;
  tuning: TaskTuning;
  /**
   * Hand over record blocks (encoded and compressed here, record-blocks.ts) rather than record
   * frames; false when the Kafka side cannot send blocks (kafkajs fast path off).
   */
  blocks: boolean;
  /** Write DataWorks messages straight from binlog row images where the table allows (the fast path; CDC_ROW_IMAGES=0 turns it off). */
  rowImages: boolean;
}

/** A checkpoint as plain data. */
export interface CheckpointJson {
  position: PositionJson;
  sequence: string;
  eventTime: number;
  count: number;
  bytes: number;
}

export interface ReaderBatch {
  /** The records: blocks ready to send, or (ReaderStart.blocks false) plain records. */
  data: { kind: "blocks"; blocks: BlockBatch } | { kind: "frame"; frame: RecordFrame };
  count: number;
  bytes: number;
  /** Dead letters among the records. */
  deadLetters: number;
  checkpoint: CheckpointJson;
  /** Bytes still waiting in the reader after this batch was taken. */
  queueBytes: number;
}

/** An auto-added table whose topic the Kafka side must make sure of (answered by tableAdded / tableRefused). */
export interface AddTableRequest {
  table: string;
  topic: string;
  /** From the CREATE statement: true when it declares a PRIMARY KEY, undefined when it cannot tell (LIKE, AS SELECT). */
  primaryKeyHint: boolean | undefined;
}

export interface ReaderOutput {
  batch(batch: ReaderBatch): void;
  /** A CREATE TABLE matched autoAddTables: create its topic; the reader holds its events until the answer. */
  addTable(request: AddTableRequest): void;
  /** The reader failed; it stops itself. */
  error(error: CdcError): void;
  /** After stop(): every complete checkpoint was sent and acknowledged. */
  drained(): void;
}

/**
 * Batches sent and not yet acknowledged: two, so that the next batch is encoded and compressed
 * here while the Kafka thread commits the one before (the queue bound counts both).
 */
const MAX_IN_FLIGHT = 2;

export function checkpointToJson(c: Checkpoint): CheckpointJson {
  return { position: c.position.toJSON(), sequence: c.sequence.toString(), eventTime: c.eventTime, count: c.count, bytes: c.bytes };
}

export function checkpointFromJson(c: CheckpointJson): Checkpoint {
  return { position: Position.fromJSON(c.position), sequence: BigInt(c.sequence), eventTime: c.eventTime, count: c.count, bytes: c.bytes };
}

export class BinlogReader {
  private readonly source: BinlogSource;
  private readonly buffer: CommitBuffer;
  private readonly builder: RecordBuilder;
  private readonly tuning: TaskTuning;
  /** Bytes of the batch sent and not yet acknowledged (0 when none is in flight). */
  private inFlightBytes = 0;
  /** Bytes of each batch sent and not yet acknowledged, oldest first (at most MAX_IN_FLIGHT). */
  private readonly inFlight: number[] = [];
  /** A batch is being encoded (batches are packed one at a time, so they are sent in order). */
  private packing = false;
  /** The binlog connection is paused: the queue is full, or the throttle asks for a pause. */
  private paused = false;
  private queueFull = false;
  private syncing = false;
  private resync = false;
  private throttledUntil = 0;
  private throttleTimer: NodeJS.Timeout | undefined;
  private readonly throttle: Throttle;
  private readonly included: Set<string>;
  /** Events held while an auto-added table's topic is made (the first is its CREATE). */
  private held: SourceEvent[] | undefined;
  private holdingFor: string | undefined;
  private stopping = false;
  private failed = false;
  private lastSentAt = Date.now();
  private sendScheduled = false;
  private readonly idleTimer: NodeJS.Timeout;
  /** Where messages written from row images live until their batch is encoded. */
  private readonly messageBytes = new ByteWriter();

  constructor(private readonly start: ReaderStart, private readonly output: ReaderOutput, logger: Logger) {
    const { config, tuning } = start;
    this.tuning = tuning;
    this.builder = new RecordBuilder(config, new Map(start.partitions));
    this.buffer = new CommitBuffer(Position.fromJSON(start.from), BigInt(start.sequence), start.eventTime, {
      splitRows: tuning.splitRows,
      // At most half the queue between checkpoints: a full queue then always holds a checkpoint to
      // send, so the paused reader is always resumed.
      splitBytes: Math.min(tuning.splitBytes, Math.floor(tuning.maxQueueBytes / 2)),
    });
    this.throttle = new Throttle({
      rowsPerSecond: config.throttle.rowsPerSecond,
      bytesPerSecond: config.throttle.megabytesPerSecond === undefined ? undefined : config.throttle.megabytesPerSecond * 1024 * 1024,
    });
    const includeTables = new Set(config.source.tables);
    this.included = includeTables;
    this.source = new BinlogSource({
      host: config.source.host,
      port: config.source.port,
      user: config.source.user,
      password: start.password,
      tls: start.tls,
      database: config.source.database,
      serverId: config.source.serverId,
      offsetMinutes: offsetMinutes(config.source.timezone),
      tables: config.source.tables,
      autoAdd: config.source.autoAddTables !== undefined,
      includeTable: (t) => includeTables.has(t),
      rowImages: start.rowImages && config.format === "dataworks",
      logger,
    });
    // Offset-only commits (the position moved without rows) are sent at most every idleCommitMs.
    this.idleTimer = setInterval(() => this.maybeSend(), Math.min(200, tuning.idleCommitMs));
    this.idleTimer.unref();
  }

  /** Resolves once the server streams; rejects with the connection's failure. */
  async run(): Promise<void> {
    await this.source.start(Position.fromJSON(this.start.from), { onEvent: (e) => this.onEvent(e), onError: (e) => this.fail(e) });
  }

  private onEvent(event: SourceEvent): void {
    if (this.stopping || this.failed) return;
    if (this.held) {
      this.held.push(event);
      return;
    }
    if (event.kind === "ddl" && this.autoAddCreate(event)) return;
    const buffer = this.buffer;
    switch (event.kind) {
      case "rows": {
        const { rows, bytes } = event.images ? this.imageRows(event, event.images) : this.decodedRows(event);
        if (this.throttle.limited && rows > 0) this.throttled(this.throttle.take(rows, bytes));
        if (buffer.bytes + this.inFlightBytes > this.tuning.maxQueueBytes) this.queueFull = true;
        this.syncPause();
        this.scheduleSend();
        return;
      }
      case "ddl":
        this.onDdl(event);
        buffer.commit(event.file, event.pos, event.gtid, event.eventTime);
        this.scheduleSend();
        return;
      case "commit":
        buffer.commit(event.file, event.pos, event.gtid, event.eventTime);
        this.scheduleSend();
        return;
      case "begin":
        return;
    }
  }

  private decodedRows(event: RowsEvent): { rows: number; bytes: number } {
    const buffer = this.buffer;
    let rows = 0;
    let bytes = 0;
    for (const row of event.rows) {
      const sequence = buffer.nextRow();
      if (sequence === undefined) continue;
      const record = this.builder.build(event.shape, event.op, row.before, row.after, this.rowContext(event, sequence));
      buffer.push(record, event.eventTime);
      rows++;
      bytes += record.bytes;
    }
    return { rows, bytes };
  }

  /** Rows handed over as row images: each message is written from the bytes (DataWorksImage). */
  private imageRows(event: RowsEvent, images: NonNullable<RowsEvent["images"]>): { rows: number; bytes: number } {
    const buffer = this.buffer;
    const { data, writer } = images;
    const out = this.messageBytes;
    let rows = 0;
    let bytes = 0;
    let offset = 0;
    const context: ImageRowContext = { eventTime: event.eventTime, checkpointTime: 0, gtid: event.gtid, position: () => buffer.rowPosition() };
    while (offset < data.length) {
      const sequence = buffer.nextRow();
      if (sequence === undefined) {
        // Emitted before a restart: read past it.
        writer.write(data, offset, event.op, 0n, 0, 0, 0, out);
        out.rollback();
        offset = writer.written.next;
        continue;
      }
      context.checkpointTime = buffer.checkpointTimeFor(event.eventTime);
      const record = this.builder.buildFromImage(event.shape, writer, data, offset, event.op, sequence, context, out);
      offset = writer.written.next;
      buffer.push(record, event.eventTime);
      rows++;
      bytes += record.bytes;
    }
    return { rows, bytes };
  }

  private rowContext(event: RowsEvent, sequence: bigint): RowContext {
    const buffer = this.buffer;
    return {
      sequenceId: sequence.toString(),
      eventTime: event.eventTime,
      checkpointTime: buffer.checkpointTimeFor(event.eventTime),
      gtid: event.gtid,
      position: () => buffer.rowPosition(),
    };
  }

  /**
   * A CREATE TABLE of the connector's database whose name matches autoAddTables, not yet included:
   * the binlog is paused and the events after it are held until the Kafka side has made the
   * table's topic (6 partitions with a primary key, 1 without); then the table is streamed from
   * this statement on, its CREATE message first.
   */
  private autoAddCreate(event: DdlEvent): boolean {
    const { source, topicPrefix } = this.start.config;
    if (source.autoAddTables === undefined) return false;
    const parsed = parseDdl(event.sql, event.database);
    const ref = parsed?.op === "CREATE" ? parsed.tables[0] : undefined;
    if (!ref || ref.database !== source.database || this.included.has(ref.table) || !matchesAutoAdd(source.autoAddTables, ref.table)) return false;
    this.held = [event];
    this.holdingFor = ref.table;
    this.syncPause();
    const definesColumns = /^\s*(?:\/\*.*?\*\/\s*)*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+[^(]*\(/is.test(event.sql) && !/\bLIKE\b/i.test(event.sql.slice(0, 200));
    const primaryKeyHint = /\bPRIMARY\s+KEY\b/i.test(event.sql) ? true : definesColumns ? false : undefined;
    this.output.addTable({ table: ref.table, topic: tableTopic(topicPrefix, ref.table), primaryKeyHint });
    return true;
  }

  /** Topics whose partitions were raised: the records built from now on use them all. */
  partitionsGrew(counts: [string, number][]): void {
    this.builder.partitionsGrew(counts);
  }

  /** The Kafka side made the auto-added table's topic: include the table and replay the held events. */
  tableAdded(table: string, topic: string, partitions: number): void {
    if (this.holdingFor !== table || !this.held) return;
    this.builder.addTopic(topic, partitions);
    this.included.add(table);
    const held = this.held;
    this.held = undefined;
    this.holdingFor = undefined;
    for (const event of held) this.onEvent(event);
    this.syncPause();
  }

  /**
   * A DDL statement on included tables becomes one message per table (a RENAME also when it
   * renames a table into an included name), numbered like rows, before the statement's checkpoint.
   */
  private onDdl(event: DdlEvent): void {
    const parsed = parseDdl(event.sql, event.database);
    if (!parsed) return;
    const { database } = this.start.config.source;
    const names = parsed.tables.map((t, i) => [t, parsed.renamedTo?.[i]] as const);
    for (const [ref, renamed] of names) {
      const target = ref.database === database && this.included.has(ref.table) ? ref : renamed && renamed.database === database && this.included.has(renamed.table) ? renamed : undefined;
      if (!target) continue;
      const sequence = this.buffer.nextRow();
      if (sequence === undefined) continue;
      const record = this.builder.buildDdl(target.database, target.table, parsed.op, event.sql, {
        sequenceId: sequence.toString(),
        eventTime: event.eventTime,
        checkpointTime: this.buffer.checkpointTimeFor(event.eventTime),
        gtid: event.gtid,
        position: () => this.buffer.rowPosition(),
      });
      this.buffer.push(record, event.eventTime);
    }
  }

  /** Sends after the events already parsed are handled, so a batch holds all that is ready. */
  private scheduleSend(): void {
    if (this.sendScheduled || this.packing || this.inFlight.length >= MAX_IN_FLIGHT) return;
    this.sendScheduled = true;
    setImmediate(() => {
      this.sendScheduled = false;
      this.maybeSend();
    });
  }

  private maybeSend(): void {
    if (this.packing || this.inFlight.length >= MAX_IN_FLIGHT || this.failed) return;
    const buffer = this.buffer;
    const ready =
      buffer.hasCheckpoint && (buffer.flushableRecords > 0 || this.stopping || Date.now() - this.lastSentAt >= this.tuning.idleCommitMs);
    if (!ready) {
      if (this.stopping && !buffer.hasCheckpoint && this.inFlight.length === 0) {
        clearInterval(this.idleTimer);
        this.output.drained();
      }
      return;
    }
    const taken = buffer.take(this.tuning.transactionBytes);
    if (!taken) return;
    this.packing = true;
    this.inFlight.push(taken.checkpoint.bytes);
    this.inFlightBytes += taken.checkpoint.bytes;
    this.lastSentAt = Date.now();
    void this.pack(taken.records).then(
      (data) => {
        this.packing = false;
        if (this.failed) return;
        const { count, bytes } = taken.checkpoint;
        let deadLetters = 0;
        for (const record of taken.records) if (record.deadLetter) deadLetters++;
        this.output.batch({ data, count, bytes, deadLetters, checkpoint: checkpointToJson(taken.checkpoint), queueBytes: buffer.bytes });
        // Encode the next batch while Kafka commits this one.
        this.maybeSend();
      },
      (error) =>
        this.fail(error instanceof CdcError ? error : new CdcError("INTERNAL", `packing records for Kafka: ${(error as Error).stack ?? error}`)),
    );
  }

  private async pack(records: OutRecord[]): Promise<ReaderBatch["data"]> {
    if (!this.start.blocks) return { kind: "frame", frame: packRecords(records) };
    return { kind: "blocks", blocks: await buildBlockBatch(records, this.start.config.compression) };
  }

  /** The Kafka thread committed the oldest batch in flight. */
  acknowledge(): void {
    this.inFlightBytes -= this.inFlight.shift() ?? 0;
    // Resume as soon as a transaction's worth of room is free, so reading and writing overlap. The
    // room asked for is at most half the queue: the tail after the last checkpoint (up to half the
    // queue, splitBytes) cannot be sent, and a larger ask would never be met (a silent hang).
    const room = Math.min(this.tuning.transactionBytes, this.tuning.maxQueueBytes / 2);
    if (this.queueFull && this.buffer.bytes <= this.tuning.maxQueueBytes - room) this.queueFull = false;
    this.syncPause();
    this.maybeSend();
  }

  /** The throttle asks for a pause of `ms`: reading resumes when it ends (unless the queue is full). */
  private throttled(ms: number): void {
    if (ms > 0) this.throttledUntil = Math.max(this.throttledUntil, Date.now() + ms);
  }

  /**
   * Pauses or resumes the binlog connection to match the queue, the throttle and a held table add.
   * Re-entrant: resuming replays the packets mysql2 buffered while paused, synchronously, so events
   * (and calls back here) happen inside source.resume(). The flag is set before the call, and a
   * nested call only asks for another pass, made once the outer call returns.
   */
  private syncPause(): void {
    if (this.syncing) {
      // Inside source.resume(): a pause must act now (mysql2 checks after every replayed packet,
      // and an event let through here could be dropped); anything else waits for the outer pass.
      if (!this.paused && this.shouldPause()) {
        this.paused = true;
        this.source.pause();
      }
      this.resync = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.resync = false;
        if (this.stopping || this.failed) return;
        const throttleLeft = this.throttledUntil - Date.now();
        if (throttleLeft > 0 && !this.throttleTimer) {
          // Timers may fire a millisecond early: syncPause re-arms until the pause is really over.
          this.throttleTimer = setTimeout(() => {
            this.throttleTimer = undefined;
            this.syncPause();
          }, throttleLeft + 1);
        }
        const pause = this.shouldPause();
        if (pause === this.paused) continue;
        this.paused = pause;
        if (pause) this.source.pause();
        else this.source.resume();
      } while (this.resync);
    } finally {
      this.syncing = false;
    }
  }

  private shouldPause(): boolean {
    return this.queueFull || this.throttledUntil > Date.now() || this.held !== undefined;
  }

  /** Stops reading; the complete checkpoints left are still sent, then output.drained(). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.throttleTimer);
    await this.source.stop().catch(() => undefined);
    this.maybeSend();
  }

  private fail(error: CdcError): void {
    if (this.failed || this.stopping) return;
    this.failed = true;
    clearInterval(this.idleTimer);
    clearTimeout(this.throttleTimer);
    void this.source.stop().catch(() => undefined);
    this.output.error(error);
  }
}
