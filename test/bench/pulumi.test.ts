import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { createPulumiSandbox, writeProject, type PulumiSandbox } from "./pulumi";
import { useBench, type Bench } from "./services";

// Smoke test: the real Pulumi engine runs a program with a trivial dynamic resource against a
// local file backend: preview changes nothing, up creates, destroy removes.
let bench: Bench;
let sandbox: PulumiSandbox;
let project: string;
let marker: string;

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
// A dynamic provider that owns one file: the resource exists exactly when the file does.
const markerProvider = {
  async create(inputs) {
    require("node:fs").writeFileSync(inputs.path, inputs.content);
    return { id: inputs.path, outs: { ...inputs, length: inputs.content.length } };
  },
  async read(id, props) {
    const fs = require("node:fs");
    return fs.existsSync(id) ? { id, props: { ...props, content: fs.readFileSync(id, "utf8") } } : { id: "", props: {} };
  },
  async delete(id) {
    require("node:fs").rmSync(id, { force: true });
  },
};
class Marker extends pulumi.dynamic.Resource {
  constructor(name, args, opts) {
    super(markerProvider, name, { length: undefined, ...args }, opts);
  }
}
const config = new pulumi.Config();
const marker = new Marker("marker", { path: config.require("path"), content: "hello from pulumi" });
exports.length = marker.length;
`;

before(async () => {
  bench = await useBench({ pulumi: true });
  sandbox = await createPulumiSandbox();
  project = path.join(sandbox.dir, "project");
  marker = path.join(sandbox.dir, "marker.txt");
  writeProject(project, { name: "bench-smoke", program: PROGRAM });
});

after(async () => {
  sandbox.remove();
  await bench.stop();
});

async function pulumi(args: string[]): Promise<string> {
  const result = await sandbox.pulumi(args, { cwd: project });
  assert.equal(result.code, 0, `pulumi ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

test("pulumi preview, up and destroy of a dynamic resource against a local backend", async () => {
  assert.match(await pulumi(["version"]), /^v3\.\d+\.\d+/);
  await pulumi(["stack", "init", "smoke"]);
  await pulumi(["config", "set", "path", marker]);

  const preview = await pulumi(["preview"]);
  assert.match(preview, /\+\s+pulumi-nodejs:dynamic:Resource\s+marker\s+create/);
  assert.match(preview, /\+ 2 to create/);
  assert.equal(fs.existsSync(marker), false, "preview must not create anything");

  const up = await pulumi(["up", "--yes", "--skip-preview"]);
  assert.match(up, /\+ 2 created/);
  assert.equal(fs.readFileSync(marker, "utf8"), "hello from pulumi");
  assert.deepEqual(JSON.parse(await pulumi(["stack", "output", "--json"])), { length: 17 });

  // The state file lives in the local backend, not in ~/.pulumi.
  const stateFiles = fs.readdirSync(path.join(sandbox.backendDir, ".pulumi", "stacks", "bench-smoke"));
  assert.ok(stateFiles.some((f) => f.startsWith("smoke.json")), `state files: ${stateFiles.join(", ")}`);
  // sandbox.deployment reads that file: the same deployment `pulumi stack export` prints.
  const exportedAfterUp = JSON.parse(await pulumi(["stack", "export"])) as { deployment: { resources: { urn: string }[] } };
  assert.deepEqual(sandbox.deployment("bench-smoke", "smoke").resources?.map((r) => r.urn), exportedAfterUp.deployment.resources.map((r) => r.urn));
  assert.ok(exportedAfterUp.deployment.resources.some((r) => r.urn.endsWith("::marker")));

  const noChange = await pulumi(["preview"]);
  assert.match(noChange, /2 unchanged/);

  const destroy = await pulumi(["destroy", "--yes", "--skip-preview"]);
  assert.match(destroy, /- 2 deleted/);
  assert.equal(fs.existsSync(marker), false, "destroy must remove the file");
  const exported = JSON.parse(await pulumi(["stack", "export"])) as { deployment: { resources?: unknown[] } };
  assert.deepEqual(exported.deployment.resources ?? [], []);
  assert.deepEqual(sandbox.deployment("bench-smoke", "smoke").resources ?? [], []);
});
