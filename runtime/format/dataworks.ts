/**
 * The DataWorks JSON format (the default), laid out exactly as the vendor's example (seed 000):
 *
 * {"schema":{"dataColumn":[{"name","type"}...],"primaryKey":[...],"source":{"dbType":"MySQL","dbName","tableName"}},
 *  "payload":{"before":{"dataColumn":{...}}|null,"after":{"dataColumn":{...}}|null,"sequenceId":"...",
 *             "timestamp":{"eventTime","systemTime","checkpointTime"},"op":"INSERT|UPDATE|DELETE","ddl":null},
 *  "version":"0.0.1"}
 *
 * An image also carries "exact":{column: text} when a value's typed form cannot hold the source
 * value exactly (DATETIME/TIMESTAMP microseconds, zero dates); see docs/FORMATS.md.
 */
import type { Row, TableShape } from "./table";

export type RowOp = "INSERT" | "UPDATE" | "DELETE";

export interface RecordMeta {
  /** Strictly increasing per connector, stable across restarts (decimal text). */
  sequenceId: string;
  /** Binlog event time, ms. */
  eventTime: number;
  /** When the message was produced, ms. */
  systemTime: number;
  /** Event time (ms) of the transaction the connector resumes from if it restarts now. */
  checkpointTime: number;
}

function image(shape: TableShape, row: Row | null): string {
  if (row === null) return "null";
  let data = "";
  let exact = "";
  const columns = shape.columns;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    const value = row[column.name];
    const name = column.jsonName;
    if (value === null || value === undefined) {
      data += `${i ? "," : ""}${name}:null`;
      continue;
    }
    data += `${i ? "," : ""}${name}:${column.json(value)}`;
    if (column.exact) {
      const text = column.exact(value);
      if (text !== undefined) exact += `${exact ? "," : ""}${name}:${JSON.stringify(text)}`;
    }
  }
  return exact ? `{"dataColumn":{${data}},"exact":{${exact}}}` : `{"dataColumn":{${data}}}`;
}

export function dataWorksMessage(shape: TableShape, op: RowOp, before: Row | null, after: Row | null, meta: RecordMeta): string {
  return (
    `{"schema":${shape.dataWorksSchema},"payload":{"before":${image(shape, before)},"after":${image(shape, after)},` +
    `"sequenceId":"${meta.sequenceId}","timestamp":{"eventTime":${meta.eventTime},"systemTime":${meta.systemTime},` +
    `"checkpointTime":${meta.checkpointTime}},"op":"${op}","ddl":null},"version":"0.0.1"}`
  );
}
