/** Live facts about a source database that the resources plan with (run inside provider methods). */
import mysql from "mysql2/promise";
import { CdcError, classifyMysqlError } from "../runtime/errors";
import { analyzeGrants } from "../runtime/source/grants";
import { connectMysql } from "../runtime/source/connection";
import { sourceLogin } from "./source-inputs";
import type { SourceArgs } from "./types";

export interface TableFacts {
  /** Base tables of the database that exist. */
  existing: Set<string>;
  /** Those with a primary key. */
  withPrimaryKey: Set<string>;
}

/**
 * Which tables of source.database exist and which have a primary key. A database the account
 * is not shown, or may not read, fails here naming source.database or source.user: the server
 * hides from information_schema what an account has no privilege on, so its tables would read
 * as missing.
 */
export async function lookupTables(source: SourceArgs, wanted: string[]): Promise<TableFacts> {
  const connection = await connectMysql(sourceLogin(source), "looking up tables");
  try {
    const [grantRows] = await connection.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR CURRENT_USER()");
    const hidden = analyzeGrants(grantRows.map((r) => String(Object.values(r)[0])), source.database, wanted).tablesWithoutSelect;
    if (hidden.length > 0) {
      throw new CdcError(
        "GRANT_MISSING",
        `account ${source.user} has no SELECT on ${source.database} (${hidden.join(", ")}), so the server does not show it those tables. Run: GRANT SELECT ON \`${source.database}\`.* TO <the account>, or give the TopicSet an account that has it.`,
      );
    }
    const [schemas] = await connection.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [source.database]);
    if (Number(schemas[0].n) === 0) throw new CdcError("DATABASE_MISSING", `the server ${source.host}:${source.port ?? 3306} has no database ${source.database}.`);
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
    if (error instanceof CdcError) throw error;
    throw classifyMysqlError(error, `reading the tables of ${source.database}`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

