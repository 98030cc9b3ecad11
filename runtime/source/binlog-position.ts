/** Resolving a connector's configured start ("end", "earliest", a file and position) to a Position. */
import mysql from "mysql2/promise";
import type { StartPosition } from "../contract/config";
import { CdcError, classifyMysqlError } from "../errors";
import { connectMysql } from "./connection";
import { Position } from "../position";
import type { SourceAccess } from "./prechecks";

/** MySQL's parse error: the server does not know the statement (SHOW MASTER STATUS is gone in MySQL 8.4). */
const ER_PARSE_ERROR = 1064;

export async function resolveStartPosition(access: SourceAccess, start: StartPosition): Promise<Position> {
  const connection = await connectMysql(access);
  try {
    if (typeof start === "object") {
      // A file the server no longer has would be read as nothing: the connector must not start.
      const [logs] = await connection.query<mysql.RowDataPacket[]>("SHOW BINARY LOGS");
      const names = logs.map((l) => String(l.Log_name));
      if (!names.includes(start.file)) {
        throw new CdcError("BINLOG_PURGED", `the start position's binlog ${start.file} is not on the server (it has ${names.length ? `${names[0]} to ${names[names.length - 1]}` : "none"}).`);
      }
      return Position.of(start.file, start.pos);
    }
    if (start === "earliest") {
      const [logs] = await connection.query<mysql.RowDataPacket[]>("SHOW BINARY LOGS");
      if (logs.length === 0) throw new CdcError("BINLOG_DISABLED", "the server lists no binary logs.");
      return Position.of(String(logs[0].Log_name), 4);
    }
    const status = await binaryLogStatus(connection);
    if (status.length === 0) throw new CdcError("BINLOG_DISABLED", "the server reports no binary log status: the binary log is off.");
    let gtid: string | null = null;
    try {
      const [[row]] = await connection.query<mysql.RowDataPacket[]>("SELECT @@gtid_binlog_pos AS g");
      gtid = row.g ? String(row.g) : null;
    } catch {
      // MySQL has no gtid_binlog_pos: its executed set comes with the status, consistent with
      // File/Position (empty with gtid_mode OFF: then positions carry no GTID).
      const executed = String(status[0].Executed_Gtid_Set ?? "").replace(/\s/g, "");
      gtid = executed.includes(":") ? executed : null;
    }
    return Position.of(String(status[0].File), Number(status[0].Position), gtid);
  } catch (error) {
    if (error instanceof CdcError) throw error;
    throw classifyMysqlError(error, `reading the binlog position of ${access.host}:${access.port}`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** The server's current binlog end (file and position), or null when the binary log is off. */
export async function serverEndPosition(connection: mysql.Connection): Promise<Position | null> {
  const status = await binaryLogStatus(connection);
  return status.length === 0 ? null : Position.of(String(status[0].File), Number(status[0].Position));
}

/** SHOW MASTER STATUS (MariaDB, MySQL before 8.4), else its new name SHOW BINARY LOG STATUS (MySQL 8.2+). */
async function binaryLogStatus(connection: mysql.Connection): Promise<mysql.RowDataPacket[]> {
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SHOW MASTER STATUS");
    return rows;
  } catch (error) {
    if ((error as { errno?: number }).errno !== ER_PARSE_ERROR) throw error;
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SHOW BINARY LOG STATUS");
    return rows;
  }
}
