/** A table's member resource: what its delete does with the topic, against the real broker. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { del, deletion, diff, type MemberInputs } from "../../../provider/topic-set/member";
import { KafkaAdmin } from "../../../runtime/sink/admin";
import { useBench, type Bench } from "../../bench/services";
import { kafkaOf, uniqueName } from "../../runtime/fixtures";

function member(overrides: Partial<MemberInputs> = {}): MemberInputs {
  return { brokers: ["k:9092"], topicPrefix: "shop", table: "orders", topic: "shop_orders", ownership: "created", ...overrides };
}

describe("deletion", () => {
  test("a topic the TopicSet made is deleted; retainOnDelete keeps it; an adopted one is kept unless deleteAdoptedTopics", () => {
    assert.deepEqual(deletion(member()), { delete: true, why: "" });
    assert.deepEqual(deletion(member({ retainOnDelete: true })), { delete: false, why: "retainOnDelete" });
    assert.equal(deletion(member({ ownership: "adopted" })).delete, false);
    assert.equal(deletion(member({ ownership: "adopted", deleteAdoptedTopics: true })).delete, true);
    assert.equal(deletion(member({ ownership: "adopted", deleteAdoptedTopics: true, retainOnDelete: true })).delete, false);
  });
});

describe("diff", () => {
  test("another topic (a new prefix) replaces the member; its flags update it; nothing else is a change", async () => {
    assert.deepEqual(await diff("t", member(), member({ topic: "shop2_orders", topicPrefix: "shop2" })), { changes: true, replaces: ["topic"], deleteBeforeReplace: false });
    assert.deepEqual(await diff("t", member(), member({ retainOnDelete: true })), { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.deepEqual(await diff("t", member(), member()), { changes: false, replaces: [], deleteBeforeReplace: false });
  });
});

describe("delete against the broker", () => {
  let bench: Bench;
  let admin: KafkaAdmin;
  const topics = [uniqueName("member-"), uniqueName("member-"), uniqueName("member-")];
  before(async () => {
    bench = await useBench({ kafka: true });
    admin = await KafkaAdmin.connect(kafkaOf(bench));
    await admin.ensureTopics(topics.map((topic) => ({ topic, partitions: 1 })));
  });
  after(async () => {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
    await bench.stop();
  });

  test("deletes a made topic, keeps a retained or adopted one; a topic already gone is fine", async () => {
    const [made, retained, adopted] = topics;
    await del(made, member({ brokers: bench.kafka.brokers, topic: made }));
    await del(retained, member({ brokers: bench.kafka.brokers, topic: retained, retainOnDelete: true }));
    await del(adopted, member({ brokers: bench.kafka.brokers, topic: adopted, ownership: "adopted" }));
    assert.deepEqual((await admin.partitionCounts(topics)).missing, [made]);
    await del(made, member({ brokers: bench.kafka.brokers, topic: made }));
  });
});
