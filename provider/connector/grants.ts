/**
 * manageGrants: with admin credentials, the Connector creates its account when missing and grants
 * what SHOW GRANTS says is missing; deleting the Connector revokes exactly that, and drops the
 * account only if the Connector created it.
 */
import mysql from "mysql2/promise";
import { classifyMysqlError } from "../../runtime/errors";
import { connectMysql } from "../../runtime/source/connection";
import { analyzeGrants } from "../../runtime/source/grants";
import type { SourceArgs } from "../types";
import type { AppliedGrants, ManageGrantsArgs } from "./plan";

function adminConnection(source: SourceArgs, admin: ManageGrantsArgs): Promise<mysql.Connection> {
  return connectMysql({ host: source.host, port: source.port, user: admin.adminUser, password: admin.adminPassword }, "the manageGrants admin account");
}

/** Creates the account if missing and grants what it lacks; returns what was done, merged with `previous`. */
export async function applyGrants(source: SourceArgs, tables: string[], admin: ManageGrantsArgs, previous: AppliedGrants | undefined): Promise<AppliedGrants> {
  const host = admin.accountHost ?? "%";
  const connection = await adminConnection(source, admin);
  const account = `'${source.user}'@'${host}'`;
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ? AND Host = ?", [source.user, host]);
    const exists = Number(rows[0].n) > 0;
    const owned = previous ? previous.createdAccount : !exists;
    if (!exists) await connection.query("CREATE USER ?@? IDENTIFIED BY ?", [source.user, host, source.password]);
    // An account the Connector created follows its password input (a rotation is one pulumi up).
    else if (owned) await connection.query("ALTER USER ?@? IDENTIFIED BY ?", [source.user, host, source.password]);
    const [grantRows] = await connection.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR ?@?", [source.user, host]);
    const { missing } = analyzeGrants(grantRows.map((r) => String(Object.values(r)[0])), source.database, tables);
    // Identifiers cannot be bound as parameters; the privilege names come from our own list.
    if (missing.length > 0) await connection.query(`GRANT ${missing.join(", ")} ON *.* TO ?@?`, [source.user, host]);
    const privileges = [...new Set([...(previous?.privileges ?? []), ...missing])];
    return { user: source.user, host, createdAccount: owned, privileges };
  } catch (error) {
    throw classifyMysqlError(error, `creating or granting account ${account} (manageGrants)`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** Revokes what applyGrants granted, and drops the account if it created it. */
export async function revokeGrants(source: SourceArgs, admin: ManageGrantsArgs, applied: AppliedGrants): Promise<void> {
  const connection = await adminConnection(source, admin);
  try {
    if (applied.createdAccount) {
      await connection.query("DROP USER IF EXISTS ?@?", [applied.user, applied.host]);
      return;
    }
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ? AND Host = ?", [applied.user, applied.host]);
    if (Number(rows[0].n) === 0 || applied.privileges.length === 0) return;
    await connection.query(`REVOKE ${applied.privileges.join(", ")} ON *.* FROM ?@?`, [applied.user, applied.host]);
  } catch (error) {
    throw classifyMysqlError(error, `revoking the grants of '${applied.user}'@'${applied.host}' (manageGrants)`);
  } finally {
    await connection.end().catch(() => undefined);
  }
}
