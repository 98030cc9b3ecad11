/** Checks of a `source` input that is only read (a TopicSet's: it looks primary keys up). */
import { typeOf } from "../runtime/contract/names";
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
  return failures;
}
