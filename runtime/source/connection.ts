/** Opening a plain (non-binlog) MySQL connection, with its failure classified and named. */
import mysql from "mysql2/promise";
import { DEFAULTS } from "../contract/config";
import { classifyMysqlError } from "../errors";

export interface MysqlLogin {
  host: string;
  port?: number;
  user: string;
  password: string;
}

/** Connects, or throws a CdcError saying which account could not reach which server (never the password). */
export async function connectMysql(login: MysqlLogin, purpose = ""): Promise<mysql.Connection> {
  const port = login.port ?? DEFAULTS.port;
  try {
    return await mysql.createConnection({ host: login.host, port, user: login.user, password: login.password, connectTimeout: 10_000 });
  } catch (error) {
    throw classifyMysqlError(error, `connecting to ${login.host}:${port} as ${login.user}${purpose ? ` (${purpose})` : ""}`);
  }
}
