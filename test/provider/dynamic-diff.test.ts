/**
 * The detailed diff reaches the engine through the dynamic provider host's DiffResponse (checked
 * end to end by test/e2e/changes-topics.test.ts, whose preview --json shows it). Here: what the patch
 * does with a response message of the pinned @pulumi/pulumi, and that outside the host nothing is
 * patched and a result still reads as a plain DiffResult.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { installDetailedDiff, withDetailedDiff } from "../../provider/dynamic-diff";

describe("withDetailedDiff", () => {
  test("outside the provider host: nothing is patched, the result is the DiffResult it was given", () => {
    assert.equal(installDetailedDiff(), "not-in-host");
    const result = withDetailedDiff({ changes: true, replaces: ["name"], deleteBeforeReplace: false }, { name: "update-replace" });
    assert.deepEqual({ ...result, changes: result.changes }, { changes: true, replaces: ["name"], deleteBeforeReplace: false });
  });

  test("inside a process whose main is the host's script, a DiffResponse gets the detailed diff, diffs and stables", () => {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const dist = path.resolve(__dirname, "../../provider/dynamic-diff.js");
    // The host's layout: <pkg>/cmd/dynamic-provider/index.js beside <pkg>/proto and <pkg>/package.json.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dyn-host-"));
    try {
      fs.mkdirSync(path.join(dir, "cmd", "dynamic-provider"), { recursive: true });
      fs.mkdirSync(path.join(dir, "proto"));
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ version: (require("@pulumi/pulumi/package.json") as { version: string }).version }));
      fs.writeFileSync(path.join(dir, "proto", "provider_pb.js"), `module.exports = require(${JSON.stringify(path.join(pulumiDir, "proto", "provider_pb.js"))});`);
      fs.writeFileSync(
        path.join(dir, "cmd", "dynamic-provider", "index.js"),
        `
        const proto = require("../../proto/provider_pb");
        const d = require(${JSON.stringify(dist)});
        const result = d.withDetailedDiff({ changes: true, replaces: [] }, { "source.password": "update", tables: "update" }, { stables: ["name"], outputs: [] });
        // What the host does with a result, in one synchronous run.
        const resp = new proto.DiffResponse();
        if (result.changes === true) resp.setChanges(proto.DiffResponse.DiffChanges.DIFF_SOME);
        const other = new proto.DiffResponse();
        other.setChanges(proto.DiffResponse.DiffChanges.DIFF_NONE);
        const entries = resp.getDetaileddiffMap().getEntryList().map(([k, v]) => [k, v[0], v[1]]);
        console.log(JSON.stringify({ state: d.installDetailedDiff(), has: resp.getHasdetaileddiff(), entries, diffs: resp.getDiffsList(), stables: resp.getStablesList(), other: other.getHasdetaileddiff() }));
        `,
      );
      const run = spawnSync(process.execPath, [path.join(dir, "cmd", "dynamic-provider", "index.js")], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout.trim().split("\n").pop() as string);
      assert.equal(out.state, "installed");
      assert.equal(out.has, true);
      // PropertyDiff.Kind UPDATE = 4; inputDiff true.
      assert.deepEqual(out.entries.sort(), [["source.password", 4, true], ["tables", 4, true]]);
      assert.deepEqual(out.diffs.sort(), ["source", "tables"]);
      assert.deepEqual(out.stables, ["name"]);
      assert.equal(out.other, false, "a response no result of ours read is left alone");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
