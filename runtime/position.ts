/**
 * A binlog position: where a connector resumes. Immutable value object.
 *
 * Serialized form (JSON; the `position` field of an offset record, see contract/records.ts):
 *
 *   { "file": "binlog.000003", "pos": 4567, "gtid": "0-1-42", "skipRows": 0 }
 *
 * - file, pos: the binlog file and the byte offset just after the last fully emitted transaction's
 *   commit event (Xid, or COMMIT/DDL query). Reading restarts there, at the next transaction's start.
 * - gtid: the server's GTID position at that commit, where the server has one (MariaDB
 *   'domain-server-seq[,...]', MySQL's executed set 'uuid:1-N[,...]'), else null. On MySQL a set
 *   is where reading resumes (COM_BINLOG_DUMP_GTID: the server starts at the first transaction not
 *   in it, on this server or, after a switchover, on another of its topology, whose file names
 *   and offsets differ); file and pos then say where that was on the server that wrote them. On
 *   MariaDB reading resumes at file and pos, and the GTID is informational.
 * - skipRows: rows of the transaction starting at file:pos that were already emitted. A huge
 *   transaction is split over several Kafka transactions; on resume its first skipRows rows are
 *   read again and skipped. 0 when the last emitted row ended a transaction.
 */
export interface PositionJson {
  file: string;
  pos: number;
  gtid: string | null;
  skipRows: number;
}

export class Position {
  private constructor(
    readonly file: string,
    readonly pos: number,
    readonly gtid: string | null,
    readonly skipRows: number,
  ) {}

  static of(file: string, pos: number, gtid: string | null = null, skipRows = 0): Position {
    if (!file || /[\s/]/.test(file)) throw new TypeError(`binlog file name ${JSON.stringify(file)} is not a file name`);
    if (!Number.isSafeInteger(pos) || pos < 4) throw new TypeError(`binlog position ${pos} is not a position (>= 4)`);
    if (!Number.isSafeInteger(skipRows) || skipRows < 0) throw new TypeError(`skipRows ${skipRows} is not a count`);
    return new Position(file, pos, gtid && gtid.length > 0 ? gtid : null, skipRows);
  }

  static fromJSON(value: unknown): Position {
    const v = value as Partial<PositionJson> | null;
    if (!v || typeof v !== "object" || typeof v.file !== "string" || typeof v.pos !== "number") {
      throw new TypeError(`not a serialized position: ${JSON.stringify(value)}`);
    }
    return Position.of(v.file, v.pos, typeof v.gtid === "string" ? v.gtid : null, v.skipRows ?? 0);
  }

  static parse(text: string): Position {
    return Position.fromJSON(JSON.parse(text));
  }

  toJSON(): PositionJson {
    return { file: this.file, pos: this.pos, gtid: this.gtid, skipRows: this.skipRows };
  }

  toString(): string {
    return `${this.file}:${this.pos}${this.skipRows ? `+${this.skipRows} rows` : ""}${this.gtid ? ` (gtid ${this.gtid})` : ""}`;
  }

  /** The position after the transaction that ends at file:pos (skip counter reset). */
  committedAt(file: string, pos: number, gtid: string | null): Position {
    return Position.of(file, pos, gtid ?? this.gtid, 0);
  }

  /** The same transaction start, with `rows` of it emitted. */
  withSkipRows(rows: number): Position {
    return Position.of(this.file, this.pos, this.gtid, rows);
  }

  equals(other: Position): boolean {
    return this.file === other.file && this.pos === other.pos && this.gtid === other.gtid && this.skipRows === other.skipRows;
  }

  /** Orders positions by file sequence number, then byte offset, then rows emitted. */
  compare(other: Position): number {
    return (
      compareBinlogFiles(this.file, other.file) || Math.sign(this.pos - other.pos) || Math.sign(this.skipRows - other.skipRows)
    );
  }
}

/** Binlog files are <basename>.<sequence>; later files have larger sequence numbers. */
export function compareBinlogFiles(a: string, b: string): number {
  const sa = binlogSequence(a);
  const sb = binlogSequence(b);
  if (sa !== undefined && sb !== undefined && sa !== sb) return Math.sign(sa - sb);
  return a < b ? -1 : a > b ? 1 : 0;
}

function binlogSequence(file: string): number | undefined {
  const match = /\.(\d+)$/.exec(file);
  return match ? Number(match[1]) : undefined;
}
