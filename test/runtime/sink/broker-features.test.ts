import assert from "node:assert/strict";
import { test } from "node:test";
import { compareVersions, missingApis, REQUIRED_APIS, unsupportedBrokerReason, type ApiVersionRanges } from "../../../runtime/sink/broker-features";

// The decision on a broker's ApiVersions answer, without a broker (broker-api-versions.test.ts
// reads real ones: the bench's, and a Kafka 0.11 that lacks CreatePartitions).
const everything: ApiVersionRanges = new Map(REQUIRED_APIS.map((api) => [api.key, { min: 0, max: api.minVersion + 3 }]));

test("a broker serving every request at the version needed qualifies", () => {
  assert.deepEqual(missingApis(everything), []);
  assert.equal(unsupportedBrokerReason("b:9092", everything), undefined);
});

test("a broker without CreatePartitions (Kafka 0.11) is refused, naming the request and the release that has it", () => {
  const v011 = new Map(everything);
  v011.delete(37);
  assert.deepEqual(missingApis(v011).map((m) => m.api.name), ["CreatePartitions"]);
  assert.equal(
    unsupportedBrokerReason("10.0.0.5:9092", v011),
    "the broker 10.0.0.5:9092 runs an Apache Kafka older than 1.0: it lacks CreatePartitions v0+ (raising a table topic's partitions; Kafka 1.0+). " +
      "The connector needs Kafka 1.0 or later (tested: 2.2.2, 2.8.2, 3.3.2, 4.1.1)",
  );
});

test("a request served only at older versions counts as missing, with the broker's highest version", () => {
  const v010 = new Map(everything);
  v010.set(0, { min: 0, max: 2 });
  for (const key of [22, 24, 26, 32, 33, 37]) v010.delete(key);
  const missing = missingApis(v010);
  assert.deepEqual(missing.map((m) => [m.api.name, m.brokerMax]), [
    ["Produce", 2], ["InitProducerId", undefined], ["AddPartitionsToTxn", undefined], ["EndTxn", undefined],
    ["DescribeConfigs", undefined], ["AlterConfigs", undefined], ["CreatePartitions", undefined],
  ]);
  assert.match(unsupportedBrokerReason("b:1", v010) ?? "", /^the broker b:1 runs an Apache Kafka older than 1\.0: it lacks Produce v3\+ \(writing transactional record batches; Kafka 0\.11\+, the broker serves up to v2\), InitProducerId/);
});

test("release numbers compare by their parts", () => {
  assert.deepEqual(["1.0", "0.11", "0.10.1", "2.8.2", "0.9"].sort(compareVersions), ["0.9", "0.10.1", "0.11", "1.0", "2.8.2"]);
});
