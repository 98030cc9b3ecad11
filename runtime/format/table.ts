/**
 * A table's shape as the binlog describes it at one point in time (each TABLE_MAP event carries
 * the columns in force when the row was written, so ALTER TABLE never mislabels a backlog), with
 * the pieces of message text that only depend on the shape, computed once.
 */
import { columnSpec, type ColumnSpec, type RawColumn } from "./columns";

export interface TableShape {
  database: string;
  table: string;
  columns: ColumnSpec[];
  /** Primary-key column names, in key order; empty when the table has none. */
  primaryKey: string[];
  /** Indexes (into columns) of the primary-key columns, in column order: the message key's order. */
  keyColumns: number[];
  /** `{"dataColumn":[...],"primaryKey":[...],"source":{...}}`: the DataWorks schema object. */
  dataWorksSchema: string;
  /** canal's per-table constant fields. */
  canal: { database: string; table: string; pkNames: string; sqlType: string; mysqlType: string };
  /** `<db>.<table>`: the key of every row of a table without a primary key. */
  qualifiedName: string;
}

export function buildTableShape(
  database: string,
  table: string,
  rawColumns: RawColumn[],
  primaryKeyIndexes: number[],
  offsetMinutes: number,
): TableShape {
  const columns = rawColumns.map((c) => columnSpec(c, offsetMinutes));
  const primaryKey = primaryKeyIndexes.map((i) => columns[i].name);
  const dataColumn = columns.map((c) => ({ name: c.name, type: c.dataWorksType }));
  const dataWorksSchema = JSON.stringify({ dataColumn, primaryKey, source: { dbType: "MySQL", dbName: database, tableName: table } });
  const sqlType: Record<string, number> = {};
  const mysqlType: Record<string, string> = {};
  for (const c of columns) {
    sqlType[c.name] = c.sqlType;
    mysqlType[c.name] = c.mysqlType;
  }
  return {
    database,
    table,
    columns,
    primaryKey,
    keyColumns: [...primaryKeyIndexes].sort((a, b) => a - b),
    dataWorksSchema,
    canal: {
      database: JSON.stringify(database),
      table: JSON.stringify(table),
      pkNames: JSON.stringify(primaryKey),
      sqlType: JSON.stringify(sqlType),
      mysqlType: JSON.stringify(mysqlType),
    },
    qualifiedName: `${database}.${table}`,
  };
}

export type Row = Record<string, unknown>;

/**
 * The message key: the primary-key values as a JSON object in column order, e.g. {"id":7}; for a
 * table without a primary key, `<db>.<table>` (so all its changes share one partition, in order).
 */
export function messageKey(shape: TableShape, row: Row): string {
  if (shape.keyColumns.length === 0) return shape.qualifiedName;
  let out = "{";
  for (let i = 0; i < shape.keyColumns.length; i++) {
    const column = shape.columns[shape.keyColumns[i]];
    const value = row[column.name];
    out += `${i ? "," : ""}${column.jsonName}:${value === null || value === undefined ? "null" : column.json(value)}`;
  }
  return out + "}";
}
