import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CdcError } from "../../../runtime/errors";
import { normalizeConnectorConfig, RECORD_BATCH_OVERHEAD_BYTES } from "../../../runtime/contract/config";
import { fitRecordSize, topicFailure } from "../../../runtime/pipeline/connector-topics";

describe("topicFailure", () => {
  const tableMissing = new CdcError("TABLE_MISSING", "database shop has no table itemz.");

  test("a missing topic beside a missing table names both, the table first", () => {
    const failure = topicFailure([tableMissing], new CdcError("TOPIC_MISSING", "topic shop_itemz does not exist.")) as CdcError;
    assert.equal(failure.code, "TABLE_MISSING");
    assert.match(failure.reason, /^2 checks failed: \(1\) TABLE_MISSING: database shop has no table itemz\. Fix: .* \(2\) TOPIC_MISSING: topic shop_itemz does not exist\./);
  });

  test("Kafka unavailable beside a missing table stays KAFKA_UNAVAILABLE, so it is retried", () => {
    const unavailable = new CdcError("KAFKA_UNAVAILABLE", "listing topics: KafkaJSConnectionError: Connection timeout.");
    const failure = topicFailure([tableMissing], unavailable) as CdcError;
    assert.equal(failure, unavailable);
    assert.equal(failure.retriable, true);
  });

  test("a missing topic alone, or a failure that is not ours, is passed on as it is", () => {
    const missing = new CdcError("TOPIC_MISSING", "topic shop_orders does not exist.");
    assert.equal(topicFailure([], missing), missing);
    const bug = new TypeError("x");
    assert.equal(topicFailure([tableMissing], bug), bug);
  });
});

describe("fitRecordSize", () => {
  const config = (given?: number) => {
    const result = normalizeConnectorConfig({ name: "c", topicPrefix: "p", source: { host: "h", database: "d", user: "u", password: "x", tables: ["t"] }, ...(given ? { maxRecordBytes: given } : {}) });
    assert.ok(result.ok);
    return result.config;
  };

  test("the default is lowered to the smallest max.message.bytes of the topics, less a batch's overhead", () => {
    assert.equal(fitRecordSize(config(), new Map([["p_t", 1_048_588], ["", 1_048_588]]), false).maxRecordBytes, 1_048_588 - RECORD_BATCH_OVERHEAD_BYTES);
    assert.equal(fitRecordSize(config(), new Map([["p_t", 64 * 1024 * 1024]]), false).maxRecordBytes, 10 * 1024 * 1024, "topics that take more keep the default");
  });

  test("the broker's default counts only when the connector makes topics (auto-added tables)", () => {
    assert.equal(fitRecordSize(config(), new Map([["p_t", 64 * 1024 * 1024], ["", 1_000_000]]), false).maxRecordBytes, 10 * 1024 * 1024);
    assert.equal(fitRecordSize(config(), new Map([["p_t", 64 * 1024 * 1024], ["", 1_000_000]]), true).maxRecordBytes, 1_000_000 - RECORD_BATCH_OVERHEAD_BYTES);
  });

  test("a given maxRecordBytes is kept", () => {
    assert.equal(fitRecordSize(config(4096), new Map([["p_t", 2048]]), false).maxRecordBytes, 4096);
  });
});
