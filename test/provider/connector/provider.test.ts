import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as connectorProvider from "../../../provider/connector/provider";
import { statusOf, upgrade } from "../../../provider/connector/provider";
import { currentClaims } from "../../../provider/connector/own-topics";
import type { ConnectorInputs, ConnectorOutputs } from "../../../provider/connector/plan";
import { heartbeatTopic, tableTopic } from "../../../runtime/contract/names";
import { KafkaAdmin } from "../../../runtime/sink/admin";
import type { Bench } from "../../bench/services";
import { useBench } from "../../bench/services";
import { consume, createFixture, inSequence, tearDown, uniqueName, type Fixture } from "../../runtime/fixtures";
import { deliveryProblems, idCounts, writeRows } from "../../runtime/load";

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

// A replacement against the bench, calling the provider's own methods the way the engine does on
// `pulumi up` (check without the old inputs, create, then delete of the old one at the end), with a
// real runtime serving the group and rows written all the while: every row arrives once.
describe("a Connector renamed: the replacement takes over from the connector it replaces", () => {
  let bench: Bench;
  let fx: Fixture;
  before(async () => {
    bench = await useBench({ mariadb: true, kafka: true });
    fx = await createFixture(bench, { tables: ["moves"] });
    await fx.sql("CREATE TABLE moves (id INT PRIMARY KEY, payload VARCHAR(40))");
    await fx.createTopics([{ table: "moves", partitions: 3 }]);
    await fx.startRuntime({ CDC_RETRY_BASE_MS: "200" });
  });
  after(() => tearDown(bench, fx));

  function connectorInputs(name: string): ConnectorInputs {
    const m = bench.mariadb;
    return {
      name,
      groupName: fx.group,
      groupKey: fx.groupKey,
      kafka: { brokers: bench.kafka.brokers },
      source: { host: m.host, port: m.port, database: fx.database, user: m.cdc.user, password: m.cdc.password },
      tables: ["moves"],
      topicPrefix: fx.prefix,
      owner: `test/dev/${fx.prefix}`,
      deployTimeoutSeconds: 60,
    };
  }

  test("rows written during the rename arrive exactly once; the old one's delete leaves the new one's topics", async () => {
    const checked = await connectorProvider.check(undefined, connectorInputs(uniqueName("old-")));
    assert.deepEqual(checked.failures, []);
    const first = checked.inputs as ConnectorInputs;
    const created = await connectorProvider.create(first);
    const writing = writeRows(fx.admin, { table: `${fx.database}.moves`, rows: 3000, batch: 20, statementsPerTransaction: 1, rowsPerSecond: 600 });

    const rechecked = await connectorProvider.check(undefined, connectorInputs(uniqueName("new-")));
    assert.deepEqual(rechecked.failures, [], "the old registration is this resource's own, not another connector");
    const renamed = rechecked.inputs as ConnectorInputs;
    assert.equal(renamed.replacing?.name, first.name);
    assert.equal(renamed.replacing?.takesPosition, true);
    const next = await connectorProvider.create(renamed);
    await connectorProvider.del(created.id, created.outs as ConnectorOutputs);
    await writing;

    const topic = tableTopic(fx.prefix, "moves");
    const messages = await consume(fx.kafka, [topic], (m) => m.length >= 3000, 90_000, 2_000);
    const { missing, duplicated } = deliveryProblems(idCounts(messages.map((m) => m.value)), 3000);
    assert.deepEqual({ missing, duplicated }, { missing: [], duplicated: [] });
    // sequenceIds go on from where the old connector stopped: one increasing order across the rename.
    const ordered = inSequence(messages).map((m) => m.payload.after.dataColumn.id as number);
    assert.deepEqual(ordered, Array.from({ length: 3000 }, (_, i) => i + 1));
    // The heartbeat topic the runtime made for the old connector is the new one's now: kept.
    const claims = await currentClaims(fx.kafka, fx.group, renamed.name);
    assert.ok(claims.some((c) => c.topic === heartbeatTopic(fx.prefix)), JSON.stringify(claims));
    assert.deepEqual(await currentClaims(fx.kafka, fx.group, first.name), []);
    const admin = await KafkaAdmin.connect(fx.kafka);
    try {
      assert.deepEqual((await admin.partitionCounts([heartbeatTopic(fx.prefix)])).missing, []);
    } finally {
      await admin.disconnect();
    }
    await connectorProvider.del(next.id, next.outs as ConnectorOutputs);
  });
});
