/** What the runtime looks up about a table while streaming (auto-added tables). */
import type mysql from "mysql2/promise";
import { T, type RawColumn } from "../format/columns";
import { classifyMysqlError } from "../errors";
import { connectMysql } from "./connection";
import type { SourceAccess } from "./prechecks";

/**
 * Whether the table has a primary key now (information_schema.STATISTICS: TABLE_CONSTRAINTS is
 * empty to a SELECT-only MariaDB account), or undefined when it no longer exists (a backlog
 * replaying a table dropped since).
 */
export async function tableHasPrimaryKey(access: SourceAccess, table: string): Promise<boolean | undefined> {
  const connection = await connectMysql(access, "looking up an added table");
  try {
    const [tables] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
      [access.database, table],
    );
    if (tables.length === 0) return undefined;
    const [keys] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' LIMIT 1",
      [access.database, table],
    );
    return keys.length > 0;
  } catch (error) {
    throw classifyMysqlError(error, `looking up table ${access.database}.${table}`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** The base tables of the source database, each with whether it has a primary key. */
export async function listTables(access: SourceAccess): Promise<{ table: string; hasPrimaryKey: boolean }[]> {
  const connection = await connectMysql(access, "listing tables");
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT t.TABLE_NAME AS name, MAX(s.INDEX_NAME = 'PRIMARY') AS pk
         FROM information_schema.TABLES t
         LEFT JOIN information_schema.STATISTICS s ON s.TABLE_SCHEMA = t.TABLE_SCHEMA AND s.TABLE_NAME = t.TABLE_NAME
        WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE'
        GROUP BY t.TABLE_NAME`,
      [access.database],
    );
    return rows.map((r) => ({ table: String(r.name), hasPrimaryKey: Number(r.pk) === 1 }));
  } catch (error) {
    throw classifyMysqlError(error, `listing the tables of ${access.database}`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** A table's columns as information_schema describes them, in the form the binlog's table map gives. */
export interface DescribedTable {
  columns: RawColumn[];
  /** Indexes (into columns) of the primary-key columns, in key order; empty without one. */
  primaryKey: number[];
}

/** information_schema DATA_TYPE → the MySQL wire type the binlog uses for it. */
const WIRE_TYPES: Record<string, number> = {
  tinyint: T.TINY, smallint: T.SHORT, mediumint: T.INT24, int: T.LONG, integer: T.LONG, bigint: T.LONGLONG,
  decimal: T.NEWDECIMAL, numeric: T.NEWDECIMAL, float: T.FLOAT, double: T.DOUBLE, real: T.DOUBLE,
  date: T.DATE, datetime: T.DATETIME2, timestamp: T.TIMESTAMP2, time: T.TIME2, year: T.YEAR,
  char: T.STRING, binary: T.STRING, varchar: T.VARCHAR, varbinary: T.VARCHAR,
  tinytext: T.BLOB, text: T.BLOB, mediumtext: T.BLOB, longtext: T.BLOB, tinyblob: T.BLOB, blob: T.BLOB, mediumblob: T.BLOB, longblob: T.BLOB,
  enum: T.ENUM, set: T.SET, bit: T.BIT, json: T.JSON,
  geometry: T.GEOMETRY, point: T.GEOMETRY, linestring: T.GEOMETRY, polygon: T.GEOMETRY, multipoint: T.GEOMETRY,
  multilinestring: T.GEOMETRY, multipolygon: T.GEOMETRY, geometrycollection: T.GEOMETRY,
};

/** The table's columns and primary key, or undefined when it does not exist. */
export async function describeTable(connection: mysql.Connection, database: string, table: string): Promise<DescribedTable | undefined> {
  const [columns] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, CHARACTER_SET_NAME AS charset, NUMERIC_PRECISION AS numericPrecision
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  if (columns.length === 0) return undefined;
  const [keys] = await connection.query<mysql.RowDataPacket[]>(
    "SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
    [database, table],
  );
  const raw: RawColumn[] = columns.map((c) => {
    const columnType = String(c.columnType);
    const dataType = String(c.dataType).toLowerCase();
    return {
      name: String(c.name),
      typeCode: WIRE_TYPES[dataType] ?? T.VARCHAR,
      columnType,
      unsigned: /\bunsigned\b/i.test(columnType),
      charset: c.charset === null ? null : String(c.charset),
      metadata: dataType === "bit" ? { bits: Number(c.numericPrecision ?? 1) } : null,
    };
  });
  const names = raw.map((c) => c.name);
  return { columns: raw, primaryKey: keys.map((k) => names.indexOf(String(k.name))).filter((i) => i >= 0) };
}
