/** Resolving a connector's configured start ("end", "earliest", a file and position) to a Position. */
import mysql from "mysql2/promise";
import type { StartPosition } from "../contract/config";
import { CdcError, classifyMysqlError } from "../errors";
import { Position } from "../position";
import type { SourceAccess } from "./prechecks";

export async function resolveStartPosition(access: SourceAccess, start: StartPosition): Promise<Position> {
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({ host: access.host, port: access.port, user: access.user, password: access.password, connectTimeout: 10_000 });
  } catch (error) {
    throw classifyMysqlError(error, `connecting to ${access.host}:${access.port} as ${access.user}`);
  }
  try {
    if (typeof start === "object") return Position.of(start.file, start.pos);
    if (start === "earliest") {
      const [logs] = await connection.query<mysql.RowDataPacket[]>("SHOW BINARY LOGS");
      if (logs.length === 0) throw new CdcError("BINLOG_DISABLED", "the server lists no binary logs.");
      return Position.of(String(logs[0].Log_name), 4);
    }
    const [status] = await connection.query<mysql.RowDataPacket[]>("SHOW MASTER STATUS");
    if (status.length === 0) throw new CdcError("BINLOG_DISABLED", "SHOW MASTER STATUS returned nothing: the binary log is off.");
    let gtid: string | null = null;
    try {
      const [[row]] = await connection.query<mysql.RowDataPacket[]>("SELECT @@gtid_binlog_pos AS g");
      gtid = row.g ? String(row.g) : null;
    } catch {
      // MySQL has no gtid_binlog_pos; its GTID set is optional for us.
    }
    return Position.of(String(status[0].File), Number(status[0].Position), gtid);
  } catch (error) {
    throw classifyMysqlError(error, `reading the binlog position of ${access.host}:${access.port}`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}
