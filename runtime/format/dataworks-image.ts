/**
 * DataWorks messages written straight from binlog row images: the fast path for the default
 * format. zongji still reads the binlog (connection, events, table maps, GTIDs, positions); for a
 * table whose columns all have a reader in row-values.ts, BinlogSource hands the rows event's row
 * images over undecoded, and this writes each row's message and key as bytes, without a JS object
 * per row or a string per value. The bytes are exactly those dataworks.ts and table.ts write from
 * zongji's rows (test/runtime/format/dataworks-image.test.ts compares the two on a real server).
 *
 * Row image layout (binlog_row_image=FULL, every column present): a null bitmap of
 * ceil(columns/8) bytes (bit i set: column i is NULL), then each non-NULL column's value.
 */
import type { RowOp } from "./dataworks";
import { T, type RawColumn } from "./columns";
import type { ByteWriter } from "./byte-writer";
import type { TableShape } from "./table";
import {
  readBinary,
  readBit,
  readDate,
  readDateTime2,
  readDecimal,
  readDouble,
  readFloat,
  readInt24,
  readLong,
  readLongLong,
  readShort,
  readText,
  readTimestamp2,
  readTiny,
  readYear,
  type ValueReader,
} from "./row-values";

const UTF8_CHARSETS = new Set(["utf8", "utf8mb3", "utf8mb4"]);
/** MariaDB types carried as strings with a binary charset that zongji formats itself. */
const SPECIAL_STRINGS = /^(uuid|inet4|inet6|vector|binary)/;

function metadataNumber(column: RawColumn, field: string): number | undefined {
  const value = column.metadata?.[field];
  return typeof value === "number" ? value : undefined;
}

/** The reader of one column's values, or undefined when the column must be decoded by zongji. */
export function valueReader(column: RawColumn, offsetMinutes: number): ValueReader | undefined {
  const unsigned = column.unsigned;
  switch (column.typeCode) {
    case T.TINY:
      return readTiny(unsigned);
    case T.SHORT:
      return readShort(unsigned);
    case T.INT24:
      return readInt24(unsigned);
    case T.LONG:
      return readLong(unsigned);
    case T.LONGLONG:
      return readLongLong(unsigned);
    case T.FLOAT:
      return readFloat;
    case T.DOUBLE:
      return readDouble;
    case T.YEAR:
      return readYear;
    case T.NEWDECIMAL: {
      const precision = metadataNumber(column, "precision");
      const scale = metadataNumber(column, "decimals");
      return precision === undefined || scale === undefined ? undefined : readDecimal(precision, scale);
    }
    case T.DATE:
      return readDate(offsetMinutes);
    case T.DATETIME2: {
      const fsp = metadataNumber(column, "decimals") ?? 0;
      return fsp <= 6 ? readDateTime2(fsp, offsetMinutes) : undefined;
    }
    case T.TIMESTAMP2: {
      const fsp = metadataNumber(column, "decimals") ?? 0;
      return fsp <= 6 ? readTimestamp2(fsp) : undefined;
    }
    case T.BIT: {
      const bits = metadataNumber(column, "bits");
      return bits === undefined ? undefined : readBit(bits);
    }
    case T.VARCHAR:
    case T.STRING: {
      const maxLength = metadataNumber(column, "max_length");
      if (maxLength === undefined || SPECIAL_STRINGS.test(column.columnType)) return undefined;
      const lengthBytes = maxLength > 255 ? 2 : 1;
      if (column.charset === null) return column.columnType.startsWith("varbin") ? readBinary(lengthBytes) : undefined;
      return UTF8_CHARSETS.has(column.charset) ? readText(lengthBytes) : undefined;
    }
    case T.TINY_BLOB:
    case T.BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB: {
      const lengthBytes = metadataNumber(column, "length_size");
      if (lengthBytes === undefined || lengthBytes < 1 || lengthBytes > 4) return undefined;
      if (column.charset === null) return readBinary(lengthBytes);
      return UTF8_CHARSETS.has(column.charset) ? readText(lengthBytes) : undefined;
    }
    default:
      return undefined;
  }
}

const utf8 = (text: string): Buffer => Buffer.from(text, "utf8");
const NULL = utf8("null");
const AFTER = utf8(',"after":');
const SEQUENCE = utf8(',"sequenceId":"');
const DATA_COLUMN = utf8('{"dataColumn":{');
const EXACT = utf8(',"exact":{');
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** What write() produced for the last row, as offsets relative to the record's start in the ByteWriter. */
export interface WrittenRow {
  /** Offset in the row images after this row. */
  next: number;
  valueEnd: number;
  keyStart: number;
  keyEnd: number;
}

export class DataWorksImage {
  private readonly readers: ValueReader[];
  /** `"name":` per column, with the comma before every column but the first. */
  private readonly names: Buffer[];
  private readonly exactNames: Buffer[];
  private readonly keyColumns: number[];
  /** `{"name":` / `,"name":` per key column. */
  private readonly keyNames: Buffer[];
  private readonly keylessKey: Buffer;
  private readonly prefix: Buffer;
  private readonly lastTail: { op: string; eventTime: number; systemTime: number; checkpointTime: number; bytes: Buffer } = { op: "", eventTime: NaN, systemTime: NaN, checkpointTime: NaN, bytes: Buffer.alloc(0) };
  private readonly nullBitmapBytes: number;
  /** Value ranges of the key columns in the image written last with recordKey. */
  private readonly keyRanges: Int32Array;
  private exactCount = 0;
  private readonly exactColumns: number[] = [];
  private readonly exactTexts: string[] = [];
  private readonly onExact = (text: string): void => {
    this.exactColumns[this.exactCount] = this.column;
    this.exactTexts[this.exactCount++] = text;
  };
  private column = 0;
  readonly written: WrittenRow = { next: 0, valueEnd: 0, keyStart: 0, keyEnd: 0 };

  private constructor(shape: TableShape, readers: ValueReader[]) {
    this.readers = readers;
    this.names = shape.columns.map((c, i) => utf8(`${i ? "," : ""}${c.jsonName}:`));
    this.exactNames = shape.columns.map((c) => utf8(`${c.jsonName}:`));
    this.keyColumns = shape.keyColumns;
    this.keyNames = shape.keyColumns.map((k, i) => utf8(`${i ? "," : "{"}${shape.columns[k].jsonName}:`));
    this.keyRanges = new Int32Array(shape.columns.length * 2);
    this.keylessKey = utf8(shape.qualifiedName);
    this.prefix = utf8(`{"schema":${shape.dataWorksSchema},"payload":{"before":`);
    this.nullBitmapBytes = (shape.columns.length + 7) >> 3;
  }

  /** The writer for a table shape, or undefined when one of its columns needs zongji's decoding. */
  static of(shape: TableShape, rawColumns: RawColumn[], offsetMinutes: number): DataWorksImage | undefined {
    if (rawColumns.length !== shape.columns.length || rawColumns.length === 0) return undefined;
    const readers: ValueReader[] = [];
    for (const column of rawColumns) {
      const reader = valueReader(column, offsetMinutes);
      if (!reader) return undefined;
      readers.push(reader);
    }
    return new DataWorksImage(shape, readers);
  }

  /**
   * Writes one row's message (and then its key) as a new record in `out`, reading the row's
   * image(s) at `offset` of `src`; the offsets are left in `written`.
   */
  write(src: Buffer, offset: number, op: RowOp, sequence: bigint, eventTime: number, systemTime: number, checkpointTime: number, out: ByteWriter): void {
    out.begin();
    out.bytes(this.prefix);
    let next = offset;
    if (op === "INSERT") out.bytes(NULL);
    else next = this.image(src, next, out, op === "DELETE");
    out.bytes(AFTER);
    if (op === "DELETE") out.bytes(NULL);
    else next = this.image(src, next, out, true);
    out.bytes(SEQUENCE);
    if (sequence <= MAX_SAFE) out.int(Number(sequence));
    else out.ascii(sequence.toString());
    out.bytes(this.tail(op, eventTime, systemTime, checkpointTime));
    const w = this.written;
    w.next = next;
    w.valueEnd = out.mark();
    w.keyStart = w.valueEnd;
    const keys = this.keyColumns;
    if (keys.length === 0) out.bytes(this.keylessKey);
    else {
      for (let i = 0; i < keys.length; i++) {
        out.bytes(this.keyNames[i]);
        out.repeat(this.keyRanges[keys[i] * 2], this.keyRanges[keys[i] * 2 + 1]);
      }
      out.byte(0x7d);
    }
    w.keyEnd = out.mark();
  }

  /**
   * `","timestamp":{...},"op":"...","ddl":null},"version":"0.0.1"}`: the same for the rows of an
   * event until a time changes, so it is made once for them.
   */
  private tail(op: RowOp, eventTime: number, systemTime: number, checkpointTime: number): Buffer {
    const t = this.lastTail;
    if (t.op === op && t.eventTime === eventTime && t.systemTime === systemTime && t.checkpointTime === checkpointTime) return t.bytes;
    t.op = op;
    t.eventTime = eventTime;
    t.systemTime = systemTime;
    t.checkpointTime = checkpointTime;
    t.bytes = utf8(`","timestamp":{"eventTime":${eventTime},"systemTime":${systemTime},"checkpointTime":${checkpointTime}},"op":"${op}","ddl":null},"version":"0.0.1"}`);
    return t.bytes;
  }

  /** `{"dataColumn":{...}}` (with "exact" when needed) of the image at o; returns the offset after it. */
  private image(src: Buffer, o: number, out: ByteWriter, recordKey: boolean): number {
    const readers = this.readers;
    const nulls = o;
    o += this.nullBitmapBytes;
    this.exactCount = 0;
    out.bytes(DATA_COLUMN);
    for (let i = 0; i < readers.length; i++) {
      out.bytes(this.names[i]);
      const from = out.mark();
      if ((src[nulls + (i >> 3)] >> (i & 7)) & 1) out.bytes(NULL);
      else {
        this.column = i;
        o = readers[i](src, o, out, this.onExact);
      }
      if (recordKey) {
        this.keyRanges[i * 2] = from;
        this.keyRanges[i * 2 + 1] = out.mark();
      }
    }
    out.byte(0x7d);
    if (this.exactCount > 0) {
      out.bytes(EXACT);
      for (let k = 0; k < this.exactCount; k++) {
        if (k) out.byte(0x2c);
        out.bytes(this.exactNames[this.exactColumns[k]]);
        out.ascii(JSON.stringify(this.exactTexts[k]));
      }
      out.byte(0x7d);
    }
    out.byte(0x7d);
    return o;
  }
}
