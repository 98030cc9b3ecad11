import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CdcError } from "../../../runtime/errors";
import { topicFailure } from "../../../runtime/pipeline/connector-topics";

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
