import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CONFIG_RECORD_VERSION,
  DEFAULTS,
  defaultServerId,
  describeProblems,
  matchesAutoAdd,
  normalizeConnectorConfig,
  regexSyntaxProblem,
  type ConfigProblem,
  type ConnectorConfig,
} from "../../../runtime/contract/config";
import { encryptSecret, generateGroupKey } from "../../../runtime/contract/secrets";

type Json = Record<string, unknown>;

function baseRecord(overrides: Json = {}, sourceOverrides: Json = {}): Json {
  return {
    name: "orders-cdc",
    source: { host: "db.internal", database: "shop", user: "cdc", password: "s3cret", tables: ["orders", "order_items"], ...sourceOverrides },
    topicPrefix: "mysql",
    ...overrides,
  };
}

function ok(input: unknown): ConnectorConfig {
  const result = normalizeConnectorConfig(input);
  if (!result.ok) assert.fail(`expected a valid config, got problems: ${describeProblems(result.problems)}`);
  return result.config;
}

function problems(input: unknown): ConfigProblem[] {
  const result = normalizeConnectorConfig(input);
  if (result.ok) assert.fail("expected problems, got a valid config");
  return result.problems;
}

describe("normalizeConnectorConfig revision", () => {
  test("the provider's revision is kept, so the runtime can echo it in status records", () => {
    assert.equal(ok({ ...baseRecord(), revision: "lq2x-abcd1234" }).revision, "lq2x-abcd1234");
    assert.equal(ok({ ...baseRecord(), revision: 7 }).revision, undefined);
  });
});

describe("normalizeConnectorConfig defaults", () => {
  test("a minimal record gets every documented default", () => {
    const config = ok(baseRecord());
    assert.deepEqual(config, {
      version: 1,
      name: "orders-cdc",
      source: {
        host: "db.internal",
        port: 3306,
        database: "shop",
        user: "cdc",
        passwordEncrypted: undefined,
        password: "s3cret",
        tables: ["orders", "order_items"],
        autoAddTables: undefined,
        region: undefined,
        rdsInstanceId: undefined,
        serverId: defaultServerId("orders-cdc"),
        timezone: "+00:00",
      },
      topicPrefix: "mysql",
      format: "dataworks",
      compression: "lz4",
      acks: "all",
      partitionPolicy: "primary-key-hash",
      retry: { connectionMinutes: 720, otherMinutes: 10 },
      throttle: { rowsPerSecond: undefined, megabytesPerSecond: undefined },
      maxRecordBytes: 10 * 1024 * 1024,
      maxRecordBytesGiven: false,
      heartbeatSeconds: 10,
      deadLetterTopic: "mysql_dead_letter",
      ddlTopic: undefined,
      initialSync: false,
      startPosition: "end",
      paused: false,
      revision: undefined,
    });
  });

  test("DEFAULTS constants", () => {
    assert.equal(CONFIG_RECORD_VERSION, 1);
    assert.equal(DEFAULTS.format, "dataworks");
    assert.equal(DEFAULTS.compression, "lz4");
    assert.equal(DEFAULTS.acks, "all");
    assert.equal(DEFAULTS.partitionPolicy, "primary-key-hash");
    assert.equal(DEFAULTS.retryConnectionMinutes, 720);
    assert.equal(DEFAULTS.retryOtherMinutes, 10);
    assert.equal(DEFAULTS.maxRecordBytes, 10_485_760);
  });

  test("explicit options are kept, enum values case-insensitively", () => {
    const config = ok(
      baseRecord(
        {
          format: "CANAL",
          compression: "Zstd",
          acks: 1,
          partitionPolicy: "table-hash",
          retry: { connectionMinutes: 60, otherMinutes: 5 },
          throttle: { rowsPerSecond: 5000, megabytesPerSecond: 2.5 },
          maxRecordBytes: 2048,
          initialSync: true,
          paused: true,
          startPosition: { file: "binlog.000007", pos: 4 },
        },
        { port: 3307, serverId: 4242, timezone: "+08:00", region: "cn-hangzhou", rdsInstanceId: "rm-123", autoAddTables: "order_.*" },
      ),
    );
    assert.equal(config.format, "canal");
    assert.equal(config.compression, "zstd");
    assert.equal(config.acks, "1");
    assert.equal(config.partitionPolicy, "table-hash");
    assert.deepEqual(config.retry, { connectionMinutes: 60, otherMinutes: 5 });
    assert.deepEqual(config.throttle, { rowsPerSecond: 5000, megabytesPerSecond: 2.5 });
    assert.equal(config.maxRecordBytes, 2048);
    assert.equal(config.initialSync, true);
    assert.equal(config.paused, true);
    assert.deepEqual(config.startPosition, { file: "binlog.000007", pos: 4 });
    assert.equal(config.source.port, 3307);
    assert.equal(config.source.serverId, 4242);
    assert.equal(config.source.timezone, "+08:00");
    assert.equal(config.source.region, "cn-hangzhou");
    assert.equal(config.source.rdsInstanceId, "rm-123");
    assert.equal(config.source.autoAddTables, "order_.*");
  });

  test("startPosition earliest", () => {
    assert.equal(ok(baseRecord({ startPosition: "earliest" })).startPosition, "earliest");
    assert.equal(ok(baseRecord({ startPosition: "end" })).startPosition, "end");
  });
});

describe("heartbeatSeconds and deadLetterTopic", () => {
  test("0 turns heartbeats off; a named dead letter topic is kept", () => {
    const config = ok({ ...baseRecord(), heartbeatSeconds: 0, deadLetterTopic: "dlq.orders" });
    assert.equal(config.heartbeatSeconds, 0);
    assert.equal(config.deadLetterTopic, "dlq.orders");
  });

  test("out of range or malformed values are named with their fix", () => {
    const result = normalizeConnectorConfig({ ...baseRecord(), heartbeatSeconds: 7200, deadLetterTopic: "bad topic!" });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems.map((p) => p.property).sort(), ["deadLetterTopic", "heartbeatSeconds"]);
    assert.match(result.problems.find((p) => p.property === "deadLetterTopic")!.message, /letters, digits/);
  });
});

describe("normalizeConnectorConfig collects every problem at once", () => {
  test("bad name, bad regex, unknown compression and retry order are all reported with their paths", () => {
    const found = problems(
      baseRecord({ name: "Bad_Name", compression: "brotli", retry: { connectionMinutes: 30, otherMinutes: 30 } }, { autoAddTables: "order_(" }),
    );
    assert.deepEqual(
      found.map((p) => p.property),
      ["name", "source.autoAddTables", "compression", "retry.otherMinutes"],
    );
    assert.equal(found[0].message, '"Bad_Name" contains "B", "_", "N"; use only digits, lowercase letters and hyphens');
    assert.match(found[1].message, /^"order_\(" is not a valid RE2 regular expression \(.+\); RE2 has no backreferences or lookarounds \(it matches in linear time\), e\.g\. "order_\.\*"$/);
    assert.equal(found[2].message, 'must be one of "lz4", "gzip", "snappy", "zstd", "none", got "brotli"');
    assert.equal(found[3].message, "(30) must be less than retry.connectionMinutes (30)");
  });

  test("otherMinutes greater than connectionMinutes is also a problem; less is fine", () => {
    const found = problems(baseRecord({ retry: { connectionMinutes: 20, otherMinutes: 25 } }));
    assert.deepEqual(found, [{ property: "retry.otherMinutes", message: "(25) must be less than retry.connectionMinutes (20)" }]);
    assert.deepEqual(ok(baseRecord({ retry: { connectionMinutes: 20, otherMinutes: 19 } })).retry, { connectionMinutes: 20, otherMinutes: 19 });
  });

  test("default otherMinutes (10) against connectionMinutes 10 is reported", () => {
    const found = problems(baseRecord({ retry: { connectionMinutes: 10 } }));
    assert.deepEqual(found, [{ property: "retry.otherMinutes", message: "(10) must be less than retry.connectionMinutes (10)" }]);
  });

  test("a non-object record reports the record and every missing required property", () => {
    const found = problems(42);
    assert.deepEqual(
      found.map((p) => p.property),
      ["(record)", "name", "source", "source.host", "source.database", "source.user", "source.password", "topicPrefix", "source.tables"],
    );
    assert.equal(found[0].message, "is not a JSON object; give the connector configuration as an object");
    assert.equal(found[2].message, "is missing; give host, port, database, user, password and tables");
    assert.equal(found[3].message, "is missing");
    assert.equal(found[6].message, "is missing; give the source account's password");
    assert.equal(found[8].message, "must list at least one table of the source database");
  });

  test("arrays are not objects", () => {
    assert.equal(problems([])[0].property, "(record)");
  });

  test("each bad table is reported with its index", () => {
    const found = problems(baseRecord({}, { tables: ["orders", "orders", "", "order items", "x".repeat(65), 7] }));
    assert.deepEqual(found, [
      { property: "source.tables[1]", message: '"orders" is listed twice; list each table once' },
      { property: "source.tables[2]", message: 'must be a table name of 1 to 64 characters, got ""' },
      {
        property: "source.tables[3]",
        message: `table "order items" maps to topic "mysql_order items", which Kafka does not allow (letters, digits, '.', '_' and '-' only)`,
      },
      { property: "source.tables[4]", message: `must be a table name of 1 to 64 characters, got "${"x".repeat(65)}"` },
      { property: "source.tables[5]", message: "must be a table name of 1 to 64 characters, got 7" },
    ]);
  });

  test("an empty table list is a problem", () => {
    assert.deepEqual(problems(baseRecord({}, { tables: [] })), [
      { property: "source.tables", message: "must list at least one table of the source database" },
    ]);
  });

  test("a bad topic prefix is reported once, not again for every table", () => {
    const found = problems(baseRecord({ topicPrefix: "my prefix" }));
    assert.deepEqual(found, [
      { property: "topicPrefix", message: `"my prefix" may contain only letters, digits, '.', '_' and '-' (Kafka's topic characters)` },
    ]);
  });

  test("numbers out of range name the range and the value", () => {
    const found = problems(
      baseRecord(
        { maxRecordBytes: 1023, retry: { connectionMinutes: 5, otherMinutes: 2 }, throttle: { rowsPerSecond: 0, megabytesPerSecond: -1 } },
        { port: 70000, serverId: 0 },
      ),
    );
    assert.deepEqual(found, [
      { property: "source.port", message: "must be a whole number from 1 to 65535, got 70000" },
      { property: "source.serverId", message: "must be a whole number from 1 to 4294967295, got 0" },
      { property: "retry.connectionMinutes", message: "must be a whole number from 10 to 1440, got 5" },
      { property: "throttle.rowsPerSecond", message: "must be a whole number from 1 to 10000000, got 0" },
      { property: "throttle.megabytesPerSecond", message: "must be a positive number, got -1" },
      { property: "maxRecordBytes", message: "must be a whole number from 1024 to 104857600, got 1023" },
    ]);
  });

  test("wrong types are reported", () => {
    const found = problems(baseRecord({ acks: 2, initialSync: "yes", paused: 1, startPosition: "begin" }, { host: 5, port: "3306", timezone: "Asia/Shanghai" }));
    assert.deepEqual(found, [
      { property: "source.host", message: "must be a string, got number" },
      { property: "source.port", message: 'must be a whole number from 1 to 65535, got "3306"' },
      { property: "source.timezone", message: 'must be an offset such as "+00:00" or "+08:00", got "Asia/Shanghai"' },
      { property: "acks", message: 'must be one of "all", "1", "0", got 2' },
      { property: "initialSync", message: 'must be true or false, got "yes"' },
      { property: "paused", message: "must be true or false, got 1" },
      { property: "startPosition", message: 'must be "end", "earliest" or {file, pos} (a binlog file name and a position >= 4), got "begin"' },
    ]);
  });

  test("startPosition with a position below 4 is rejected", () => {
    const found = problems(baseRecord({ startPosition: { file: "binlog.000001", pos: 3 } }));
    assert.equal(found.length, 1);
    assert.equal(found[0].property, "startPosition");
  });

  test("timezone offsets beyond +14:00 are rejected", () => {
    assert.equal(problems(baseRecord({}, { timezone: "+15:00" }))[0].property, "source.timezone");
    assert.equal(ok(baseRecord({}, { timezone: "-05:30" })).source.timezone, "-05:30");
  });

  test("describeProblems joins property and message", () => {
    assert.equal(
      describeProblems([
        { property: "name", message: "is bad" },
        { property: "source.tables[2]", message: "is worse" },
      ]),
      "name is bad; source.tables[2] is worse",
    );
  });
});

describe("passwords", () => {
  test("an encrypted password is kept and no plaintext is set", () => {
    const secret = encryptSecret("s3cret", generateGroupKey(), "orders-cdc");
    const config = ok(baseRecord({}, { password: undefined, passwordEncrypted: secret }));
    assert.deepEqual(config.source.passwordEncrypted, secret);
    assert.equal(config.source.password, undefined);
  });

  test("when both are given the encrypted one wins", () => {
    const secret = encryptSecret("s3cret", generateGroupKey(), "orders-cdc");
    const config = ok(baseRecord({}, { password: "plain", passwordEncrypted: secret }));
    assert.deepEqual(config.source.passwordEncrypted, secret);
    assert.equal(config.source.password, undefined);
  });

  test("a plaintext password (local debug file) is accepted", () => {
    const config = ok(baseRecord({}, { password: "plain" }));
    assert.equal(config.source.password, "plain");
    assert.equal(config.source.passwordEncrypted, undefined);
  });

  test("a malformed encrypted password is reported", () => {
    const found = problems(baseRecord({}, { password: undefined, passwordEncrypted: { alg: "A128GCM", iv: "", data: "", tag: "" } }));
    assert.deepEqual(found, [
      { property: "source.passwordEncrypted", message: 'is not an encrypted secret ({alg: "A256GCM", iv, data, tag}); write it with the Connector resource' },
    ]);
  });

  test("no password at all is reported", () => {
    assert.deepEqual(problems(baseRecord({}, { password: undefined })), [
      { property: "source.password", message: "is missing; give the source account's password" },
    ]);
  });
});

describe("defaultServerId", () => {
  test("is FNV-1a of the name mapped into 65536..4294967293", () => {
    // FNV-1a 32 of "a" is 0xe40c292c = 3826002220; 65536 + 3826002220 % 4294901758.
    assert.equal(defaultServerId("a"), 3_826_067_756);
    assert.equal(defaultServerId("orders-cdc"), defaultServerId("orders-cdc"));
    assert.notEqual(defaultServerId("orders-cdc"), defaultServerId("orders-cdd"));
    for (const name of ["a", "b", "orders-cdc", "x".repeat(48)]) {
      const id = defaultServerId(name);
      assert.ok(Number.isInteger(id) && id >= 65536 && id <= 4294967293, `${name}: ${id}`);
    }
  });
});

describe("autoAddTables", () => {
  test("regexSyntaxProblem", () => {
    assert.equal(regexSyntaxProblem("^order_.*"), undefined);
    assert.match(regexSyntaxProblem("[a-") ?? "", /^"\[a-" is not a valid RE2 regular expression/);
    // What RE2 does not have (a backtracking engine's features) is refused, saying so.
    assert.match(regexSyntaxProblem("order_(?!tmp).*") ?? "", /invalid or unsupported Perl syntax/);
    assert.match(regexSyntaxProblem("(a)\\1") ?? "", /not a valid RE2 regular expression/);
  });

  test("a pattern that is catastrophic for a backtracking engine matches in linear time (JavaScript's RegExp would run for hours here)", () => {
    assert.equal(matchesAutoAdd("^(a+)+$", `${"a".repeat(40)}!`), false);
    assert.equal(matchesAutoAdd("(x+x+)+y", "x".repeat(5000)), false);
    assert.equal(matchesAutoAdd("^(a+)+$", "aaaa"), true);
  });

  test("matchesAutoAdd is anchored to the whole table name", () => {
    assert.equal(matchesAutoAdd("order_.*", "order_2024"), true);
    assert.equal(matchesAutoAdd("order_.*", "old_order_2024"), false);
    assert.equal(matchesAutoAdd("order_\\d+", "order_12x"), false);
    assert.equal(matchesAutoAdd("order", "orders"), false);
    assert.equal(matchesAutoAdd("order", "order"), true);
  });

  test("alternation is grouped inside the anchors", () => {
    assert.equal(matchesAutoAdd("a|b", "a"), true);
    assert.equal(matchesAutoAdd("a|b", "b"), true);
    assert.equal(matchesAutoAdd("a|b", "ab"), false);
    assert.equal(matchesAutoAdd("a|b", "xb"), false);
    assert.equal(matchesAutoAdd("a|b", "ax"), false);
  });

  test("no pattern matches nothing", () => {
    assert.equal(matchesAutoAdd(undefined, "orders"), false);
  });
});
