import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { DEFERRED_REQUIRES, layoutProblem } from "./lazy-closure-deps";

const HOOK = path.join(__dirname, "lazy-closure-deps.js");
const SDK = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/** Runs a script in a fresh node process, with or without the hook, in dir; returns its JSON output. */
function runNode(script: string, options: { hook: boolean; cwd?: string }): Record<string, unknown> {
  const out = execFileSync(process.execPath, [...(options.hook ? ["--require", HOOK] : []), "-e", script], {
    cwd: options.cwd ?? process.cwd(),
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", NODE_NO_WARNINGS: "1" },
  });
  return JSON.parse(out.trim().split("\n").at(-1) as string) as Record<string, unknown>;
}

const LOADED = `const loaded = (part) => Object.keys(require.cache).some((k) => k.includes(part));`;

test("the installed @pulumi/pulumi still has the layout the hook defers (else it warns and defers nothing)", () => {
  assert.equal(layoutProblem(SDK), undefined);
  assert.equal(layoutProblem(path.join(os.tmpdir(), "no-such-sdk")), "@pulumi/pulumi is not installed");
  // An SDK whose shim no longer requires TypeScript, and another major version.
  const fake = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "fake-sdk-"));
  try {
    fs.writeFileSync(path.join(fake, "package.json"), JSON.stringify({ version: "3.300.0" }));
    fs.writeFileSync(path.join(fake, "typescript-shim.js"), "module.exports = {};\n");
    assert.equal(layoutProblem(fake), "@pulumi/pulumi 3.300.0's typescript-shim.js no longer requires typescript");
    fs.writeFileSync(path.join(fake, "package.json"), JSON.stringify({ version: "4.0.0" }));
    assert.equal(layoutProblem(fake), "@pulumi/pulumi 4.0.0 is not major 3");
  } finally {
    fs.rmSync(fake, { recursive: true, force: true });
  }
});

test("with the hook, loading @pulumi/pulumi defers TypeScript and arborist, and nothing else", () => {
  const script = `${LOADED}
    require(${JSON.stringify(SDK)});
    const { deferred } = require(${JSON.stringify(HOOK)});
    console.log(JSON.stringify({ deferred: [...deferred].sort(), typescript: loaded("/typescript/lib/typescript.js"), arborist: loaded("@npmcli/arborist/lib/arborist/") }));`;
  assert.deepEqual(runNode(script, { hook: true }), {
    deferred: Object.values(DEFERRED_REQUIRES).sort(),
    typescript: false,
    arborist: false,
  });
  // Without it, both load with the SDK (what the hook saves).
  const without = runNode(script.replace(`const { deferred } = require(${JSON.stringify(HOOK)});`, "const deferred = [];"), { hook: false });
  assert.deepEqual(without, { deferred: [], typescript: true, arborist: true });
});

test("deferred, not stubbed: serializeFunction and computeCodePaths give what they give without the hook", (t) => {
  // A package with one dependency, so that computeCodePaths walks it with arborist.
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "lazy-closure-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", dependencies: { tiny: "1.0.0" } }));
  fs.mkdirSync(path.join(dir, "node_modules", "tiny"), { recursive: true });
  fs.writeFileSync(path.join(dir, "node_modules", "tiny", "package.json"), JSON.stringify({ name: "tiny", version: "1.0.0" }));
  fs.writeFileSync(path.join(dir, "node_modules", "tiny", "index.js"), "module.exports = 1;\n");
  const script = `${LOADED}
    const pulumi = require(${JSON.stringify(SDK)});
    const base = 40;
    (async () => {
      const serialized = await pulumi.runtime.serializeFunction(() => base + 2);
      const paths = await pulumi.runtime.computeCodePaths();
      const handler = new Function("exports", "require", serialized.text);
      const exports = {};
      handler(exports, require);
      console.log(JSON.stringify({ text: serialized.text, result: exports.handler(), paths: [...paths.keys()].sort(), typescript: loaded("/typescript/lib/typescript.js") }));
    })();`;
  const withHook = runNode(script, { hook: true, cwd: dir });
  const withoutHook = runNode(script, { hook: false, cwd: dir });
  assert.equal(withHook.result, 42);
  assert.deepEqual(withHook.paths, ["node_modules/tiny"]);
  assert.equal(withHook.typescript, true, "the first use loaded the real TypeScript");
  assert.deepEqual(withHook, withoutHook);
});
