/**
 * How each MySQL/MariaDB column type is written: its DataWorks type, its canal sqlType/mysqlType,
 * and the encoders that turn zongji's decoded value into JSON text. The full mapping table, with
 * the reasons, is docs/FORMATS.md; keep the two in step.
 */
import { bitValue, doubleText, float32Text, integerJson, parseTemporal, yearValue } from "./values";

export type DataWorksType = "LONG" | "DOUBLE" | "STRING" | "DATE" | "BYTES" | "BOOLEAN";

/** What zongji's table map gives us for one column (binlog_row_metadata=FULL). */
export interface RawColumn {
  name: string;
  /** MySQL wire type code (zongji lib/common.js MysqlTypes). */
  typeCode: number;
  /** zongji's COLUMN_TYPE text, e.g. "bigint unsigned", "datetime(6)", "varbinary(10)". */
  columnType: string;
  unsigned: boolean;
  /** null for binary columns. */
  charset: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ColumnSpec {
  name: string;
  /** The name as JSON text, computed once: the hot path writes it for every row. */
  jsonName: string;
  /** The type as MySQL spells it (canal's mysqlType). */
  mysqlType: string;
  dataWorksType: DataWorksType;
  /** java.sql.Types code (canal's sqlType). */
  sqlType: number;
  /** JSON text of the value in the DataWorks format (never called with null). */
  json(value: unknown): string;
  /** The source's exact text when json() cannot carry it (sub-ms digits, zero dates), else undefined. */
  exact?(value: unknown): string | undefined;
  /** The value as canal writes it: a string (never called with null). */
  text(value: unknown): string;
}

/** MySQL wire type codes (the subset we distinguish). */
export const T = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, NULL: 6, TIMESTAMP: 7, LONGLONG: 8, INT24: 9,
  DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13, NEWDATE: 14, VARCHAR: 15, BIT: 16, TIMESTAMP2: 17, DATETIME2: 18,
  TIME2: 19, BLOB_COMPRESSED: 140, VARCHAR_COMPRESSED: 141, JSON: 245, NEWDECIMAL: 246, ENUM: 247, SET: 248,
  TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251, BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;

/** java.sql.Types codes used by canal. */
const SQL = {
  BIT: -7, TINYINT: -6, SMALLINT: 5, INTEGER: 4, BIGINT: -5, REAL: 7, DOUBLE: 8, DECIMAL: 3, CHAR: 1, VARCHAR: 12,
  LONGVARCHAR: -1, BINARY: -2, VARBINARY: -3, LONGVARBINARY: -4, DATE: 91, TIME: 92, TIMESTAMP: 93,
} as const;

const asString = (v: unknown): string => (typeof v === "string" ? v : Buffer.isBuffer(v) ? v.toString("utf8") : String(v));
const stringJson = (v: unknown): string => JSON.stringify(asString(v));
const bytesOf = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(asString(v), "utf8"));

function spec(
  raw: RawColumn,
  dataWorksType: DataWorksType,
  sqlType: number,
  json: (v: unknown) => string,
  text: (v: unknown) => string,
  exact?: (v: unknown) => string | undefined,
): ColumnSpec {
  return { name: raw.name, jsonName: JSON.stringify(raw.name), mysqlType: raw.columnType, dataWorksType, sqlType, json, text, exact };
}

/**
 * Date and time columns become DATE (Unix ms). DATETIME and DATE are read at the connector's
 * source offset; TIMESTAMP is UTC on the wire (zongji runs with timezone 'Z'). Values the ms number
 * cannot hold exactly (microseconds, zero dates) also carry their source text in `exact`.
 */
function temporal(raw: RawColumn, sqlType: number, offsetMinutes: number): ColumnSpec {
  const offset = raw.typeCode === T.TIMESTAMP || raw.typeCode === T.TIMESTAMP2 ? 0 : offsetMinutes;
  const cache = new Map<string, ReturnType<typeof parseTemporal>>();
  const parse = (v: unknown) => {
    const s = asString(v);
    let parsed = cache.get(s);
    if (!parsed) {
      parsed = parseTemporal(s, offset);
      if (cache.size > 1024) cache.clear();
      cache.set(s, parsed);
    }
    return parsed;
  };
  return spec(
    raw,
    "DATE",
    sqlType,
    (v) => {
      const { epochMs } = parse(v);
      return epochMs === null ? "null" : String(epochMs);
    },
    asString,
    (v) => {
      const p = parse(v);
      return p.epochMs === null || p.subMillisecond ? asString(v) : undefined;
    },
  );
}

export function columnSpec(raw: RawColumn, offsetMinutes: number): ColumnSpec {
  const binary = raw.charset === null;
  switch (raw.typeCode) {
    case T.TINY:
      return spec(raw, "LONG", SQL.TINYINT, integerJson as (v: unknown) => string, String);
    case T.SHORT:
      return spec(raw, "LONG", SQL.SMALLINT, integerJson as (v: unknown) => string, String);
    case T.INT24:
    case T.LONG:
      return spec(raw, "LONG", SQL.INTEGER, integerJson as (v: unknown) => string, String);
    case T.LONGLONG:
      // BIGINT UNSIGNED may exceed a signed 64-bit long; canal calls it DECIMAL, we keep every digit.
      return spec(raw, "LONG", raw.unsigned ? SQL.DECIMAL : SQL.BIGINT, integerJson as (v: unknown) => string, (v) => integerJson(v as number));
    case T.FLOAT:
      return spec(raw, "DOUBLE", SQL.REAL, (v) => float32Text(v as number), (v) => float32Text(v as number));
    case T.DOUBLE:
      return spec(raw, "DOUBLE", SQL.DOUBLE, (v) => doubleText(v as number), (v) => doubleText(v as number));
    case T.DECIMAL:
    case T.NEWDECIMAL:
      // Exact digits as a string: a JSON number would be read as a double by most consumers.
      return spec(raw, "STRING", SQL.DECIMAL, stringJson, asString);
    case T.YEAR:
      return spec(raw, "LONG", SQL.VARCHAR, (v) => String(yearValue(v as number)), (v) => String(yearValue(v as number)).padStart(4, "0"));
    case T.DATE:
    case T.NEWDATE:
      return temporal(raw, SQL.DATE, offsetMinutes);
    case T.DATETIME:
    case T.DATETIME2:
    case T.TIMESTAMP:
    case T.TIMESTAMP2:
      return temporal(raw, SQL.TIMESTAMP, offsetMinutes);
    case T.TIME:
    case T.TIME2:
      return spec(raw, "STRING", SQL.TIME, stringJson, asString);
    case T.BIT: {
      const bits = Number((raw.metadata as { bits?: number } | null)?.bits ?? 1);
      if (bits === 1) return spec(raw, "BOOLEAN", SQL.BIT, (v) => (bitValue(bytesOf(v)) === 0n ? "false" : "true"), (v) => bitValue(bytesOf(v)).toString());
      return spec(raw, "LONG", SQL.BIT, (v) => bitValue(bytesOf(v)).toString(), (v) => bitValue(bytesOf(v)).toString());
    }
    case T.ENUM:
    case T.SET:
      return spec(raw, "STRING", SQL.VARCHAR, stringJson, asString);
    case T.JSON:
      // MySQL's binary JSON, decoded by zongji to a value; MariaDB's JSON is LONGTEXT (a string).
      return spec(raw, "STRING", SQL.LONGVARCHAR, (v) => JSON.stringify(typeof v === "string" ? v : JSON.stringify(v)), (v) => (typeof v === "string" ? v : JSON.stringify(v)));
    case T.GEOMETRY:
      // zongji decodes geometry into coordinates ({x, y} for a point); written as that JSON.
      return spec(raw, "STRING", SQL.BINARY, (v) => JSON.stringify(JSON.stringify(v)), (v) => JSON.stringify(v));
    case T.VARCHAR:
    case T.VAR_STRING:
    case T.VARCHAR_COMPRESSED:
    case T.STRING:
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
    case T.BLOB_COMPRESSED: {
      const isBlob = raw.typeCode >= T.TINY_BLOB && raw.typeCode <= T.BLOB || raw.typeCode === T.BLOB_COMPRESSED;
      const isChar = raw.typeCode === T.STRING;
      if (binary) {
        // BYTES as base64; canal writes binary as an ISO-8859-1 string (one char per byte).
        return spec(raw, "BYTES", isBlob ? SQL.LONGVARBINARY : isChar ? SQL.BINARY : SQL.VARBINARY, (v) => `"${bytesOf(v).toString("base64")}"`, (v) => bytesOf(v).toString("latin1"));
      }
      return spec(raw, "STRING", isBlob ? SQL.LONGVARCHAR : isChar ? SQL.CHAR : SQL.VARCHAR, stringJson, asString);
    }
    default:
      return spec(raw, "STRING", SQL.VARCHAR, (v) => JSON.stringify(Buffer.isBuffer(v) ? v.toString("base64") : asString(v)), asString);
  }
}
