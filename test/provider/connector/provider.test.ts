import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { statusOf, upgrade } from "../../../provider/connector/provider";
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

describe("Connector status from the runtime's status record", () => {
  test("a RUNNING status keeps the runtime's warnings, worker, time and lag", () => {
    const warnings = ["database shop has no table refunds any more (dropped or renamed since the connector started): ..."];
    const status = statusOf({ version: 1, connector: "c", state: "RUNNING", worker: "w-1", at: "2026-11-21T00:00:00.000Z", lagSeconds: 3, warnings });
    assert.deepEqual(status, { state: "RUNNING", worker: "w-1", at: "2026-11-21T00:00:00.000Z", lagSeconds: 3, warnings });
  });

  test("FAILED keeps code, reason and fix; no record is UNKNOWN", () => {
    const status = statusOf({ version: 1, connector: "c", state: "FAILED", worker: "w", at: "t", errorCode: "BINLOG_PURGED", reason: "r", fix: "f" });
    assert.deepEqual(status, { state: "FAILED", worker: "w", at: "t", errorCode: "BINLOG_PURGED", reason: "r", fix: "f" });
    assert.equal(statusOf(null).state, "UNKNOWN");
  });
});
