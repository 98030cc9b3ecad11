/**
 * manageGrants: with admin credentials, the Connector creates its account when missing and grants
 * what SHOW GRANTS says is missing; deleting the Connector revokes exactly that, and drops the
 * account only if the Connector created it.
 */
import crypto from "node:crypto";
import mysql from "mysql2/promise";
import { classifyMysqlError } from "../../runtime/errors";
import { connectMysql } from "../../runtime/source/connection";
import { analyzeGrants } from "../../runtime/source/grants";
import { sourceLogin } from "../source-inputs";
import type { SourceArgs } from "../types";
import type { AppliedGrants, ManageGrantsArgs } from "./plan";

function adminConnection(source: SourceArgs, admin: ManageGrantsArgs): Promise<mysql.Connection> {
  return connectMysql(sourceLogin(source, { user: admin.adminUser, password: admin.adminPassword }), "the manageGrants admin account");
}

/**
 * How CREATE/ALTER USER is given the password. These statements are written to the binlog, which
 * every account with REPLICATION SLAVE reads (the CDC account too). MariaDB writes the statement
 * as sent, so it is sent the password's hash (mysql_native_password: "*" + SHA1(SHA1(password)),
 * what MariaDB stores anyway), never the password. MySQL rewrites these statements with the
 * stored hash before it logs them, so it is given the password (its default plugin,
 * caching_sha2_password, salts the hash it makes itself).
 */
export async function identifiedBy(connection: mysql.Connection, password: string): Promise<{ clause: string; value: string }> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
  if (!/mariadb/i.test(String(rows[0].v))) return { clause: "IDENTIFIED BY ?", value: password };
  return { clause: "IDENTIFIED BY PASSWORD ?", value: nativePasswordHash(password) };
}

/** mysql_native_password's stored form of a password. */
export function nativePasswordHash(password: string): string {
  const sha1 = (data: Buffer | string) => crypto.createHash("sha1").update(data).digest();
  return `*${sha1(sha1(Buffer.from(password, "utf8"))).toString("hex").toUpperCase()}`;
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
    const identified = await identifiedBy(connection, source.password);
    if (!exists) await connection.query(`CREATE USER ?@? ${identified.clause}`, [source.user, host, identified.value]);
    // An account the Connector created follows its password input (a rotation is one pulumi up).
    else if (owned) await connection.query(`ALTER USER ?@? ${identified.clause}`, [source.user, host, identified.value]);
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
