/**
 * BinlogSource: our adapter around @vlasky/zongji (the only file that touches it). It streams one
 * database's binlog from a Position and hands normalized events to a callback.
 *
 * zongji traps this adapter absorbs (see ../shared/FINDINGS.md):
 * - a throw inside zongji's 'binlog' handler silently stops the stream: the handler here catches
 *   everything and reports it through onError instead;
 * - no reconnect: a dropped connection is reported (SOURCE_CONNECTION_LOST) and the supervisor
 *   stops and restarts the source from the last committed position;
 * - no back-pressure: pause()/resume() pause the binlog connection's socket reads;
 * - dates: dateStrings with timezone 'Z', so DATETIME(6) keeps microseconds and zero dates survive.
 */
import { mysqlTlsOptions, type SourceTls } from "./tls";
import type { Position } from "../position";
import { CdcError, classifyMysqlError } from "../errors";
import type { RawColumn } from "../format/columns";
import { DataWorksImage } from "../format/dataworks-image";
import { buildTableShape, type Row, type TableShape } from "../format/table";
import type { Logger } from "../log";
import type { RowOp } from "../format/dataworks";
import type { SourceEvent } from "./events";
import { MariaDbGtidPosition } from "./mariadb-gtid";
import {
  hookBinlogData,
  hookTableFetches,
  hookUnsupportedEvents,
  prepareZongji,
  zongjiRowRepair,
  type MysqlPacket,
  type ZongJiInstance,
  type ZongJiTableMapEntry,
} from "./zongji-internals";

export interface BinlogSourceOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** TLS to the server ("preferred" already settled). */
  tls?: SourceTls;
  database: string;
  serverId: number;
  /** Minutes east of UTC used to read DATETIME and DATE values. */
  offsetMinutes: number;
  /** The tables streamed; with autoAdd, every table of the database reaches includeTable. */
  tables: string[];
  autoAdd: boolean;
  includeTable: (table: string) => boolean;
  /**
   * Hand the rows of tables whose columns DataWorksImage can read over undecoded (RowsEvent.images)
   * instead of as zongji's decoded rows: the DataWorks format's fast path.
   */
  rowImages: boolean;
  logger: Logger;
}

export interface BinlogHandlers {
  onEvent(event: SourceEvent): void;
  onError(error: CdcError): void;
}

/** The subset of zongji's events this adapter reads. */
interface ZongJiEvent {
  getTypeName(): string;
  timestamp: number;
  nextPosition: number;
  size: number;
  gtid?: string;
  tableId?: number;
  tableMap?: Record<number, ZongJiTableMapEntry>;
  primaryKey?: number[];
  schemaName?: string;
  tableName?: string;
  rows?: (Row | { before: Row; after: Row })[];
  binlogName?: string;
  position?: number;
  query?: string;
  schema?: string;
}
/** Rows event type codes (v1 and v2) and what they do. */
const ROWS_EVENT_OPS: Record<number, RowOp | undefined> = { 0x17: "INSERT", 0x18: "UPDATE", 0x19: "DELETE", 0x1e: "INSERT", 0x1f: "UPDATE", 0x20: "DELETE" };

/** True when the first `columns` bits at buffer[offset] are all set (every column present in the image). */
function allColumns(buffer: Buffer, offset: number, columns: number): boolean {
  for (let i = 0; i < columns >> 3; i++) if (buffer[offset + i] !== 0xff) return false;
  const rest = columns & 7;
  return rest === 0 || (buffer[offset + (columns >> 3)] & ((1 << rest) - 1)) === (1 << rest) - 1;
}

/** Query events written inside a transaction: savepoints and rollbacks to them. */
const IN_TRANSACTION = /^(SAVEPOINT|ROLLBACK\s+(WORK\s+)?TO|RELEASE\s+SAVEPOINT)\b/i;

const INCLUDE_EVENTS = ["rotate", "tablemap", "writerows", "updaterows", "deleterows", "xid", "query", "mariadbgtid", "gtid"];

export class BinlogSource {
  private zongji: ZongJiInstance | undefined;
  private file = "";
  private readonly primaryKeys = new Map<number, number[]>();
  private readonly shapesByEntry = new WeakMap<object, TableShape>();
  private readonly shapesBySignature = new Map<string, TableShape>();
  /** The DataWorks row-image writer of each shape (null: a column needs zongji's decoding). */
  private readonly images = new WeakMap<TableShape, DataWorksImage | null>();
  /** The repair of zongji's decoded values for each shape (undefined: none needed; zongji-internals.ts). */
  private readonly repairs = new WeakMap<TableShape, ((row: Row) => Row) | undefined>();
  private gtid: MariaDbGtidPosition | undefined;
  private stopped = false;
  private paused = false;
  /** zongji table-metadata fetches in progress (it pauses the connection during each). */
  private fetchingTables = 0;

  constructor(private readonly options: BinlogSourceOptions) {}

  /** Starts streaming at `from` (the start of the next transaction); resolves once the server streams. */
  async start(from: Position, handlers: BinlogHandlers): Promise<void> {
    prepareZongji();
    const { default: ZongJi } = await import("@vlasky/zongji");
    const o = this.options;
    this.file = from.file;
    // A MySQL GTID set ('uuid:1-5,…', always with ':') resumes by GTID (COM_BINLOG_DUMP_GTID): the
    // server starts at the first transaction not in it, the start of the one `from` points into,
    // on this server or on another of its replication topology (a switchover). zongji then keeps
    // the executed set. A MariaDB position ('0-1-5') is kept here, and reading starts at file/pos.
    const mysqlGtids = from.gtid?.includes(":") ? from.gtid : undefined;
    this.gtid = mysqlGtids ? undefined : new MariaDbGtidPosition(from.gtid);
    const zongji = new ZongJi({
      host: o.host,
      port: o.port,
      user: o.user,
      password: o.password,
      dateStrings: true,
      timezone: "Z",
      supportBigNumbers: true,
      connectTimeout: 10_000,
      // zongji hands these to mysql2 for its control and binlog connections alike.
      ...mysqlTlsOptions(o.host, o.port, o.tls),
    }) as unknown as ZongJiInstance;
    this.zongji = zongji;
    this.watchTableFetches(zongji);
    hookUnsupportedEvents(zongji, (error) => {
      // Its rows are lost to zongji: nothing after it may be handled (a later commit would move the
      // committed position past it).
      if (this.stopped) return;
      this.stopped = true;
      handlers.onError(error);
    });
    let ready = false;
    await new Promise<void>((resolve, reject) => {
      zongji.on("error", (error: unknown) => {
        const failure = classifyMysqlError(error, `reading the binlog of ${o.host}:${o.port}`);
        if (!ready) reject(failure);
        else if (!this.stopped) handlers.onError(failure);
      });
      zongji.on("ready", () => {
        try {
          if (o.rowImages) this.takeRowImages(zongji, handlers);
        } catch (error) {
          reject(error);
          return;
        }
        ready = true;
        resolve();
      });
      zongji.on("binlog", (event: ZongJiEvent) => {
        // Nothing may escape this handler: zongji would stop streaming without a word.
        try {
          if (!this.stopped) this.handle(event, handlers);
        } catch (error) {
          handlers.onError(error instanceof CdcError ? error : new CdcError("INTERNAL", `handling a binlog event: ${(error as Error).stack ?? error}`));
        }
      });
      zongji.start({
        serverId: o.serverId,
        ...(mysqlGtids ? { gtidSet: mysqlGtids } : { filename: from.file, position: from.pos }),
        includeEvents: INCLUDE_EVENTS,
        includeSchema: { [o.database]: o.autoAdd ? true : o.tables },
      });
    });
  }

  /**
   * zongji pauses the connection to fetch a new table's metadata and resumes it when done, which
   * would undo a pause of ours made meanwhile: count the fetches, and pause again after one if we
   * are paused.
   */
  private watchTableFetches(zongji: ZongJiInstance): void {
    hookTableFetches(
      zongji,
      () => this.fetchingTables++,
      (resume) => {
        this.fetchingTables--;
        resume();
        if (this.paused && !this.stopped) zongji.connection?.pause();
      },
    );
  }

  /**
   * The fast path (rowImages): zongji's binlog command is made per instance, so its packet handler
   * can be wrapped for this instance alone. A rows event of a table DataWorksImage can write is
   * handed on undecoded; zongji then parses the event as one of a table it does not know (it
   * skips the rows), so its own position and GTID bookkeeping runs as for every event.
   */
  private takeRowImages(zongji: ZongJiInstance, handlers: BinlogHandlers): void {
    const unknownTables: Record<number, ZongJiTableMapEntry> = {};
    const handed = (packet: MysqlPacket, connection: unknown): boolean => {
      if (this.stopped || zongji.stopped || zongji.connection !== connection) return false;
      try {
        return this.handRowImages(zongji, packet, handlers);
      } catch (error) {
        // Nothing may escape into zongji (it would stop streaming): the connector fails with the cause.
        handlers.onError(error instanceof CdcError ? error : new CdcError("INTERNAL", `handling a rows event: ${(error as Error).stack ?? error}`));
        return true;
      }
    };
    hookBinlogData(zongji, (original) =>
      function (this: unknown, packet: MysqlPacket, connection: unknown): unknown {
        if (!handed(packet, connection)) return original.call(this, packet, connection);
        const tableMap = zongji.tableMap;
        zongji.tableMap = unknownTables;
        try {
          return original.call(this, packet, connection);
        } finally {
          zongji.tableMap = tableMap;
        }
      },
    );
  }

  /** Hands a rows event on as row images when its table's writer exists and every column is in it; else false. */
  private handRowImages(zongji: ZongJiInstance, packet: MysqlPacket, handlers: BinlogHandlers): boolean {
    const b = packet.buffer;
    const p = packet.offset;
    // OK marker, then the 19-byte event header: timestamp(4) type(1) server id(4) size(4) next position(4) flags(2).
    if (b[p] !== 0 || packet.end - p < 30) return false;
    const type = b[p + 5];
    const op = ROWS_EVENT_OPS[type];
    if (!op) return false;
    let q = p + 20;
    const tableId = b.readUIntLE(q, 6);
    const entry = zongji.tableMap[tableId];
    if (!entry || entry.parentSchema !== this.options.database || !this.options.includeTable(entry.tableName)) return false;
    const shape = this.shapeOf(tableId, entry);
    const writer = this.images.get(shape);
    if (!writer) return false;
    q += 6 + 2; // table id, flags
    if (type >= 0x1e) q += b.readUInt16LE(q); // v2: extra data, its length counting itself
    const columns = b[q++];
    if (columns !== shape.columns.length || columns >= 0xfb) return false;
    const bitmapBytes = (columns + 7) >> 3;
    if (!allColumns(b, q, columns)) return false;
    q += bitmapBytes;
    if (op === "UPDATE") {
      if (!allColumns(b, q, columns)) return false;
      q += bitmapBytes;
    }
    const end = packet.end - (zongji.useChecksum ? 4 : 0);
    if (q >= end) return false;
    // A copy: the reader may hold the event (auto-added tables) past this packet's life.
    const data = Buffer.from(b.subarray(q, end));
    handlers.onEvent({ kind: "rows", op, shape, rows: [], images: { data, writer }, eventTime: b.readUInt32LE(p + 1) * 1000, gtid: zongji._currentGtid ?? null, bytes: end - q });
    return true;
  }

  private handle(event: ZongJiEvent, handlers: BinlogHandlers): void {
    const o = this.options;
    switch (event.getTypeName()) {
      case "Rotate":
        if (event.binlogName) this.file = event.binlogName;
        return;
      case "MariadbGtid":
      case "Gtid":
        handlers.onEvent({ kind: "begin", eventTime: event.timestamp });
        return;
      case "TableMap":
        if (event.tableId !== undefined) this.primaryKeys.set(event.tableId, event.primaryKey ?? []);
        return;
      case "WriteRows":
      case "UpdateRows":
      case "DeleteRows": {
        const entry = event.tableMap?.[event.tableId ?? -1];
        if (!entry || entry.parentSchema !== o.database || !o.includeTable(entry.tableName)) return;
        const shape = this.shapeOf(event.tableId ?? -1, entry);
        const type = event.getTypeName();
        // zongji's value bugs, repaired in place (only for tables with ENUM or TIME2 columns).
        const repair = this.repairs.get(shape) ?? ((row: Row) => row);
        const rows = (event.rows ?? []).map((r) => {
          if (type !== "UpdateRows") return type === "WriteRows" ? { before: null, after: repair(r as Row) } : { before: repair(r as Row), after: null };
          const change = r as { before: Row; after: Row };
          return { before: repair(change.before), after: repair(change.after) };
        });
        handlers.onEvent({ kind: "rows", op: type === "WriteRows" ? "INSERT" : type === "UpdateRows" ? "UPDATE" : "DELETE", shape, rows, eventTime: event.timestamp, gtid: event.gtid ?? null, bytes: event.size });
        return;
      }
      case "Xid":
        this.gtid?.add(event.gtid);
        handlers.onEvent({ kind: "commit", file: this.file, pos: event.nextPosition, gtid: this.currentGtid(), eventTime: event.timestamp });
        return;
      case "Query": {
        const sql = (event.query ?? "").trim();
        const upper = sql.slice(0, 8).toUpperCase();
        if (upper === "BEGIN" || upper.startsWith("XA START")) return;
        // Inside a transaction, not its end: neither a commit point nor a DDL (a checkpoint there
        // would count the unfinished transaction's GTID as done).
        if (IN_TRANSACTION.test(sql)) return;
        this.gtid?.add(event.gtid);
        // ROLLBACK ends a transaction that changed a non-transactional table: what it wrote stands.
        if (upper === "COMMIT" || upper === "ROLLBACK") {
          handlers.onEvent({ kind: "commit", file: this.file, pos: event.nextPosition, gtid: this.currentGtid(), eventTime: event.timestamp });
        } else {
          handlers.onEvent({ kind: "ddl", database: event.schema ?? "", sql, file: this.file, pos: event.nextPosition, gtid: this.currentGtid(), eventTime: event.timestamp });
        }
        return;
      }
      default:
        return;
    }
  }

  private currentGtid(): string | null {
    return this.gtid?.toString() ?? this.zongji?.gtidSet ?? null;
  }

  private shapeOf(tableId: number, entry: ZongJiTableMapEntry): TableShape {
    const cached = this.shapesByEntry.get(entry);
    if (cached) return cached;
    const pk = this.primaryKeys.get(tableId) ?? [];
    const columns: RawColumn[] = (entry.columns ?? []).map((c, i) => ({
      name: c.name,
      typeCode: c.type,
      columnType: entry.columnSchemas[i]?.COLUMN_TYPE ?? "",
      // zongji's rule: the binlog's signedness, else the column type's text.
      unsigned: entry.columnSchemas[i]?.UNSIGNED ?? (entry.columnSchemas[i]?.COLUMN_TYPE ?? "").includes("unsigned"),
      charset: c.charset,
      metadata: c.metadata,
    }));
    const signature = JSON.stringify([entry.parentSchema, entry.tableName, pk, columns]);
    let shape = this.shapesBySignature.get(signature);
    if (!shape) {
      shape = buildTableShape(entry.parentSchema, entry.tableName, columns, pk, this.options.offsetMinutes);
      if (this.options.rowImages) this.images.set(shape, DataWorksImage.of(shape, columns, this.options.offsetMinutes) ?? null);
      this.repairs.set(shape, zongjiRowRepair(columns));
      if (this.shapesBySignature.size > 1000) this.shapesBySignature.clear();
      this.shapesBySignature.set(signature, shape);
    }
    this.shapesByEntry.set(entry, shape);
    return shape;
  }

  /** Stops reading from the socket (back-pressure); events already parsed still arrive. */
  /**
   * Stops reading from the socket (back-pressure); events already parsed still arrive. Always
   * passed on to the connection: zongji pauses and resumes it itself around a table-metadata
   * fetch, so our flag alone cannot tell whether the connection is paused.
   */
  pause(): void {
    this.paused = true;
    this.zongji?.connection?.pause();
  }

  /** Reads on, unless zongji is fetching a table's metadata: it resumes the connection when done. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    // Resuming during the fetch would let rows of that table through before zongji knows its
    // columns, and zongji drops such rows without a word.
    if (this.fetchingTables === 0) this.zongji?.connection?.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const zongji = this.zongji;
    this.zongji = undefined;
    if (!zongji) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      zongji.on("stopped", () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        zongji.stop();
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
