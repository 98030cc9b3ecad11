import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { T, type RawColumn } from "../../../runtime/format/columns";
import { checkZongjiVersion, hookBinlogData, hookTableFetches, installMysqlLatin1, repairNegativeTime, zongjiRowRepair, type ZongJiInstance } from "../../../runtime/source/zongji-internals";

test("repairNegativeTime: the second zongji adds without a carry is carried; other values are left alone", () => {
  // What zongji 0.9 writes for each (read from a real server's binlog, FINDINGS) → the value.
  assert.equal(repairNegativeTime("-00:00:64"), "-00:01:00");
  assert.equal(repairNegativeTime("-00:63:64"), "-01:00:00");
  assert.equal(repairNegativeTime("-837:63:64"), "-838:00:00");
  assert.equal(repairNegativeTime("-00:63:64.000"), "-01:00:00.000");
  assert.equal(repairNegativeTime("-99:63:64"), "-100:00:00");
  for (const fine of ["-00:00:01", "-12:34:56", "-838:59:59.000000", "00:00:00", "838:59:59", "-00:00:00.5"]) assert.equal(repairNegativeTime(fine), fine);
});

const column = (name: string, typeCode: number): RawColumn => ({ name, typeCode, columnType: "", unsigned: false, charset: null, metadata: null });

test("zongjiRowRepair: undefined ENUMs become '', NULL stays null, negative TIME2 text is carried; tables without either need none", () => {
  const repair = zongjiRowRepair([column("id", T.LONG), column("e", T.ENUM), column("t", T.TIME2)]);
  assert.ok(repair);
  const row: Record<string, unknown> = { id: 1, e: undefined, t: "-00:63:64" };
  repair(row);
  assert.deepEqual(row, { id: 1, e: "", t: "-01:00:00" });
  const nulls: Record<string, unknown> = { id: 2, e: null, t: null };
  repair(nulls);
  assert.deepEqual(nulls, { id: 2, e: null, t: null });
  assert.equal(zongjiRowRepair([column("id", T.LONG), column("s", T.SET), column("v", T.VARCHAR)]), undefined);
});

test("checkZongjiVersion: the installed zongji passes; another version is ZONGJI_UNSUPPORTED, naming it", () => {
  assert.match(checkZongjiVersion(), /^0\.9\./);
  assert.throws(() => checkZongjiVersion("0.10.0"), (e: Error & { code?: string }) => e.code === "ZONGJI_UNSUPPORTED" && /0\.10\.0 is installed/.test(e.message) && /npm ci/.test(e.message));
});

test("the hooks fail with ZONGJI_UNSUPPORTED when zongji lacks the internal, never silently", () => {
  const bare = {} as ZongJiInstance;
  assert.throws(() => hookTableFetches(bare, () => undefined, (resume) => resume()), (e: Error & { code?: string }) => e.code === "ZONGJI_UNSUPPORTED" && /_fetchTableInfo/.test(e.message));
  assert.throws(() => hookBinlogData(bare, (o) => o), (e: Error & { code?: string }) => e.code === "ZONGJI_UNSUPPORTED" && /binlogData/.test(e.message));
});

test("hookTableFetches: onStart, then zongji's fetch, then onDone, which resumes zongji's continuation", () => {
  const calls: string[] = [];
  const zongji = { _fetchTableInfo: (_event: unknown, next: (...args: unknown[]) => void) => (calls.push("fetch"), next("x")) } as unknown as ZongJiInstance;
  hookTableFetches(zongji, () => calls.push("start"), (resume) => (calls.push("done"), resume(), calls.push("after")));
  zongji._fetchTableInfo?.({}, (arg) => calls.push(`next ${arg}`));
  assert.deepEqual(calls, ["start", "fetch", "done", "next x", "after"]);
});

test("installMysqlLatin1: zongji's iconv reads cp1252 as MySQL's latin1; windows-1252 itself is unchanged", () => {
  installMysqlLatin1();
  const iconv = createRequire(require.resolve("@vlasky/zongji"))("iconv-lite") as { decode(b: Buffer, e: string): string };
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const text = iconv.decode(all, "cp1252");
  assert.equal(text.length, 256);
  assert.equal(text.includes("\ufffd"), false);
  for (const byte of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) assert.equal(text.charCodeAt(byte), byte);
  assert.equal(text.charCodeAt(0x80), 0x20ac);
  assert.equal(text.charCodeAt(0xe9), 0xe9);
  assert.equal(iconv.decode(Buffer.from([0x81]), "windows1252"), "\ufffd");
  installMysqlLatin1(); // idempotent
  assert.equal(iconv.decode(Buffer.from([0x8d, 0x80]), "cp1252"), "\u008d€");
});
