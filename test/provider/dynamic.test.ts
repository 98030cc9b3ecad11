/**
 * provider/dynamic.ts: the `__provider` text, evaluated the way @pulumi/pulumi's dynamic provider
 * host does (require-from-string, then `handler()`), forwards each method to its module; the
 * resources are registered with the type pulumi.dynamic.Resource gave them and that text.
 */
import assert from "node:assert/strict";
import os from "node:os";
import { describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { providerModuleCandidates, providerModuleText } from "../../provider/dynamic";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
const mocksReady = pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}_id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  "project",
  "stack",
  false,
);

/** What the host does with a `__provider` text (cmd/dynamic-provider: requireFromString(text).handler()). */
function hostLoad(text: string): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const requireFromString = require("require-from-string") as (code: string) => { handler(): Record<string, (...args: unknown[]) => Promise<unknown>> };
  return requireFromString(text).handler();
}

// Relative to dist/provider: this test's fixture module.
const FIXTURE = "../test/provider/dynamic-fixture";

describe("providerModuleText", () => {
  test("each method loads the module and calls its method of the same name (del for delete)", async () => {
    const provider = hostLoad(providerModuleText(FIXTURE));
    assert.deepEqual(Object.keys(provider).sort(), ["check", "create", "delete", "diff", "read", "update"]);
    for (const [method, exported] of [["check", "check"], ["diff", "diff"], ["create", "create"], ["update", "update"], ["read", "read"], ["delete", "del"]]) {
      assert.deepEqual(await provider[method]!("id-1", { a: 1 }, { b: 2 }), { method: exported, args: ["id-1", { a: 1 }, { b: 2 }] }, method);
    }
  });

  test("the module is looked for by package name first, then in this copy; the text holds nothing else of the program", () => {
    const text = providerModuleText("connector/provider");
    const [byName, copy] = providerModuleCandidates("connector/provider");
    assert.equal(byName, "pulumi-mysql-kafka-cdc/dist/provider/connector/provider");
    assert.match(copy!, /dist\/provider\/connector\/provider$/);
    assert.ok(text.includes(JSON.stringify([byName, copy])));
    assert.ok(text.length < 1500, `a small text: ${text.length} characters`);
  });

  test("the same text whatever the working directory: the host resolves the module from the project directory first", async () => {
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      assert.deepEqual(await hostLoad(providerModuleText(FIXTURE)).read("x", {}), { method: "read", args: ["x", {}] });
    } finally {
      process.chdir(cwd);
    }
  });

  test("a module that cannot be found: the method fails naming the package to install", async () => {
    const provider = hostLoad(providerModuleText("no/such-module"));
    // The host awaits each method inside an async function: a throw is a failed operation.
    await assert.rejects(async () => provider.check({}, {}), /cannot find pulumi-mysql-kafka-cdc\/dist\/provider\/no\/such-module or .*: install pulumi-mysql-kafka-cdc in the Pulumi project \(npm install pulumi-mysql-kafka-cdc\)/);
  });
});

describe("ForwardingResource", () => {
  test("a Connector and a TopicSet are registered as pulumi.dynamic.Resource types, with their provider text", async () => {
    await mocksReady;
    const { TopicSet } = require("../../provider/topic-set") as typeof import("../../provider/topic-set");
    const source = { host: "db", port: 3306, database: "shop", user: "u", password: pulumi.secret("p") };
    new TopicSet("shop", { kafka: { brokers: ["k:9092"] }, source, tables: ["orders"], topicPrefix: "shop" });
    await new Promise((r) => setTimeout(r, 100));
    const set = registered.find((r) => r.name === "shop");
    assert.equal(set?.type, "pulumi-nodejs:dynamic/mysql-kafka-cdc:index:TopicSet");
    assert.equal(set?.inputs.__provider, providerModuleText("topic-set/provider"));
  });
});
