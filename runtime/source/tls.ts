/**
 * mysql2's options for a source connection over TLS (the modes: ../contract/tls.ts). Every source
 * connection is made with them: the prechecks, the binlog (zongji hands them to mysql2), the full
 * sync, lookups.
 */
import net from "node:net";
import type mysql from "mysql2/promise";
import type { SourceTls } from "../contract/tls";

export type { SourceTls } from "../contract/tls";

/**
 * The mysql2 options that connect to host:port with `tls` ("preferred" counts as required here:
 * connectMysql falls back to no TLS when the server has none).
 */
export function mysqlTlsOptions(host: string, port: number, tls: SourceTls | undefined): Pick<mysql.ConnectionOptions, "ssl" | "host" | "stream"> {
  if (!tls || tls.mode === "disabled") return {};
  const material = { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) };
  if (tls.mode === "preferred" || tls.mode === "required") return { ssl: { ...material, rejectUnauthorized: false } };
  if (tls.mode === "verify-ca") return { ssl: { ...material, rejectUnauthorized: true, verifyIdentity: false } };
  const ssl = { ...material, rejectUnauthorized: true, verifyIdentity: true };
  if (!tls.serverName || tls.serverName === host) return { ssl };
  // mysql2 takes `host` as the name to verify; the socket goes to the address given.
  return { ssl, host: tls.serverName, stream: () => net.connect(port, host) };
}
