/** Every line preview says about a Connector change, word for word. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { diffConnector } from "../../../provider/connector/diff";
import type { Replacing } from "../../../provider/connector/plan";
import { describeClaimCleanup, describeDeletedTopics, describeReplacement, describeTableChange, describeUpdate } from "../../../provider/connector/preview-notes";
import type { TopicClaim } from "../../../runtime/contract/records";
import { inputs, outputs } from "./inputs";

describe("describeTableChange", () => {
  test("added tables are streamed from now on and not backfilled, whether initialSync is on or off", () => {
    const d = diffConnector(outputs(), inputs({ tables: ["orders", "items", "users"] }));
    assert.deepEqual(describeTableChange(d, true, "c1"), [
      "connector c1: tables items, users will be added and streamed from now on; their existing rows are not backfilled (initialSync copies the tables of a new connector only)",
    ]);
    assert.deepEqual(describeTableChange(d, undefined, "c1"), [
      "connector c1: tables items, users will be added and streamed from now on; their existing rows are not backfilled (initialSync is off)",
    ]);
  });

  test("removed tables are no longer streamed; nothing is said of their topics (a TopicSet's)", () => {
    const d = diffConnector(outputs({ tables: ["orders", "items"] }), inputs({ tables: ["items"] }));
    assert.deepEqual(describeTableChange(d, false, "c1"), ["connector c1: tables orders will no longer be streamed"]);
  });
});

describe("describeUpdate", () => {
  test("a runtime change restarts from the committed offset; tables follow", () => {
    const d = diffConnector(outputs(), inputs({ tables: ["orders", "items"], compression: "zstd" }));
    assert.deepEqual(describeUpdate(d, outputs(), inputs({ tables: ["orders", "items"], compression: "zstd" })), [
      "connector orders-cdc: restarts from its committed offset to apply tables, compression: no change is lost or repeated",
      "connector orders-cdc: tables items will be added and streamed from now on; their existing rows are not backfilled (initialSync is off)",
    ]);
  });

  test("a provider-only change does not restart", () => {
    const news = inputs({ retainOnDelete: true, kafka: { brokers: ["b:9092"] } });
    assert.deepEqual(describeUpdate(diffConnector(outputs(), news), outputs(), news), ["connector orders-cdc: kafka.brokers, retainOnDelete change without a restart"]);
  });

  test("a new prefix: where changes go before and after the restart", () => {
    const news = inputs({ topicPrefix: "shop2" });
    assert.deepEqual(describeUpdate(diffConnector(outputs(), news), outputs(), news), [
      "connector orders-cdc: restarts from its committed offset to apply topicPrefix, deadLetterTopic: no change is lost or repeated",
      "connector orders-cdc: topic prefix shop becomes shop2: changes up to the restart are in the shop_* topics, later ones in the shop2_* topics",
    ]);
  });

  test("a new partition policy warns that keys move", () => {
    const news = inputs({ partitionPolicy: "table-hash" });
    assert.deepEqual(describeUpdate(diffConnector(outputs(), news), outputs(), news)[1], "connector orders-cdc: partitionPolicy becomes table-hash: from the restart on, keys go to other partitions, so a key's later changes may be read before its earlier ones");
  });

  test("first-start inputs are said to take no effect", () => {
    const news = inputs({ startPosition: "earliest" });
    assert.deepEqual(describeUpdate(diffConnector(outputs(), news), outputs(), news), [
      "connector orders-cdc: startPosition applies at a connector's first start only; the running connector resumes from its committed offset and is not updated (to start over, give it a new name, which replaces it)",
    ]);
  });

  test("a FAILED connector is started again", () => {
    const failed = outputs({}, {}, { status: { state: "FAILED", errorCode: "SOURCE_AUTH_FAILED" } });
    assert.deepEqual(describeUpdate(diffConnector(failed, inputs()), failed, inputs()), ["connector orders-cdc: it is FAILED (SOURCE_AUTH_FAILED); pulumi up writes its config again, which starts it again"]);
  });
});

describe("describeClaimCleanup", () => {
  const claim = (topic: string, kind: TopicClaim["kind"]): TopicClaim => ({ version: 1, connector: "c1", topic, kind, at: "" });
  test("deleted, kept (dead letters with records) and released topics", () => {
    assert.deepEqual(describeClaimCleanup("c1", [claim("old_heartbeat", "heartbeat"), claim("old_dead_letter", "deadLetter")], [{ topic: "x_dead_letter", records: 3n }], [claim("shop_auto_a", "table")]), [
      "connector c1: will delete topics it made that its new config no longer writes: old_heartbeat, old_dead_letter",
      "connector c1: will keep its dead letter topic x_dead_letter (3 records); delete it by hand once they are dealt with",
      "connector c1: topics shop_auto_a are now listed in tables: they are no longer the connector's to delete",
    ]);
    assert.deepEqual(describeClaimCleanup("c1", [], [], []), []);
  });

  test("on delete: what was deleted and what was kept", () => {
    assert.deepEqual(describeDeletedTopics("c1", [claim("shop_heartbeat", "heartbeat")], [{ topic: "shop_dead_letter", records: 1n }]), [
      "connector c1: deleted the topics it made: shop_heartbeat",
      "connector c1: kept its dead letter topic shop_dead_letter (1 record); delete it by hand once they are dealt with",
    ]);
  });
});

describe("describeReplacement", () => {
  const replacing = (r: Partial<Replacing>): Replacing => ({ group: "grp", name: "old-cdc", takesPosition: true, takesGrants: false, from: { host: "db", port: 3306, database: "shop" }, ...r });

  test("same server and database: resumes at the predecessor's position", () => {
    const news = inputs({ name: "new-cdc", replacing: replacing({}) });
    assert.deepEqual(describeReplacement(diffConnector(outputs(), news), outputs(), news), [
      "connector new-cdc replaces old-cdc (same source server and database): old-cdc is stopped first and new-cdc resumes at its committed binlog position: no change is lost or repeated",
      "connector new-cdc: takes over the topics the runtime made for old-cdc (heartbeats, dead letters, DDL, auto-added tables)",
    ]);
    const withOptions = inputs({ name: "new-cdc", initialSync: true, startPosition: "earliest", replacing: replacing({ takesGrants: true }) });
    const lines = describeReplacement(diffConnector(outputs(), withOptions), outputs(), withOptions);
    assert.match(lines[0], /no change is lost or repeated; initialSync does not run; startPosition is not used$/);
    assert.equal(lines[1], "connector new-cdc: takes over the account and grants old-cdc made (manageGrants)");
  });

  test("another server: what is not delivered, and where the new one starts", () => {
    const news = inputs({ replacing: replacing({ takesPosition: false }) }, { host: "db2" });
    assert.deepEqual(describeReplacement(diffConnector(outputs(), news), outputs(), news)[0],
      "connector orders-cdc replaces old-cdc, which reads another server (db:3306/shop becomes db2:3306/shop): old-cdc is stopped first, and changes to db:3306/shop after that are not delivered; orders-cdc starts at the end of the binlog at its first start; rows already in its tables are not copied (initialSync is off)");
  });

  test("another database on the same server, with initialSync", () => {
    const news = inputs({ initialSync: true, replacing: replacing({ takesPosition: false }) }, { database: "shop2" });
    assert.deepEqual(describeReplacement(diffConnector(outputs(), news), outputs(), news)[0],
      "connector orders-cdc replaces old-cdc, which reads another database (db:3306/shop becomes db:3306/shop2): old-cdc is stopped first, and changes to db:3306/shop after that are not delivered; orders-cdc starts at the end of the binlog at its first start, copying its tables first (initialSync)");
  });

  test("the same name and group with another address of the same server: stopped and started again at its position", () => {
    const news = inputs({ replacing: replacing({ name: "orders-cdc" }) }, { host: "localhost" });
    assert.deepEqual(describeReplacement(diffConnector(outputs(), news), outputs(), news), [
      "connector orders-cdc: its new source localhost:3306/shop is the same server and database as db:3306/shop: the connector is stopped and started again at its committed binlog position: no change is lost or repeated",
    ]);
  });

  test("the same name and group with another database: stopped, and started again as a new connector", () => {
    const news = inputs({ replacing: replacing({ name: "orders-cdc", takesPosition: false }) }, { database: "shop2" });
    assert.deepEqual(describeReplacement(diffConnector(outputs(), news), outputs(), news), [
      "connector orders-cdc: its new source db:3306/shop2 is another database than db:3306/shop: the connector is stopped, and changes to db:3306/shop after that are not delivered; it starts again as a new connector at the end of the binlog at its first start; rows already in its tables are not copied (initialSync is off)",
    ]);
  });

  test("state from before owners: deleted first, and the gap said", () => {
    const news = inputs({ name: "new-cdc" });
    assert.deepEqual(describeReplacement(diffConnector(outputs({ owner: undefined }), news), outputs({ owner: undefined }), news), [
      "connector new-cdc replaces orders-cdc: orders-cdc is deleted first (its state predates this version's handover), then new-cdc starts at the end of the binlog at its first start: changes made in between are not delivered",
    ]);
  });
});
