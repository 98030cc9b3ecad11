/**
 * Canal JSON (canal's FlatMessage), one row change per message:
 *
 * {"id":<sequence>,"database","table","pkNames":[...],"isDdl":false,"type":"INSERT|UPDATE|DELETE",
 *  "es":<binlog event ms>,"ts":<produced ms>,"sql":"","sqlType":{col:java.sql.Types},"mysqlType":{col:type},
 *  "data":[{col:"text"|null}],"old":[{changed col:previous text}]|null,"gtid":"..."}
 *
 * Values are strings (or null), as canal writes them; DELETE carries the deleted row in data;
 * old (UPDATE only) holds the previous values of the columns that changed.
 */
import type { RowOp } from "./dataworks";
import type { Row, TableShape } from "./table";

export interface CanalMeta {
  sequenceId: string;
  eventTime: number;
  systemTime: number;
  gtid: string | null;
}

function rowText(shape: TableShape, row: Row): string {
  let out = "{";
  const columns = shape.columns;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    const value = row[column.name];
    out += `${i ? "," : ""}${column.jsonName}:${value === null || value === undefined ? "null" : JSON.stringify(column.text(value))}`;
  }
  return out + "}";
}

function changedText(shape: TableShape, before: Row, after: Row): string {
  let out = "{";
  let first = true;
  for (const column of shape.columns) {
    const b = before[column.name];
    const a = after[column.name];
    const bText = b === null || b === undefined ? null : column.text(b);
    const aText = a === null || a === undefined ? null : column.text(a);
    if (bText === aText) continue;
    out += `${first ? "" : ","}${column.jsonName}:${bText === null ? "null" : JSON.stringify(bText)}`;
    first = false;
  }
  return out + "}";
}

export function canalMessage(shape: TableShape, op: RowOp, before: Row | null, after: Row | null, meta: CanalMeta): string {
  const data = op === "DELETE" ? before : after;
  const old = op === "UPDATE" && before && after ? `[${changedText(shape, before, after)}]` : "null";
  return (
    `{"id":${meta.sequenceId},"database":${shape.canal.database},"table":${shape.canal.table},"pkNames":${shape.canal.pkNames},` +
    `"isDdl":false,"type":"${op}","es":${meta.eventTime},"ts":${meta.systemTime},"sql":"",` +
    `"sqlType":${shape.canal.sqlType},"mysqlType":${shape.canal.mysqlType},` +
    `"data":[${data ? rowText(shape, data) : ""}],"old":${old},"gtid":${meta.gtid === null ? "null" : JSON.stringify(meta.gtid)}}`
  );
}
