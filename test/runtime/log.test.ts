import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLogger, type Level } from "../../runtime/log";

function capture(level: Level = "debug", fields?: Record<string, unknown>) {
  const lines: string[] = [];
  const logger = createLogger({ level, write: (line) => lines.push(line), fields });
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe("createLogger output", () => {
  test("one JSON object per call: ts, level, msg, then fields", () => {
    const { logger, lines, parsed } = capture();
    const before = Date.now();
    logger.info("connector started", { connector: "orders-cdc", tables: 2 });
    const after = Date.now();
    assert.equal(lines.length, 1);
    assert.ok(!lines[0].includes("\n"));
    const entry = parsed()[0];
    assert.deepEqual(Object.keys(entry), ["ts", "level", "msg", "connector", "tables"]);
    assert.equal(entry.level, "info");
    assert.equal(entry.msg, "connector started");
    assert.equal(entry.connector, "orders-cdc");
    assert.equal(entry.tables, 2);
    assert.match(String(entry.ts), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const ts = Date.parse(String(entry.ts));
    assert.ok(ts >= before && ts <= after);
  });

  test("each level writes its own name", () => {
    const { logger, parsed } = capture("debug");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    assert.deepEqual(parsed().map((e) => [e.level, e.msg]), [["debug", "d"], ["info", "i"], ["warn", "w"], ["error", "e"]]);
  });

  test("base fields and child fields are merged, call fields win", () => {
    const { logger, parsed } = capture("info", { worker: "w1" });
    const child = logger.child({ connector: "orders-cdc" });
    child.info("hello", { connector: "override", extra: true });
    logger.info("parent");
    assert.deepEqual(parsed(), [
      { ts: parsed()[0].ts, level: "info", msg: "hello", worker: "w1", connector: "override", extra: true },
      { ts: parsed()[1].ts, level: "info", msg: "parent", worker: "w1" },
    ]);
  });

  test("bigints, buffers and errors are made printable", () => {
    const { logger, parsed } = capture();
    const error = Object.assign(new Error("Access denied; IDENTIFIED BY 'hunter2'"), { code: "ER_ACCESS_DENIED_ERROR", errno: 1045 });
    logger.error("failed", { sequence: 18446744073709551615n, body: Buffer.from("abcd"), error, list: [1, "two"] });
    const entry = parsed()[0];
    assert.equal(entry.sequence, "18446744073709551615");
    assert.equal(entry.body, "<4 bytes>");
    assert.deepEqual(entry.error, { name: "Error", message: "Access denied; IDENTIFIED BY '***'", code: "ER_ACCESS_DENIED_ERROR", errno: 1045 });
    assert.deepEqual(entry.list, [1, "two"]);
  });
});

describe("level filtering", () => {
  test("warn drops debug and info", () => {
    const { logger, parsed } = capture("warn");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    assert.deepEqual(parsed().map((e) => e.msg), ["w", "e"]);
  });

  test("error keeps only errors; info drops debug", () => {
    const err = capture("error");
    err.logger.warn("w");
    err.logger.error("e");
    assert.deepEqual(err.parsed().map((e) => e.msg), ["e"]);
    const info = capture("info");
    info.logger.debug("d");
    info.logger.info("i");
    assert.deepEqual(info.parsed().map((e) => e.msg), ["i"]);
  });

  test("a child keeps its parent's level", () => {
    const { logger, parsed } = capture("warn");
    const child = logger.child({ connector: "c" });
    child.info("dropped");
    child.warn("kept");
    assert.deepEqual(parsed().map((e) => e.msg), ["kept"]);
  });

  test("an unknown level falls back to info", () => {
    const { logger, parsed } = capture("verbose" as Level);
    logger.debug("d");
    logger.info("i");
    assert.deepEqual(parsed().map((e) => e.msg), ["i"]);
  });
});

describe("secrets never reach a log line", () => {
  test("password-like field names are masked at the top level", () => {
    const { logger, lines, parsed } = capture();
    logger.info("config", { password: "hunter2", passwd: "pw-passwd", groupKey: "a2V5a2V5", apiToken: "tok-api", clientSecret: "sec-client", user: "cdc" });
    const entry = parsed()[0];
    assert.equal(entry.password, "***");
    assert.equal(entry.passwd, "***");
    assert.equal(entry.groupKey, "***");
    assert.equal(entry.apiToken, "***");
    assert.equal(entry.clientSecret, "***");
    assert.equal(entry.user, "cdc");
    for (const secret of ["hunter2", "pw-passwd", "a2V5a2V5", "tok-api", "sec-client"]) assert.ok(!lines[0].includes(secret), secret);
  });

  test("nested password fields are masked, in objects and arrays", () => {
    const { logger, lines, parsed } = capture();
    logger.info("config", { source: { host: "db", password: "hunter2" }, accounts: [{ user: "a", password: "pw-in-array" }] });
    const entry = parsed()[0] as { source: Record<string, unknown>; accounts: Record<string, unknown>[] };
    assert.deepEqual(entry.source, { host: "db", password: "***" });
    assert.deepEqual(entry.accounts, [{ user: "a", password: "***" }]);
    assert.ok(!lines[0].includes("hunter2"));
    assert.ok(!lines[0].includes("pw-in-array"));
  });

  test("password fields are masked at any depth", () => {
    const { logger, lines } = capture();
    const deep = { level1: { level2: { level3: { level4: { level5: { password: "deep-secret-6", note: "IDENTIFIED BY 'deep-secret-7'" } } } } } };
    logger.info("deep", { a: { password: "secret-2" }, b: { c: { d: { password: "secret-4" } } }, deep });
    assert.ok(!lines[0].includes("secret-2"), lines[0]);
    assert.ok(!lines[0].includes("secret-4"), lines[0]);
    assert.ok(!lines[0].includes("deep-secret-6"), lines[0]);
    assert.ok(!lines[0].includes("deep-secret-7"), lines[0]);
  });

  test("messages and string values pass through redactSecrets", () => {
    const { logger, lines, parsed } = capture();
    logger.warn("connect failed: password=hunter2", { sql: "CREATE USER cdc IDENTIFIED BY 'hunter3'" });
    const entry = parsed()[0];
    assert.equal(entry.msg, "connect failed: password=***");
    assert.equal(entry.sql, "CREATE USER cdc IDENTIFIED BY '***'");
    assert.ok(!lines[0].includes("hunter2"));
    assert.ok(!lines[0].includes("hunter3"));
  });
});
