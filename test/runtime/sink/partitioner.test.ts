import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { choosePartition, hashPartition, murmur2 } from "../../../runtime/sink/partitioner";

// Apache Kafka, clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2().
const KAFKA_UTILS_TEST: [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
];

// librdkafka src/rdmurmur2.c unittest_murmur2(): "java_murmur2_results" (every tail length 0..3).
const LIBRDKAFKA_JAVA_RESULTS: [string, number][] = [
  ["kafka", 0xd067cf64 | 0],
  ["giberish123456789", 0x8f552b0c | 0],
  ["1234", 0x9fc97b14 | 0],
  ["234", 0xe7c009ca | 0],
  ["34", 0x873930da | 0],
  ["4", 0x5a4b5ca1 | 0],
  ["PreAmbleWillBeRemoved,ThePrePartThatIs", 0x78424f1c | 0],
  ["reAmbleWillBeRemoved,ThePrePartThatIs", 0x4a62b377 | 0],
  ["eAmbleWillBeRemoved,ThePrePartThatIs", 0xe0e4e09e | 0],
  ["AmbleWillBeRemoved,ThePrePartThatIs", 0x62b8b43f | 0],
  ["", 0x106e08d9 | 0],
];

describe("murmur2 equals Kafka's Utils.murmur2", () => {
  for (const [input, expected] of KAFKA_UTILS_TEST) {
    test(`UtilsTest vector ${JSON.stringify(input)} = ${expected}`, () => {
      assert.equal(murmur2(Buffer.from(input, "utf8")), expected);
    });
  }

  test("librdkafka's Java-compatible vectors, all tail lengths", () => {
    for (const [input, expected] of LIBRDKAFKA_JAVA_RESULTS) {
      assert.equal(murmur2(Buffer.from(input, "utf8")), expected, JSON.stringify(input));
    }
  });

  test("returns a signed 32-bit integer", () => {
    for (const [input] of [...KAFKA_UTILS_TEST, ...LIBRDKAFKA_JAVA_RESULTS]) {
      const h = murmur2(Buffer.from(input));
      assert.ok(Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31);
    }
  });
});

describe("hashPartition", () => {
  test("is toPositive(murmur2(key)) % partitions of the UTF-8 key", () => {
    for (const [input, hash] of KAFKA_UTILS_TEST) {
      for (const partitions of [1, 3, 6, 12, 50]) {
        assert.equal(hashPartition(input, partitions), (hash & 0x7fffffff) % partitions, `${input} % ${partitions}`);
      }
    }
    assert.equal(hashPartition("foobar", 50), 16);
  });

  test("UTF-8 bytes, not UTF-16 code units, are hashed", () => {
    const key = '{"name":"订单"}';
    assert.equal(hashPartition(key, 1000), (murmur2(Buffer.from(key, "utf8")) & 0x7fffffff) % 1000);
  });
});

describe("choosePartition", () => {
  const KEY = '{"id":7}';
  const TABLE = "shop.orders";

  test("partition-0 sends everything to 0", () => {
    assert.equal(choosePartition("partition-0", 12, KEY, TABLE, true), 0);
    assert.equal(choosePartition("partition-0", 12, '{"id":8}', "shop.other", false), 0);
  });

  test("a single partition is always 0", () => {
    for (const policy of ["primary-key-hash", "table-hash", "partition-0"] as const) {
      assert.equal(choosePartition(policy, 1, KEY, TABLE, true), 0);
    }
  });

  test("primary-key-hash hashes the message key", () => {
    assert.equal(choosePartition("primary-key-hash", 12, KEY, TABLE, true), hashPartition(KEY, 12));
    // Kafka vector: toPositive(-790332482) % 50 = 16
    assert.equal(choosePartition("primary-key-hash", 50, "foobar", TABLE, true), 16);
    // different rows of one table spread over partitions
    const partitions = new Set(Array.from({ length: 50 }, (_, i) => choosePartition("primary-key-hash", 12, `{"id":${i}}`, TABLE, true)));
    assert.ok(partitions.size > 1, `all 50 keys in ${[...partitions]}`);
  });

  test("primary-key-hash without a primary key goes to 0", () => {
    assert.equal(choosePartition("primary-key-hash", 12, TABLE, TABLE, false), 0);
  });

  test("table-hash is stable per table and ignores the key", () => {
    const expected = hashPartition(TABLE, 12);
    for (let i = 0; i < 20; i++) {
      assert.equal(choosePartition("table-hash", 12, `{"id":${i}}`, TABLE, true), expected);
    }
    assert.equal(choosePartition("table-hash", 12, TABLE, TABLE, false), expected);
    assert.equal(choosePartition("table-hash", 50, "x", "foobar", true), 16);
  });

  test("the result is always inside the partition range", () => {
    for (let n = 2; n <= 17; n++) {
      for (let i = 0; i < 30; i++) {
        const p = choosePartition("primary-key-hash", n, `{"id":${i}}`, TABLE, true);
        assert.ok(p >= 0 && p < n);
      }
    }
  });
});
