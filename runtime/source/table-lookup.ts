/** What the runtime looks up about a table while streaming (auto-added tables). */
import type mysql from "mysql2/promise";
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
