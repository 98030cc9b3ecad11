/** Connector's per-field diff: the replace rules, what updates, what is no change, and the detailed diff. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { diffConnector } from "../../../provider/connector/diff";
import type { ConnectorInputs } from "../../../provider/connector/plan";
import { inputs, outputs } from "./inputs";

describe("diffConnector", () => {
  test("identical inputs: no changes, nothing detailed (outputs-only fields are ignored)", () => {
    const d = diffConnector(outputs(), inputs());
    assert.equal(d.changes, false);
    assert.deepEqual(d.detailed, {});
    assert.deepEqual([d.replaces, d.updates, d.unused], [[], [], []]);
  });

  test("name, group, host, port and database replace; the replacement takes over, so the old one is not deleted first", () => {
    const cases: [string, ConnectorInputs][] = [
      ["name", inputs({ name: "orders-cdc-2" })],
      ["groupName", inputs({ groupName: "grp2" })],
      ["source.host", inputs({}, { host: "db2" })],
      ["source.port", inputs({}, { port: 3307 })],
      ["source.database", inputs({}, { database: "shop2" })],
    ];
    for (const [path, news] of cases) {
      const d = diffConnector(outputs(), news);
      assert.deepEqual([d.changes, d.replaces, d.deleteBeforeReplace], [true, [path], false], path);
      assert.deepEqual(d.detailed, { [path]: "update-replace" }, path);
      // A new name also moves the default serverId the runtime derives from it.
      assert.deepEqual(d.updates, path === "name" ? ["source.serverId"] : [], path);
    }
  });

  test("state from before owners: a replacement cannot find the old connector, so it is deleted first", () => {
    const d = diffConnector(outputs({ owner: undefined }), inputs({ name: "orders-cdc-2" }));
    assert.deepEqual([d.replaces, d.deleteBeforeReplace], [["name"], true]);
  });

  test("what the runtime sees decides: the default port, an option set to its default, the tables in another order are no change", () => {
    assert.equal(diffConnector(outputs({}, { port: undefined }), inputs({}, { port: 3306 })).changes, false);
    assert.equal(diffConnector(outputs(), inputs({ format: "dataworks", compression: "lz4", acks: "all", heartbeatSeconds: 10, retry: { connectionMinutes: 720 } })).changes, false);
    assert.equal(diffConnector(outputs({ tables: ["a", "b", "c"] }), inputs({ tables: ["c", "a", "b"] })).changes, false);
  });

  test("retainOnDelete false and unset are the same", () => {
    assert.equal(diffConnector(outputs(), inputs({ retainOnDelete: false })).changes, false);
  });

  test("deployTimeoutSeconds is the provider's wait, not the connector's: no update", () => {
    const d = diffConnector(outputs(), inputs({ deployTimeoutSeconds: 60 }));
    assert.deepEqual([d.changes, d.detailed], [false, {}]);
  });

  test("initialSync and startPosition act at a first start only: no update, listed as unused", () => {
    const d = diffConnector(outputs(), inputs({ initialSync: true, startPosition: "earliest" }));
    assert.deepEqual([d.changes, d.unused, d.updates], [false, ["initialSync", "startPosition"], []]);
  });

  test("what the runtime runs updates in place, each listed in the detailed diff", () => {
    const cases: [string, ConnectorInputs][] = [
      ["groupKey", inputs({ groupKey: Buffer.alloc(32, 9).toString("base64") })],
      ["source.user", inputs({}, { user: "cdc2" })],
      ["source.password", inputs({}, { password: "rotated" })],
      ["source.region", inputs({}, { region: "cn-beijing" })],
      ["source.rdsInstanceId", inputs({}, { rdsInstanceId: "rm-2" })],
      ["source.timezone", inputs({}, { timezone: "+08:00" })],
      ["source.serverId", inputs({}, { serverId: 99 })],
      ["autoAddTables", inputs({ autoAddTables: "^o.*" })],
      ["format", inputs({ format: "canal" })],
      ["compression", inputs({ compression: "none" })],
      ["acks", inputs({ acks: "0" })],
      ["partitionPolicy", inputs({ partitionPolicy: "table-hash" })],
      ["retry", inputs({ retry: { connectionMinutes: 30 } })],
      ["throttle", inputs({ throttle: { megabytesPerSecond: 2 } })],
      ["maxRecordBytes", inputs({ maxRecordBytes: 4096 })],
      ["heartbeatSeconds", inputs({ heartbeatSeconds: 0 })],
      ["ddlTopic", inputs({ ddlTopic: "shop_ddl" })],
      ["paused", inputs({ paused: true })],
      ["owner", inputs({ owner: "cdc/renamed-stack/orders" })],
    ];
    for (const [path, news] of cases) {
      const d = diffConnector(outputs(), news);
      assert.deepEqual([d.changes, d.replaces, d.updates], [true, [], [path]], path);
      assert.equal(Object.keys(d.detailed).length, 1, path);
      assert.match(d.detailed[path] ?? "", /^(update|add)$/, path);
    }
  });

  test("a new prefix is listed as topicPrefix, not as the default dead letter topic it moves", () => {
    const d = diffConnector(outputs(), inputs({ topicPrefix: "shop2" }));
    assert.deepEqual(d.updates, ["topicPrefix", "deadLetterTopic"]);
    assert.deepEqual(d.detailed, { topicPrefix: "update" });
  });

  test("what only the provider uses updates the state", () => {
    for (const [path, news] of [
      ["kafka.brokers", inputs({ kafka: { brokers: ["127.0.0.1:9093"] } })],
      ["manageGrants", inputs({ manageGrants: { adminUser: "root", adminPassword: "pw" } })],
      ["retainOnDelete", inputs({ retainOnDelete: true })],
    ] as [string, ConnectorInputs][]) {
      const d = diffConnector(outputs(), news);
      assert.deepEqual([d.changes, d.updates], [true, [path]], path);
    }
  });

  test("added, changed and removed inputs have their own kinds", () => {
    assert.deepEqual(diffConnector(outputs(), inputs({ ddlTopic: "d" })).detailed, { ddlTopic: "add" });
    assert.deepEqual(diffConnector(outputs({ ddlTopic: "d" }), inputs()).detailed, { ddlTopic: "delete" });
    assert.deepEqual(diffConnector(outputs(), inputs({ name: "n2", format: "canal" })).detailed, { name: "update-replace", format: "add" });
  });

  test("a nested change inside an object input is found", () => {
    const olds = outputs({ retry: { connectionMinutes: 60, otherMinutes: 5 } });
    assert.deepEqual(diffConnector(olds, inputs({ retry: { connectionMinutes: 60, otherMinutes: 6 } })).updates, ["retry"]);
    assert.equal(diffConnector(olds, inputs({ retry: { connectionMinutes: 60, otherMinutes: 5 } })).changes, false);
  });

  test("tables added and removed: an update, with the lists", () => {
    const d = diffConnector(outputs({ tables: ["orders", "items", "users"] }), inputs({ tables: ["items", "customers", "carts"] }));
    assert.deepEqual([d.updates, d.addedTables, d.removedTables, d.replaces], [["tables"], ["customers", "carts"], ["orders", "users"], []]);
    assert.deepEqual(d.detailed, { tables: "update" });
  });

  test("a connector a refresh saw FAILED is updated (written again) even with the same inputs", () => {
    const failed = outputs({}, {}, { status: { state: "FAILED", errorCode: "SOURCE_AUTH_FAILED", reason: "denied" } });
    const d = diffConnector(failed, inputs());
    assert.deepEqual([d.changes, d.restartsFailed, d.updates, d.detailed], [true, true, [], { status: "update" }]);
  });
});
