import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { upgrade } from "../../../provider/connector/provider";
import type { ConnectorOutputs } from "../../../provider/connector/plan";

// State written by an earlier version of the provider is read by this one.
describe("Connector state upgrade", () => {
  const base = {
    name: "orders-cdc",
    groupName: "grp",
    groupKey: "k",
    kafka: { brokers: ["k:9092"] },
    source: { host: "db", database: "shop", user: "cdc", password: "pw" },
    tables: ["orders"],
    topicPrefix: "shop",
    consumerGroup: "connect-orders-cdc",
    transactionalId: "cdc-grp-orders-cdc",
    revision: "r1",
  };

  test("outputs without stateVersion or status read as version 1 with an UNKNOWN status", () => {
    const upgraded = upgrade(base as unknown as ConnectorOutputs);
    assert.equal(upgraded.stateVersion, 1);
    assert.deepEqual(upgraded.status, { state: "UNKNOWN" });
    assert.equal(upgraded.revision, "r1");
  });

  test("a known status is kept", () => {
    const upgraded = upgrade({ ...base, status: { state: "RUNNING", worker: "w" }, stateVersion: 1 } as ConnectorOutputs);
    assert.deepEqual(upgraded.status, { state: "RUNNING", worker: "w" });
  });
});
