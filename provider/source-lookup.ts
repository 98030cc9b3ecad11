/** Live facts about a source database that the resources plan with (run inside provider methods). */
import mysql from "mysql2/promise";
import { classifyMysqlError } from "../runtime/errors";
import { connectMysql } from "../runtime/source/connection";
import type { SourceArgs } from "./types";

export interface TableFacts {
  /** Base tables of the database that exist. */
  existing: Set<string>;
  /** Those with a primary key. */
  withPrimaryKey: Set<string>;
}

/** Which tables of source.database exist and which have a primary key. */
export async function lookupTables(source: SourceArgs): Promise<TableFacts> {
  const connection = await connectMysql(source);
  try {
    const [tables] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
      [source.database],
    );
    // Not TABLE_CONSTRAINTS: MariaDB shows it empty to an account with only SELECT (measured).
    const [keys] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT DISTINCT TABLE_NAME AS t FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND INDEX_NAME = 'PRIMARY'",
      [source.database],
    );
    return { existing: new Set(tables.map((r) => String(r.t))), withPrimaryKey: new Set(keys.map((r) => String(r.t))) };
  } catch (error) {
    throw classifyMysqlError(error, `reading the tables of ${source.database}`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}
