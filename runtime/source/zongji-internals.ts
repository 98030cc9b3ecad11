/**
 * Everything the runtime relies on inside @vlasky/zongji beyond its documented API, in one place,
 * guarded by the installed version. BinlogSource (the adapter) uses zongji only through this
 * file's hooks and its public events; nothing here falls back silently: a hook point that is
 * missing fails the connector with ZONGJI_UNSUPPORTED, naming it.
 *
 * The internals, as read in zongji 0.9.0's source:
 * - `_warnUnsupportedEvent(EventClass)`: called, before the event is parsed, for an event type
 *   whose rows zongji cannot decode (a compressed transaction, a partial JSON update); zongji
 *   itself emits an untyped Error and skips the rows (hookUnsupportedEvents).
 * - `_fetchTableInfo(event, next)`: the instance method that fetches a new table's metadata,
 *   pausing the binlog connection meanwhile and resuming it after (hookTableFetches).
 * - `BinlogClass.prototype.binlogData(packet, connection)`: the packet handler of the binlog
 *   command class made per instance before 'ready' (hookBinlogData), and `tableMap`,
 *   `useChecksum`, `_currentGtid` on the instance: the row-image fast path.
 * - Value decoding (lib/common.js readMysqlValue, an ES module no one can patch) has three bugs,
 *   repaired here in the values it returns (zongjiRowRepair) or in the codec it decodes with:
 *   - TIME2: a negative value with zero seconds and fraction gains a second without a carry
 *     (`-01:00:00` is `-00:63:64`);
 *   - ENUM: index 0, the '' a non-strict sql_mode or INSERT IGNORE stores, is `undefined`;
 *   - latin1 is decoded by iconv-lite as cp1252, whose 0x81, 0x8D, 0x8F, 0x90 and 0x9D are
 *     undefined (U+FFFD); MySQL's latin1 maps them to U+0081 … U+009D (installMysqlLatin1).
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { CdcError } from "../errors";
import { T, type RawColumn } from "../format/columns";
import type { Row } from "../format/table";

/** The zongji versions whose internals are described above. */
export const ZONGJI_SUPPORTED = /^0\.9\.\d+$/;
/** The iconv-lite versions (zongji's dependency) whose codec table installMysqlLatin1 edits. */
export const ICONV_SUPPORTED = /^0\.7\.\d+$/;

export interface ZongJiTableMapEntry {
  parentSchema: string;
  tableName: string;
  columnSchemas: { COLUMN_NAME: string; COLUMN_TYPE: string; UNSIGNED?: boolean; CHARACTER_SET_NAME: string | null }[];
  columns?: { name: string; charset: string | null; type: number; metadata: Record<string, unknown> | null }[];
}

/** mysql2's packet, as zongji's binlog command receives it: the event starts at buffer[offset] (an OK marker byte). */
export interface MysqlPacket {
  buffer: Buffer;
  offset: number;
  end: number;
}
export type BinlogData = (this: unknown, packet: MysqlPacket, connection: unknown) => unknown;
type FetchTableInfo = (event: unknown, next: (...args: unknown[]) => void) => void;

export interface ZongJiInstance {
  on(event: string, listener: (...args: never[]) => void): void;
  /** zongji's binlog command class, made per instance just before 'ready'. */
  BinlogClass?: { prototype: { binlogData?: BinlogData } };
  tableMap: Record<number, ZongJiTableMapEntry>;
  useChecksum: boolean;
  stopped: boolean;
  _currentGtid?: string;
  _fetchTableInfo?: FetchTableInfo;
  start(options: Record<string, unknown>): void;
  stop(): void;
  connection: { pause(): void; resume(): void } | null;
  gtidSet?: string;
}

function unsupported(what: string): CdcError {
  return new CdcError("ZONGJI_UNSUPPORTED", what);
}

function packageDirOf(entry: string): string {
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return dir;
}

function versionAt(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** The installed zongji's version when this file's internals apply to it; else ZONGJI_UNSUPPORTED. */
export function checkZongjiVersion(version = versionAt(packageDirOf(require.resolve("@vlasky/zongji")))): string {
  if (!ZONGJI_SUPPORTED.test(version)) {
    throw unsupported(`@vlasky/zongji ${version} is installed, but the runtime relies on the internals of 0.9.x (runtime/source/zongji-internals.ts).`);
  }
  return version;
}

/**
 * Calls onStart when zongji starts fetching a table's metadata, and onDone when the fetch is done;
 * onDone must call `resume` (zongji's own continuation: it resumes the connection).
 */
export function hookTableFetches(zongji: ZongJiInstance, onStart: () => void, onDone: (resume: () => void) => void): void {
  const original = zongji._fetchTableInfo;
  if (typeof original !== "function") throw unsupported("zongji has no _fetchTableInfo: the runtime cannot keep its own pause across zongji's table-metadata fetches.");
  zongji._fetchTableInfo = (event, next) => {
    onStart();
    original.call(zongji, event, (...args: unknown[]) => onDone(() => next(...args)));
  };
}

let prepared = false;
/** The version check and the latin1 codec, once per process (thread): both read files. */
export function prepareZongji(): void {
  if (prepared) return;
  checkZongjiVersion();
  installMysqlLatin1();
  prepared = true;
}

/** The server setting that makes each event zongji cannot decode (its event class names them). */
const UNSUPPORTED_EVENTS: Record<string, string> = {
  TransactionPayload: "a compressed transaction (TRANSACTION_PAYLOAD_EVENT): binlog_transaction_compression is ON for the session or server that wrote it. Run SET GLOBAL binlog_transaction_compression = OFF",
  PartialUpdateRows: "a partial JSON update (PARTIAL_UPDATE_ROWS_EVENT): binlog_row_value_options is PARTIAL_JSON for the session or server that wrote it. Run SET GLOBAL binlog_row_value_options = ''",
};

/**
 * Calls onUnsupported with BINLOG_UNSUPPORTED_EVENT when zongji meets an event whose row changes it
 * cannot decode (it would skip them, with an untyped error), before any later event is handled.
 */
export function hookUnsupportedEvents(zongji: ZongJiInstance, onUnsupported: (error: CdcError) => void): void {
  const instance = zongji as ZongJiInstance & { _warnUnsupportedEvent?: (eventClass: { name: string }) => void };
  if (typeof instance._warnUnsupportedEvent !== "function") throw unsupported("zongji has no _warnUnsupportedEvent: row changes it cannot decode would pass unnoticed.");
  instance._warnUnsupportedEvent = (eventClass) => {
    const what = UNSUPPORTED_EVENTS[eventClass.name] ?? `a ${eventClass.name} event, which carries row changes zongji cannot decode`;
    onUnsupported(new CdcError("BINLOG_UNSUPPORTED_EVENT", `the binlog holds ${what}, then restart the connector from a position after it (startPosition) or re-run its initial sync; its rows cannot be read.`));
  };
}

/** Replaces this instance's binlog packet handler with wrap(original) (call it after 'ready'). */
export function hookBinlogData(zongji: ZongJiInstance, wrap: (original: BinlogData) => BinlogData): void {
  const prototype = zongji.BinlogClass?.prototype;
  const original = prototype?.binlogData;
  if (!prototype || typeof original !== "function") throw unsupported("zongji's binlog command has no binlogData: the row-image fast path cannot take the rows events.");
  prototype.binlogData = wrap(original);
}

/** A negative TIME zongji wrote with a second too many and no carry, corrected; any other text as it is. */
export function repairNegativeTime(text: string): string {
  const m = /^-(\d{2,3}):(\d{2}):64(\.0+)?$/.exec(text);
  if (!m) return text;
  let hours = Number(m[1]);
  let minutes = Number(m[2]) + 1;
  if (minutes === 64) {
    minutes = 0;
    hours += 1;
  }
  return `-${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}:00${m[3] ?? ""}`;
}

/** The repair (in place; it returns the row) of zongji's decoded rows of a table with these columns, or undefined when none is needed. */
export function zongjiRowRepair(columns: RawColumn[]): ((row: Row) => Row) | undefined {
  const enums = columns.filter((c) => c.typeCode === T.ENUM).map((c) => c.name);
  const times = columns.filter((c) => c.typeCode === T.TIME2).map((c) => c.name);
  if (enums.length === 0 && times.length === 0) return undefined;
  return (row) => {
    // NULL is null in zongji's rows; only index 0 (the '' member) is undefined.
    for (const name of enums) if (row[name] === undefined) row[name] = "";
    for (const name of times) {
      const value = row[name];
      if (typeof value === "string" && value.charCodeAt(0) === 45) row[name] = repairNegativeTime(value);
    }
    return row;
  };
}

/** MySQL's latin1 bytes 0x80–0x9F where cp1252 has no character: MySQL maps each to the same code point. */
const LATIN1_C1 = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

interface IconvInternals {
  getCodec(name: string): unknown;
  encodings: Record<string, unknown> | null;
  _codecDataCache: Record<string, unknown>;
}

/**
 * Makes the iconv-lite zongji decodes with read "cp1252" (zongji's name for MySQL's latin1) as
 * MySQL does. Only that alias changes; windows-1252 itself stays as it is.
 */
export function installMysqlLatin1(): void {
  const zongjiEntry = require.resolve("@vlasky/zongji");
  const iconvEntry = createRequire(zongjiEntry).resolve("iconv-lite");
  const version = versionAt(packageDirOf(iconvEntry));
  if (!ICONV_SUPPORTED.test(version)) throw unsupported(`iconv-lite ${version} (zongji's) is installed; the latin1 decoding fix is written for 0.7.x.`);
  const iconv = createRequire(zongjiEntry)("iconv-lite") as IconvInternals;
  iconv.getCodec("utf8"); // loads the encodings table
  const windows1252 = iconv.encodings?.windows1252 as { type?: string; chars?: string } | undefined;
  if (!iconv.encodings || windows1252?.type !== "_sbcs" || windows1252.chars?.length !== 128) {
    throw unsupported(`iconv-lite ${version} has no single-byte windows1252 table: latin1 columns cannot be decoded as MySQL does.`);
  }
  const chars = [...windows1252.chars];
  for (const byte of LATIN1_C1) chars[byte - 0x80] = String.fromCharCode(byte);
  iconv.encodings.cp1252 = { type: "_sbcs", chars: chars.join("") };
  delete iconv._codecDataCache.cp1252;
}
