/** Opening a plain (non-binlog) MySQL connection, over the source's TLS, with its failure classified and named. */
import mysql from "mysql2/promise";
import { DEFAULTS } from "../contract/config";
import { classifyMysqlError } from "../errors";
import { mysqlTlsOptions, type SourceTls } from "./tls";

export interface MysqlLogin {
  host: string;
  port?: number;
  user: string;
  password: string;
  /** TLS to the server; absent: none (records written before TLS existed). */
  tls?: SourceTls;
}

/** Servers found without TLS under "preferred" (host:port), so later connections do not ask again. */
const withoutTls = new Set<string>();

/**
 * The login's TLS with "preferred" settled: required when the server offers TLS, disabled when
 * it does not (asked once per server). Streams that cannot fall back themselves (zongji's) take this.
 */
export async function settledTls(login: MysqlLogin): Promise<SourceTls | undefined> {
  if (login.tls?.mode !== "preferred") return login.tls;
  const connection = await connectMysql(login);
  await connection.end().catch(() => undefined);
  return withoutTls.has(`${login.host}:${login.port ?? DEFAULTS.port}`) ? { mode: "disabled" } : { ...login.tls, mode: "required" };
}

/** Connects, or throws a CdcError saying which account could not reach which server (never the password). */
export async function connectMysql(login: MysqlLogin, purpose = "", extra: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  const port = login.port ?? DEFAULTS.port;
  const server = `${login.host}:${port}`;
  const open = (tls: SourceTls | undefined) =>
    mysql.createConnection({ host: login.host, port, user: login.user, password: login.password, connectTimeout: 10_000, ...extra, ...mysqlTlsOptions(login.host, port, tls) });
  try {
    if (login.tls?.mode === "preferred" && withoutTls.has(server)) return await open(undefined);
    try {
      return await open(login.tls);
    } catch (error) {
      // preferred: a server without TLS is connected to without it.
      if (login.tls?.mode !== "preferred" || (error as { code?: string }).code !== "HANDSHAKE_NO_SSL_SUPPORT") throw error;
      withoutTls.add(server);
      return await open(undefined);
    }
  } catch (error) {
    throw classifyMysqlError(error, `connecting to ${login.host}:${port} as ${login.user}${login.tls && login.tls.mode !== "disabled" ? ` over TLS (${login.tls.mode})` : ""}${purpose ? ` (${purpose})` : ""}`);
  }
}
