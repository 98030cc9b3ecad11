/** Checks of a `source` input that is only read (a TopicSet's: it looks primary keys up). */
import { typeOf } from "../runtime/contract/names";
import { resolveSourceTls, sourceTlsProblems } from "../runtime/contract/tls";
import type { MysqlLogin } from "../runtime/source/connection";
import type { CheckFailure, SourceArgs } from "./types";

export function sourceFailures(source: SourceArgs | undefined, property = "source"): CheckFailure[] {
  if (source === undefined || source === null) return [];
  if (typeof source !== "object") return [{ property, reason: `must be { host, port, database, user, password }, got ${typeOf(source)}` }];
  const failures: CheckFailure[] = [];
  const text = (key: "host" | "database" | "user", example: string) => {
    const v = source[key] as unknown;
    if (typeof v !== "string" || v.length === 0) failures.push({ property: `${property}.${key}`, reason: v === undefined || v === "" ? `is missing; give it, e.g. ${example}` : `must be text, got ${typeOf(v)}` });
  };
  text("host", '"rm-xxx.mysql.rds.aliyuncs.com"');
  text("database", '"shop"');
  text("user", '"cdc"');
  const port = source.port as unknown;
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)) {
    failures.push({ property: `${property}.port`, reason: `must be a whole number from 1 to 65535 (default 3306), got ${typeof port === "number" ? port : typeOf(port)}` });
  }
  const password = source.password as unknown;
  if (password === undefined || password === null || password === "") failures.push({ property: `${property}.password`, reason: "is missing; give the account's password as a secret (config.requireSecret)" });
  else if (typeof password !== "string") failures.push({ property: `${property}.password`, reason: `must be text, got ${typeOf(password)} (its value is not shown)` });
  for (const p of sourceTlsProblems(source.tls, source.host, `${property}.tls`)) failures.push({ property: p.property, reason: p.message });
  return failures;
}

/** How the provider logs in to a source: as its account, or as another (the manageGrants admin), always over the source's TLS. */
export function sourceLogin(source: SourceArgs, account?: { user: string; password: string }): MysqlLogin {
  return {
    host: source.host,
    port: source.port,
    user: account?.user ?? source.user,
    password: account?.password ?? source.password,
    tls: resolveSourceTls(source.tls, source.host),
  };
}

/** What preview says of a source TLS mode that lets data cross unencrypted (undefined for the others). */
export function sourceTlsNote(mode: string | undefined): string | undefined {
  if (mode === "disabled") return 'source.tls.mode is "disabled": the rows and the login cross the network to the source unencrypted';
  if (mode === "preferred") return 'source.tls.mode is "preferred": TLS only when the server offers it, so whoever sits between can turn it off; use "required" or a verify mode';
  return undefined;
}
