/**
 * The topics the runtime made for a connector (its claims): which the config still writes, and
 * what an update and a delete do with the others, against the real broker.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cleanUpAfterUpdate, currentClaims, planClaims, removeClaimedTopics } from "../../../provider/connector/own-topics";
import { normalizeConnectorConfig, type ConnectorConfig } from "../../../runtime/contract/config";
import { groupTopics } from "../../../runtime/contract/names";
import { encodeRecord, topicClaimKey, type TopicClaim } from "../../../runtime/contract/records";
import { KafkaAdmin } from "../../../runtime/sink/admin";
import { useBench, type Bench } from "../../bench/services";
import { kafkaOf, uniqueName, writeRecord } from "../../runtime/fixtures";
import { inputs } from "./inputs";

function claim(topic: string, kind: TopicClaim["kind"], table?: string): TopicClaim {
  return { version: 1, connector: "c1", topic, kind, ...(table ? { table } : {}), at: "2026-12-01T00:00:00.000Z" };
}

function config(overrides: Record<string, unknown> = {}, source: Record<string, unknown> = {}): ConnectorConfig {
  const result = normalizeConnectorConfig({ name: "c1", topicPrefix: "shop", source: { host: "h", database: "d", user: "u", password: "p", tables: ["orders"], ...source }, ...overrides });
  assert.ok(result.ok);
  return result.config;
}

describe("planClaims", () => {
  const claims = [claim("shop_heartbeat", "heartbeat"), claim("shop_dead_letter", "deadLetter"), claim("shop_ddl", "ddl"), claim("shop_auto_a", "table", "auto_a")];

  test("what the config writes is kept", () => {
    const plan = planClaims(claims, config({ ddlTopic: "shop_ddl" }, { autoAddTables: "auto_.*" }));
    assert.deepEqual(plan.keep.map((c) => c.topic), ["shop_heartbeat", "shop_dead_letter", "shop_ddl", "shop_auto_a"]);
    assert.deepEqual([plan.remove, plan.release], [[], []]);
  });

  test("a new prefix, heartbeats off, no DDL topic, no autoAddTables: all go", () => {
    assert.deepEqual(planClaims(claims, config({ topicPrefix: "shop2" })).remove.map((c) => c.topic), claims.map((c) => c.topic));
    assert.deepEqual(planClaims(claims, config({ heartbeatSeconds: 0 })).remove.map((c) => c.topic), ["shop_heartbeat", "shop_ddl", "shop_auto_a"]);
  });

  test("an auto-added table now listed in tables: its topic is released, not deleted", () => {
    const plan = planClaims(claims, config({}, { tables: ["orders", "auto_a"], autoAddTables: "auto_.*" }));
    assert.deepEqual(plan.release.map((c) => c.topic), ["shop_auto_a"]);
    assert.ok(!plan.remove.some((c) => c.topic === "shop_auto_a"));
  });
});

describe("against the broker", () => {
  let bench: Bench;
  let admin: KafkaAdmin;
  const kafkaClient = () => kafkaOf(bench);
  const group = uniqueName("g-");
  const prefix = uniqueName("own");
  const made: string[] = [];

  before(async () => {
    bench = await useBench({ kafka: true });
    admin = await KafkaAdmin.connect(kafkaClient());
    await admin.ensureTopics(Object.values(groupTopics(group)).map((topic) => ({ topic, partitions: 1, configs: { "cleanup.policy": "compact" } })));
  });

  after(async () => {
    await admin.deleteTopics([...made, ...Object.values(groupTopics(group))]).catch(() => undefined);
    await admin.disconnect();
    await bench.stop();
  });

  async function claimTopics(name: string, claims: TopicClaim[], records: Record<string, number> = {}): Promise<void> {
    await admin.ensureTopics(claims.map((c) => ({ topic: c.topic, partitions: 1 })));
    made.push(...claims.map((c) => c.topic));
    for (const c of claims) await writeRecord(kafkaClient(), groupTopics(group).status, topicClaimKey(name, c.topic), encodeRecord({ ...c, connector: name }).toString());
    const producer = kafkaClient().producer();
    await producer.connect();
    for (const [topic, count] of Object.entries(records)) await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: String(i), value: "x" })) });
    await producer.disconnect();
  }

  /**
   * Which of `topics` exist, once they are `expected` or 10 s passed: a deleted topic can still
   * be listed for a moment (the broker's metadata follows the controller; seen under load).
   */
  async function exists(topics: string[], expected: string[]): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = [...(await admin.partitionCounts(topics)).counts.keys()].sort();
      if (JSON.stringify(found) === JSON.stringify([...expected].sort()) || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test("an update with a new prefix deletes the old heartbeat and the empty dead letter topic, keeps one with records", async () => {
    const name = uniqueName("c-");
    const old = [claim(`${prefix}_heartbeat`, "heartbeat"), claim(`${prefix}_dead_letter`, "deadLetter"), claim(`${prefix}_dlq_full`, "deadLetter")];
    await claimTopics(name, old, { [`${prefix}_dlq_full`]: 2 });
    await cleanUpAfterUpdate(kafkaClient(), inputs({ name, groupName: group, topicPrefix: `${prefix}x`, kafka: { brokers: bench.kafka.brokers } }));
    assert.deepEqual(await exists(old.map((c) => c.topic), [`${prefix}_dlq_full`]), [`${prefix}_dlq_full`]);
    // The kept dead letter topic stays claimed (deleted with the connector once empty); the others are released.
    assert.deepEqual((await currentClaims(kafkaClient(), group, name)).map((c) => c.topic), [`${prefix}_dlq_full`]);
  });

  test("a delete removes every claimed topic (dead letters when empty) and all claims; retainOnDelete keeps the topics", async () => {
    const name = uniqueName("c-");
    const claims = [claim(`${prefix}_d_heartbeat`, "heartbeat"), claim(`${prefix}_d_auto`, "table", "auto"), claim(`${prefix}_d_dead`, "deadLetter")];
    await claimTopics(name, claims, { [`${prefix}_d_dead`]: 1 });
    await removeClaimedTopics(kafkaClient(), group, name, false);
    assert.deepEqual(await exists(claims.map((c) => c.topic), [`${prefix}_d_dead`]), [`${prefix}_d_dead`]);
    assert.deepEqual(await currentClaims(kafkaClient(), group, name), []);

    const kept = uniqueName("c-");
    const keptClaims = [claim(`${prefix}_k_heartbeat`, "heartbeat")];
    await claimTopics(kept, keptClaims);
    await removeClaimedTopics(kafkaClient(), group, kept, true);
    assert.deepEqual(await exists(keptClaims.map((c) => c.topic), [`${prefix}_k_heartbeat`]), [`${prefix}_k_heartbeat`]);
    assert.deepEqual(await currentClaims(kafkaClient(), group, kept), []);
  });
});
