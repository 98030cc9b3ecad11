/**
 * The initial full sync (initialSync): before streaming, every included table is copied, then the
 * binlog is streamed from the position taken before the copy began, so nothing changed during the
 * copy is lost.
 *
 * - Lock-free: plain SELECTs (no FLUSH TABLES WITH READ LOCK: managed accounts lack RELOAD). The
 *   copy is not one consistent snapshot; the binlog replayed from before it makes the result right
 *   (the merge rule, docs/FORMATS.md).
 * - Chunked by primary key (`WHERE (pk) > (last) ORDER BY pk LIMIT n`); each chunk is one Kafka
 *   transaction with the offset record holding the progress (table, last key), so a crash resumes
 *   at the next chunk. A table without a primary key is copied in one pass (one streaming SELECT,
 *   committed in chunks); after a crash that table's pass starts over (its rows already copied
 *   come again: nothing identifies them, and skipping a count could skip unchanged rows).
 * - Throttled by the connector's rows/s and MB/s limits.
 * - Records: the normal format, op INSERT, before null; eventTime = when the row was read;
 *   sequenceIds from the connector's counter, all below those of the changes streamed after.
 */
import { connectMysql } from "../source/connection";
import type { Connection as CoreConnection } from "mysql2";
import mysql from "mysql2/promise";
import type { ConnectorConfig } from "../contract/config";
import type { SnapshotProgress } from "../contract/records";
import { CdcError, classifyMysqlError } from "../errors";
import { offsetMinutes } from "../format/values";
import { buildTableShape, type Row, type TableShape } from "../format/table";
import type { Logger } from "../log";
import type { ConnectorMetrics } from "../metrics";
import type { Position } from "../position";
import type { SourceAccess } from "../source/prechecks";
import { describeTable } from "../source/table-lookup";
import type { KafkaSink, OutRecord } from "../sink/producer";
import { offsetWrite } from "./offsets";
import type { RecordBuilder } from "./record-builder";
import { Throttle } from "./throttle";

export const SNAPSHOT_CHUNK_ROWS = 2_000;

export interface SnapshotContext {
  access: SourceAccess;
  config: ConnectorConfig;
  builder: RecordBuilder;
  sink: KafkaSink;
  offsetsTopic: string;
  logger: Logger;
  metrics: ConnectorMetrics;
  /** True once the connector is asked to stop: the copy ends after the chunk in hand. */
  stopping: () => boolean;
  /** After each chunk committed (the connector makes progress). */
  onCommit?: () => void;
  chunkRows?: number;
}

export interface SnapshotStart {
  /** Where streaming starts after the copy (taken before it began). */
  position: Position;
  sequence: bigint;
  eventTime: number;
  progress: SnapshotProgress;
}

/** The progress of a new full sync of these tables. */
export function newSnapshot(tables: string[]): SnapshotProgress {
  return { tables: [...tables], table: 0, after: null, rows: 0 };
}

/** Key values as stored in the progress (JSON): Buffers keep their bytes. */
function restoreKey(values: unknown[]): unknown[] {
  return values.map((v) => (v && typeof v === "object" && (v as { type?: unknown }).type === "Buffer" ? Buffer.from((v as { data: number[] }).data) : v));
}

function quote(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}

/**
 * Copies what is left of the full sync; returns the sequence and event time to stream on with, or
 * undefined when it stopped before the end (stop requested).
 */
export async function runSnapshot(ctx: SnapshotContext, start: SnapshotStart): Promise<{ sequence: bigint; eventTime: number } | undefined> {
  const { access, config, logger } = ctx;
  const chunkRows = ctx.chunkRows ?? SNAPSHOT_CHUNK_ROWS;
  const throttle = new Throttle({
    rowsPerSecond: config.throttle.rowsPerSecond,
    bytesPerSecond: config.throttle.megabytesPerSecond === undefined ? undefined : config.throttle.megabytesPerSecond * 1024 * 1024,
  });
  let connection: mysql.Connection;
  try {
    // dateStrings and UTC: values come as zongji gives them in the stream (TIMESTAMP in UTC).
    connection = await connectMysql(access, "the initial full sync", { database: access.database, dateStrings: true, supportBigNumbers: true, timezone: "Z" });
    // A keyless table is read by one streaming query, paused while its chunks are committed (or
    // throttled): the server must not give up on a slow reader.
    await connection.query("SET SESSION time_zone = '+00:00', SESSION net_write_timeout = 3600").catch((error: unknown) => {
      connection.destroy();
      throw error;
    });
  } catch (error) {
    throw classifyMysqlError(error, `connecting to ${access.host}:${access.port} for the initial full sync`);
  }
  const progress: SnapshotProgress = { ...start.progress, tables: [...start.progress.tables] };
  let keyless: AsyncGenerator<Row[], void> | undefined;
  let sequence = start.sequence;
  logger.info("initial full sync", { tables: progress.tables, from: progress.tables[progress.table], rowsSoFar: progress.rows });
  try {
    let shape: TableShape | undefined;
    let keyColumns: string[] = [];

    for (;;) {
      if (ctx.stopping()) return undefined;
      if (progress.table >= progress.tables.length) break;
      const table = progress.tables[progress.table];
      if (!shape || shape.table !== table) {
        const described = await describeTable(connection, access.database, table);
        if (!described) {
          logger.warn("initial full sync: the table no longer exists; skipping it", { table });
          progress.table++;
          progress.after = null;
          continue;
        }
        shape = buildTableShape(access.database, table, described.columns, described.primaryKey, offsetMinutes(config.source.timezone));
        keyColumns = described.primaryKey.map((i) => described.columns[i].name);
      }
      let rows: Row[];
      let last: boolean;
      if (keyColumns.length > 0) {
        rows = await readChunk(connection, table, keyColumns, progress.after, chunkRows);
        last = rows.length < chunkRows;
      } else {
        keyless ??= keylessChunks(connection, table, chunkRows);
        const next = await keyless.next();
        rows = next.done ? [] : next.value;
        last = next.done === true || rows.length < chunkRows;
        if (last) keyless = undefined;
      }
      const readAt = Date.now();
      const records: OutRecord[] = [];
      for (const row of rows) {
        sequence += 1n;
        records.push(
          ctx.builder.build(shape, "INSERT", null, row, {
            sequenceId: sequence.toString(),
            eventTime: readAt,
            // A first start has no source transaction behind its position yet: the copy's own time.
            checkpointTime: Number.isFinite(start.eventTime) ? start.eventTime : readAt,
            gtid: null,
            position: () => start.position,
          }),
        );
      }
      if (last) {
        progress.table++;
        progress.after = null;
      } else {
        const lastRow = rows[rows.length - 1];
        // A keyless table has no position to resume at: after a crash its pass starts over.
        progress.after = keyColumns.length > 0 ? keyColumns.map((c) => lastRow[c]) : null;
      }
      progress.rows += rows.length;
      const done = progress.table >= progress.tables.length;
      const checkpoint = { position: start.position, sequence, eventTime: start.eventTime };
      await ctx.sink.commit(records, offsetWrite(ctx.offsetsTopic, config.name, checkpoint, done ? undefined : progress));
      ctx.onCommit?.();
      const bytes = records.reduce((sum, r) => sum + r.bytes, 0);
      ctx.metrics.recordCommit(records.length, bytes, start.position, start.eventTime, records.filter((r) => r.deadLetter).length);
      // The throttle's pause, in steps, so a stop is not kept waiting.
      for (let until = Date.now() + throttle.take(records.length, bytes); Date.now() < until && !ctx.stopping(); ) {
        await new Promise((r) => setTimeout(r, Math.min(200, until - Date.now())));
      }
      if (done) break;
    }
    logger.info("initial full sync done: streaming the binlog from before it", { rows: progress.rows, from: start.position.toString() });
    return { sequence, eventTime: start.eventTime };
  } catch (error) {
    throw error instanceof CdcError ? error : classifyMysqlError(error, `copying ${access.database}.${progress.tables[progress.table]} (initial full sync)`);
  } finally {
    // A keyless pass left open holds the connection mid-result: end() would queue behind it.
    if (keyless) {
      connection.destroy();
      await keyless.return().catch(() => undefined);
    } else {
      await connection.end().catch(() => undefined);
    }
  }
}

/** A keyless table in one pass: one streaming SELECT, cut into chunks. */
async function* keylessChunks(connection: mysql.Connection, table: string, size: number): AsyncGenerator<Row[], void> {
  // The promise wrapper's underlying connection streams rows (mysql2 does not type that field).
  const core = (connection as unknown as { connection: CoreConnection }).connection;
  const stream = core.query(`SELECT * FROM ${quote(table)}`).stream({ highWaterMark: size });
  let chunk: Row[] = [];
  try {
    for await (const row of stream) {
      chunk.push(row as Row);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  } finally {
    stream.destroy();
  }
}

/** The next chunk of a table with a primary key: the rows after `after`, in key order. */
async function readChunk(connection: mysql.Connection, table: string, keyColumns: string[], after: unknown[] | null, limit: number): Promise<Row[]> {
  const from = quote(table);
  const key = keyColumns.map(quote).join(", ");
  const order = `ORDER BY ${key} LIMIT ?`;
  if (!after) {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(`SELECT * FROM ${from} ${order}`, [limit]);
    return rows as Row[];
  }
  const values = restoreKey(after);
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT * FROM ${from} WHERE (${key}) > (${values.map(() => "?").join(", ")}) ${order}`,
    [...values, limit],
  );
  return rows as Row[];
}
