/** How check failures reach the engine's messages. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { engineFailures, knownFailures } from "../../provider/diagnostics";
import { UNKNOWN } from "../../provider/types";

describe("engineFailures", () => {
  test("a top-level property stays as it is (the engine prints its value itself)", () => {
    assert.deepEqual(engineFailures({ name: "Bad" }, [{ property: "name", reason: "r" }]), [{ property: "name", reason: "r" }]);
  });

  test("a nested property travels in the reason with its value, which the engine would print as {<nil>}", () => {
    const inputs = { partitions: { orders: 3 }, source: { port: 70000, host: "db" }, tables: ["a", "b"] };
    assert.deepEqual(engineFailures(inputs, [{ property: "partitions.orders", reason: "asks for 3" }, { property: "source.port", reason: "r" }, { property: "tables[1]", reason: "t" }]), [
      { property: "", reason: "property partitions.orders value 3: asks for 3" },
      { property: "", reason: "property source.port value 70000: r" },
      { property: "", reason: 'property tables[1] value "b": t' },
    ]);
  });

  test("a secret's value is never shown, whatever its type; objects and long text neither", () => {
    const inputs = { source: { password: 123456789 }, manageGrants: { adminPassword: "pw" }, kafka: { limits: { maxTopics: { x: 1 } } }, s: { long: "x".repeat(200) } };
    const reasons = engineFailures(inputs, [
      { property: "source.password", reason: "must be a string" },
      { property: "manageGrants.adminPassword", reason: "r" },
      { property: "kafka.limits.maxTopics", reason: "r" },
      { property: "s.long", reason: "r" },
    ]).map((f) => f.reason);
    assert.deepEqual(reasons, ["property source.password: must be a string", "property manageGrants.adminPassword: r", "property kafka.limits.maxTopics: r", "property s.long: r"]);
    assert.ok(!reasons.join().includes("123456789"));
  });
});

describe("engineFailures: secrets in reasons", () => {
  test("a password (or key) value that a reason quotes, from whatever error, is replaced", () => {
    const inputs = { source: { password: "hunter2-pw" }, groupKey: "a2V5LWtleS1rZXk=", manageGrants: { adminPassword: 5550123 } };
    const failures = engineFailures(inputs, [
      { property: "source", reason: "Received type string (hunter2-pw) and a2V5LWtleS1rZXk= and 5550123" },
      { property: "source.host", reason: "nothing secret" },
    ]);
    assert.deepEqual(failures.map((f) => f.reason), ["Received type string ([secret]) and [secret] and [secret]", "property source.host: nothing secret"]);
  });
});

describe("knownFailures", () => {
  test("failures about inputs not known yet (preview) are dropped", () => {
    assert.deepEqual(knownFailures({ a: UNKNOWN, b: { c: 1 } }, [{ property: "a", reason: "x" }, { property: "b.c", reason: "y" }]), [{ property: "b.c", reason: "y" }]);
  });
});
