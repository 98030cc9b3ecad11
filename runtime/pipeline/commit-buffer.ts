/**
 * The bounded buffer between the binlog reader and Kafka, and the bookkeeping that makes delivery
 * exactly-once: records wait here until a checkpoint follows them, and are then taken together with
 * that checkpoint's offset, to be written in one Kafka transaction.
 *
 * Checkpoints:
 * - at every transaction commit (Xid/COMMIT) and DDL: position = just after it, skipRows 0;
 * - inside a huge transaction, every splitRows rows or splitBytes bytes: position = the
 *   transaction's start with skipRows = rows already emitted, so memory stays bounded and a resume
 *   re-reads the transaction and skips those rows.
 *
 * sequenceIds: one counter per connector, carried in the offset record; each emitted row takes the
 * next value, so ids are strictly increasing and a replayed row gets the id it had before.
 */
import { Position } from "../position";
import type { OutRecord } from "../sink/producer";

export interface Checkpoint {
  position: Position;
  /** The last sequenceId emitted up to this checkpoint. */
  sequence: bigint;
  /** Event time (ms) of the change that completed this checkpoint. */
  eventTime: number;
  /** How many pending records it covers (records[0..count)). */
  count: number;
  bytes: number;
}

export interface Flushable {
  records: OutRecord[];
  checkpoint: Checkpoint;
}

export interface CommitBufferOptions {
  splitRows: number;
  splitBytes: number;
}

export class CommitBuffer {
  private records: OutRecord[] = [];
  private pendingBytes = 0;
  /** Checkpoints not yet taken, oldest first; count/bytes are relative to records[0]. */
  private checkpoints: Checkpoint[] = [];
  private txnStart: Position;
  private txnRows = 0;
  private skipRows: number;
  private sequence: bigint;
  private rowsSinceCheckpoint = 0;
  private bytesSinceCheckpoint = 0;
  /**
   * Event time of the last checkpoint reached: the message field checkpointTime. NaN until the
   * first one when a connector starts for the first time (no source transaction is behind its
   * start position yet): see checkpointTimeFor.
   */
  private checkpointTime: number;

  constructor(from: Position, sequence: bigint, eventTime: number, private readonly options: CommitBufferOptions) {
    this.txnStart = from.withSkipRows(0);
    this.skipRows = from.skipRows;
    this.sequence = sequence;
    this.checkpointTime = eventTime;
  }

  /**
   * The checkpointTime of a record of a change at eventTime: the last checkpoint's event time, or,
   * before a first start's first checkpoint, the event time of the first source transaction read
   * (a source time, never the runtime's clock).
   */
  checkpointTimeFor(eventTime: number): number {
    if (this.checkpointTime !== this.checkpointTime) this.checkpointTime = eventTime;
    return this.checkpointTime;
  }

  /** Bytes of records not yet taken (the queue's size). */
  get bytes(): number {
    return this.pendingBytes;
  }

  get pendingRecords(): number {
    return this.records.length;
  }

  /**
   * Called once per row of an included table, in binlog order. Returns the sequenceId to give the
   * row, or undefined when the row was already emitted before a restart and must be skipped.
   */
  nextRow(): bigint | undefined {
    const index = this.txnRows++;
    if (index < this.skipRows) return undefined;
    this.sequence += 1n;
    return this.sequence;
  }

  /** Where the row nextRow() numbered last is: its transaction's start, skipRows = its index there. */
  rowPosition(): Position {
    return this.txnStart.withSkipRows(Math.max(0, this.txnRows - 1));
  }

  /** Adds the record built for the row nextRow() numbered; may place a split checkpoint after it. */
  push(record: OutRecord, eventTime: number): void {
    this.records.push(record);
    this.pendingBytes += record.bytes;
    this.rowsSinceCheckpoint++;
    this.bytesSinceCheckpoint += record.bytes;
    if (this.rowsSinceCheckpoint >= this.options.splitRows || this.bytesSinceCheckpoint >= this.options.splitBytes) {
      this.mark(this.txnStart.withSkipRows(this.txnRows), eventTime);
    }
  }

  /** A transaction commit or a DDL ends at file:pos. */
  commit(file: string, pos: number, gtid: string | null, eventTime: number): void {
    this.txnStart = this.txnStart.committedAt(file, pos, gtid);
    this.txnRows = 0;
    this.skipRows = 0;
    this.mark(this.txnStart, eventTime);
  }

  private mark(position: Position, eventTime: number): void {
    const checkpoint = { position, sequence: this.sequence, eventTime, count: this.records.length, bytes: this.pendingBytes };
    const last = this.checkpoints[this.checkpoints.length - 1];
    // Consecutive checkpoints with no record between them: only the later position matters.
    if (last && last.count === checkpoint.count) this.checkpoints[this.checkpoints.length - 1] = checkpoint;
    else this.checkpoints.push(checkpoint);
    this.rowsSinceCheckpoint = 0;
    this.bytesSinceCheckpoint = 0;
    this.checkpointTime = eventTime;
  }

  /** True when a checkpoint is waiting to be written (with or without records). */
  get hasCheckpoint(): boolean {
    return this.checkpoints.length > 0;
  }

  /** Records covered by the waiting checkpoints. */
  get flushableRecords(): number {
    return this.checkpoints[this.checkpoints.length - 1]?.count ?? 0;
  }

  get flushableBytes(): number {
    return this.checkpoints[this.checkpoints.length - 1]?.bytes ?? 0;
  }

  /**
   * Takes the records up to the latest checkpoint that keeps the batch within maxBytes (at least
   * the first checkpoint, however large), with that checkpoint. Bounded batches keep Kafka
   * transactions short while the reader races ahead through a backlog.
   */
  take(maxBytes = Infinity): Flushable | undefined {
    if (this.checkpoints.length === 0) return undefined;
    let index = 0;
    while (index + 1 < this.checkpoints.length && this.checkpoints[index + 1].bytes <= maxBytes) index++;
    const checkpoint = this.checkpoints[index];
    this.checkpoints = this.checkpoints.slice(index + 1).map((c) => ({ ...c, count: c.count - checkpoint.count, bytes: c.bytes - checkpoint.bytes }));
    const records = this.records.slice(0, checkpoint.count);
    this.records = this.records.slice(checkpoint.count);
    this.pendingBytes -= checkpoint.bytes;
    return { records, checkpoint };
  }
}
