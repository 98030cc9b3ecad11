/**
 * Live prechecks of a source database, all failures collected and reported together:
 * log_bin ON, binlog_format ROW, binlog_row_image FULL, binlog_row_metadata FULL, the account's
 * grants, the tables exist; binlog retention under 3 days is a warning (7 recommended).
 * The runtime runs them at connector start; the provider runs them before create/update.
 */
import mysql from "mysql2/promise";
import { CdcError, classifyMysqlError } from "../errors";
import { connectMysql } from "./connection";
import { analyzeGrants, grantStatement } from "./grants";
import type { SourceTls } from "./tls";

export interface SourceAccess {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  tables: string[];
  /** The server_id the connector reads the binlog as (checked against the server's own). */
  serverId?: number;
  /** TLS to the server. */
  tls?: SourceTls;
}

export interface ServerSettings {
  logBin: string;
  binlogFormat: string;
  binlogRowImage: string;
  /** undefined when the server has no such variable (MySQL < 8.0.1, MariaDB < 10.5). */
  binlogRowMetadata: string | undefined;
  /** MySQL 8.0.20+: binlog_transaction_compression (undefined where the server has no such setting). */
  binlogTransactionCompression?: string;
  /** MySQL 8.0.3+: binlog_row_value_options (undefined where the server has no such setting). */
  binlogRowValueOptions?: string;
  /** Binlog retention in seconds; 0 means binlogs are never purged automatically. */
  retentionSeconds: number;
  /** The account as the server resolved it: 'user'@'host'. */
  currentUser: { user: string; host: string };
  grants: string[];
  /** The server's own server_id. */
  serverId?: number;
  /** Whether the database is listed to the account (information_schema shows only what it may see). */
  databaseExists?: boolean;
  existingTables: string[];
}

export interface PrecheckResult {
  errors: CdcError[];
  warnings: string[];
}

const DAY = 86_400;

/** Judges fetched settings (pure; unit-tested without a server). */
export function judgeSettings(settings: ServerSettings, database: string, tables: string[], readerServerId?: number): PrecheckResult {
  const errors: CdcError[] = [];
  const warnings: string[] = [];
  if (readerServerId !== undefined && settings.serverId === readerServerId) {
    errors.push(new CdcError("SERVER_ID_CONFLICT", `the connector would read the binlog as server_id ${readerServerId}, which is the source server's own server_id.`));
  }
  if (!/^(1|ON)$/i.test(settings.logBin)) errors.push(new CdcError("BINLOG_DISABLED", `log_bin is ${settings.logBin}; it must be ON.`));
  if (settings.binlogFormat.toUpperCase() !== "ROW") {
    errors.push(new CdcError("BINLOG_FORMAT_NOT_ROW", `binlog_format is ${settings.binlogFormat}; it must be ROW.`));
  }
  if (settings.binlogRowImage.toUpperCase() !== "FULL") {
    errors.push(new CdcError("BINLOG_ROW_IMAGE_NOT_FULL", `binlog_row_image is ${settings.binlogRowImage}; it must be FULL.`));
  }
  if ((settings.binlogRowMetadata ?? "").toUpperCase() !== "FULL") {
    errors.push(
      new CdcError(
        "BINLOG_ROW_METADATA_NOT_FULL",
        settings.binlogRowMetadata === undefined
          ? "the server has no binlog_row_metadata setting (it needs MySQL 8.0.1+ or MariaDB 10.5+ with binlog_row_metadata=FULL)."
          : `binlog_row_metadata is ${settings.binlogRowMetadata}; it must be FULL.`,
      ),
    );
  }
  // Row changes the binlog reader cannot decode: a compressed transaction (TRANSACTION_PAYLOAD_EVENT)
  // or a partial JSON update. The runtime also fails on meeting one (a session may set them).
  if (/^(1|ON)$/i.test(settings.binlogTransactionCompression ?? "")) {
    errors.push(new CdcError("BINLOG_UNSUPPORTED_EVENT", "binlog_transaction_compression is ON: the connector cannot read compressed transactions. Run SET GLOBAL binlog_transaction_compression = OFF (and set it in the server's configuration or parameter group)."));
  }
  if (/PARTIAL_JSON/i.test(settings.binlogRowValueOptions ?? "")) {
    errors.push(new CdcError("BINLOG_UNSUPPORTED_EVENT", "binlog_row_value_options is PARTIAL_JSON: the connector cannot read partial JSON updates. Run SET GLOBAL binlog_row_value_options = '' (and set it in the server's configuration or parameter group)."));
  }
  if (settings.retentionSeconds > 0 && settings.retentionSeconds < 3 * DAY) {
    warnings.push(
      `binlog retention is ${(settings.retentionSeconds / DAY).toFixed(1)} days: keep binlogs at least 3 days (7 recommended), or a connector that falls behind loses its position.`,
    );
  }
  const grants = analyzeGrants(settings.grants, database, tables);
  // Without SELECT the account is not shown the database's tables (nor the database): only the
  // missing grant is reported then, not tables that may well exist.
  const blind = grants.missing.includes("SELECT");
  if (grants.missing.length > 0) {
    const statement = grantStatement(grants.missing, settings.currentUser.user, settings.currentUser.host);
    const tablesNote = grants.tablesWithoutSelect.length ? ` (no SELECT on ${grants.tablesWithoutSelect.join(", ")}, so it cannot see them)` : "";
    errors.push(
      new CdcError("GRANT_MISSING", `account '${settings.currentUser.user}'@'${settings.currentUser.host}' lacks ${grants.missing.join(", ")}${tablesNote}. Run: ${statement}`),
    );
  }
  if (settings.databaseExists === false && !blind) {
    errors.push(new CdcError("DATABASE_MISSING", `the server has no database ${database} (or account '${settings.currentUser.user}' may not see it).`));
    return { errors, warnings };
  }
  const existing = new Set(settings.existingTables);
  const absent = tables.filter((t) => !existing.has(t));
  if (absent.length > 0 && !blind) errors.push(new CdcError("TABLE_MISSING", `database ${database} has no table ${absent.join(", ")}.`));
  return { errors, warnings };
}

/** Connects as the connector's account and reads what judgeSettings needs. */
export async function fetchSettings(access: SourceAccess): Promise<ServerSettings> {
  const connection = await connectMysql(access);
  try {
    const [vars] = await connection.query<mysql.RowDataPacket[]>("SHOW GLOBAL VARIABLES WHERE Variable_name IN " +
      "('log_bin','binlog_format','binlog_row_image','binlog_row_metadata','expire_logs_days','binlog_expire_logs_seconds'," +
      "'binlog_transaction_compression','binlog_row_value_options')");
    const v = new Map(vars.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
    const expireSeconds = Number(v.get("binlog_expire_logs_seconds") ?? 0);
    const expireDays = Number(v.get("expire_logs_days") ?? 0);
    const [[who]] = await connection.query<mysql.RowDataPacket[]>("SELECT CURRENT_USER() AS u");
    const at = String(who.u).lastIndexOf("@");
    const currentUser = { user: String(who.u).slice(0, at), host: String(who.u).slice(at + 1) };
    const [grantRows] = await connection.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR CURRENT_USER()");
    const [tableRows] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
      [access.database],
    );
    const [schemaRows] = await connection.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [access.database]);
    const [[ids]] = await connection.query<mysql.RowDataPacket[]>("SELECT @@server_id AS id");
    return {
      serverId: Number(ids.id),
      databaseExists: Number(schemaRows[0].n) > 0,
      logBin: v.get("log_bin") ?? "OFF",
      binlogFormat: v.get("binlog_format") ?? "",
      binlogRowImage: v.get("binlog_row_image") ?? "",
      binlogRowMetadata: v.get("binlog_row_metadata"),
      binlogTransactionCompression: v.get("binlog_transaction_compression"),
      binlogRowValueOptions: v.get("binlog_row_value_options"),
      retentionSeconds: expireSeconds > 0 ? expireSeconds : expireDays * DAY,
      currentUser,
      grants: grantRows.map((r) => String(Object.values(r)[0])),
      existingTables: tableRows.map((r) => String(r.t)),
    };
  } catch (error) {
    throw classifyMysqlError(error, `reading the settings of ${access.host}:${access.port}`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/**
 * The prechecks of a connector that resumes from a committed offset (a retry, a failover, a
 * reconfiguration). A listed table that is gone now was dropped or renamed after the connector
 * started: its changes up to then are still in the binlog from the committed position and are
 * delivered, so the connector must not stop (TABLE_MISSING is not retriable). It becomes a warning.
 * At a first start it stays an error: there, a missing table is most likely a misspelt name.
 */
export function judgeForResume(result: PrecheckResult): PrecheckResult {
  const missing = result.errors.filter((e) => e.code === "TABLE_MISSING");
  if (missing.length === 0) return result;
  return {
    errors: result.errors.filter((e) => e.code !== "TABLE_MISSING"),
    warnings: [
      ...result.warnings,
      ...missing.map(
        (e) =>
          `${e.reason.replace(/\.$/, "")} any more (dropped or renamed since the connector started): its changes up to then are still delivered from the committed position. Remove it from the Connector's tables.`,
      ),
    ],
  };
}

/** Runs every precheck; a connection failure is the only failure reported alone. */
export async function runPrechecks(access: SourceAccess): Promise<PrecheckResult> {
  const settings = await fetchSettings(access);
  return judgeSettings(settings, access.database, access.tables, access.serverId);
}
