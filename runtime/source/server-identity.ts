/**
 * Which server a connection reaches, independent of the address used to reach it (a DNS name or
 * its IP, a proxy port): a binlog position is only meaningful on the server that wrote it, so a
 * connector replaced by one that reaches the same server by another address may take over its
 * position. MySQL names itself (server_uuid, which also changes when RDS fails over to another
 * server, whose binlog is another); MariaDB has no such variable, so its host name, port, data
 * directory and server_id stand for it.
 */
import crypto from "node:crypto";
import type mysql from "mysql2/promise";
import { connectMysql, type MysqlLogin } from "./connection";

export async function serverIdentity(login: MysqlLogin): Promise<string> {
  const connection = await connectMysql(login, "identifying the source server");
  try {
    return await identityOf(connection);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

export async function identityOf(connection: mysql.Connection): Promise<string> {
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT @@server_uuid AS uuid");
    if (typeof rows[0]?.uuid === "string" && rows[0].uuid) return `mysql:${rows[0].uuid}`;
  } catch (error) {
    // ER_UNKNOWN_SYSTEM_VARIABLE: MariaDB.
    if ((error as { errno?: number }).errno !== 1193) throw error;
  }
  const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT @@hostname AS h, @@port AS p, @@datadir AS d, @@server_id AS s");
  const { h, p, d, s } = rows[0] as { h: string; p: number; d: string; s: number };
  return `mariadb:${crypto.createHash("sha256").update(`${h}\n${p}\n${d}\n${s}`).digest("hex").slice(0, 32)}`;
}
