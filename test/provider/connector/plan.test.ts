/**
 * Connector's pure logic: the config record and validation through the shared contract (problems
 * named by the Connector's input properties).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { configRecord, CONNECTOR_STATE_VERSION, DEFAULT_DEPLOY_TIMEOUT_SECONDS, validateConnectorInputs, type ConnectorInputs } from "../../../provider/connector/plan";
import { normalizeConnectorConfig, recordMetadata } from "../../../runtime/contract/config";
import { props, reasonOf } from "../failures";
import { ENCRYPTED, inputs, OWNER, validate } from "./inputs";

describe("constants", () => {
  test("deploy timeout default and state version", () => {
    assert.equal(DEFAULT_DEPLOY_TIMEOUT_SECONDS, 300);
    assert.equal(CONNECTOR_STATE_VERSION, 1);
  });
});

describe("configRecord", () => {
  test("the minimal record: the encrypted password, no undefined options, the revision", () => {
    const record = configRecord(inputs(), ENCRYPTED, "rev-7");
    assert.deepEqual(record, {
      name: "orders-cdc",
      source: { host: "db", port: 3306, database: "shop", user: "cdc", passwordEncrypted: ENCRYPTED, tables: ["orders"] },
      topicPrefix: "shop",
      revision: "rev-7",
      owner: OWNER,
    });
  });

  test("the provider's own fields: owner, source server, grants and the connector replaced; the runtime reads past them, the provider reads them back", () => {
    const grants = { user: "cdc", host: "%", createdAccount: true, privileges: ["SELECT"] };
    const replaces = { group: "old-grp", name: "old-name", position: true, grants: false };
    const record = configRecord(inputs(), ENCRYPTED, "rev-8", { sourceServer: "mysql:uuid-1", managedGrants: grants, replaces });
    assert.deepEqual(recordMetadata(record), { owner: OWNER, sourceServer: "mysql:uuid-1", managedGrants: grants, replaces });
    const normalized = normalizeConnectorConfig(record);
    assert.ok(normalized.ok);
    assert.equal(JSON.stringify(normalized.config).includes("uuid-1"), false);
    assert.equal("owner" in normalized.config, false);
    // Malformed metadata is left out, never trusted.
    assert.deepEqual(recordMetadata({ owner: 5, managedGrants: { user: "x" }, replaces: { name: "n" } }), {});
  });

  test("the plaintext password never reaches the record", () => {
    const record = configRecord(inputs(), ENCRYPTED, "rev-7");
    assert.equal(JSON.stringify(record).includes("s3cret-pass"), false);
    assert.equal("password" in (record.source as object), false);
  });

  test("without an encrypted password, a placeholder (the password is checked separately)", () => {
    const record = configRecord(inputs(), undefined, "check");
    assert.deepEqual(record.source, { host: "db", port: 3306, database: "shop", user: "cdc", password: "<checked separately>", tables: ["orders"] });
    assert.equal(record.revision, "check");
  });

  test("resource-only inputs stay out of the record", () => {
    const record = configRecord(
      inputs({ manageGrants: { adminUser: "root", adminPassword: "rootpw" }, deployTimeoutSeconds: 60 }),
      ENCRYPTED,
      "r",
    );
    for (const key of ["groupName", "groupKey", "kafka", "manageGrants", "deployTimeoutSeconds", "tables", "autoAddTables"]) {
      assert.equal(key in record, false, key);
    }
    assert.equal(JSON.stringify(record).includes("rootpw"), false);
  });

  test("every option, tables and autoAddTables under source; undefined nested options dropped", () => {
    const record = configRecord(
      inputs(
        {
          tables: ["orders", "items"],
          autoAddTables: "^order_.*",
          format: "canal",
          compression: "zstd",
          acks: "1",
          partitionPolicy: "table-hash",
          retry: { connectionMinutes: 60, otherMinutes: undefined },
          throttle: { rowsPerSecond: 500 },
          maxRecordBytes: 2048,
          heartbeatSeconds: 0,
          deadLetterTopic: "shop.dlq",
          initialSync: true,
          startPosition: { file: "mysql-bin.000003", pos: 4 },
          paused: false,
        },
        { port: undefined, region: "cn-hangzhou", rdsInstanceId: "rm-1", serverId: 4242, timezone: "+08:00" },
      ),
      ENCRYPTED,
      "rev-9",
    );
    assert.deepEqual(record, {
      name: "orders-cdc",
      source: {
        host: "db",
        database: "shop",
        user: "cdc",
        passwordEncrypted: ENCRYPTED,
        tables: ["orders", "items"],
        autoAddTables: "^order_.*",
        region: "cn-hangzhou",
        rdsInstanceId: "rm-1",
        serverId: 4242,
        timezone: "+08:00",
      },
      topicPrefix: "shop",
      format: "canal",
      compression: "zstd",
      acks: "1",
      partitionPolicy: "table-hash",
      retry: { connectionMinutes: 60 },
      throttle: { rowsPerSecond: 500 },
      maxRecordBytes: 2048,
      heartbeatSeconds: 0,
      deadLetterTopic: "shop.dlq",
      initialSync: true,
      startPosition: { file: "mysql-bin.000003", pos: 4 },
      paused: false,
      revision: "rev-9",
      owner: OWNER,
    });
    assert.equal("port" in (record.source as object), false);
  });

  test("the record is one the runtime accepts, with the contract's defaults", () => {
    const result = normalizeConnectorConfig(configRecord(inputs({}, { port: undefined }), ENCRYPTED, "rev-1"));
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.equal(result.config.source.port, 3306);
    assert.deepEqual(result.config.source.passwordEncrypted, ENCRYPTED);
    assert.equal(result.config.source.password, undefined);
    assert.equal(result.config.format, "dataworks");
    assert.equal(result.config.heartbeatSeconds, 10);
    assert.equal(result.config.deadLetterTopic, "shop_dead_letter");
    assert.equal(result.config.revision, "rev-1");
  });
});

describe("validateConnectorInputs", () => {
  test("valid inputs have no failures", () => {
    assert.deepEqual(validate(), []);
    assert.deepEqual(
      validate(
        {
          tables: ["orders", "order_items"],
          autoAddTables: "^order_.*",
          format: "canal",
          compression: "gzip",
          acks: "all",
          partitionPolicy: "partition-0",
          retry: { connectionMinutes: 60, otherMinutes: 5 },
          throttle: { rowsPerSecond: 100, megabytesPerSecond: 1.5 },
          maxRecordBytes: 1024,
          initialSync: true,
          startPosition: "earliest",
          paused: true,
          manageGrants: { adminUser: "root", adminPassword: "rootpw", accountHost: "10.0.%" },
          deployTimeoutSeconds: 120,
        },
        { serverId: 1234, timezone: "+08:00", region: "cn-hangzhou" },
      ),
      [],
    );
  });

  describe("tables (source.tables in the record, named as the input)", () => {
    test("empty", () => {
      assert.deepEqual(validate({ tables: [] }), [{ property: "tables", reason: "must list at least one table of the source database" }]);
    });

    test("a bad table is named by its index", () => {
      assert.deepEqual(validate({ tables: ["orders", "order items"] }), [
        {
          property: "tables[1]",
          reason: "table \"order items\" maps to topic \"shop_order items\", which Kafka does not allow (letters, digits, '.', '_' and '-' only)",
        },
      ]);
    });

    test("listed twice, empty, too long", () => {
      assert.deepEqual(validate({ tables: ["orders", "orders"] }), [
        { property: "tables[1]", reason: '"orders" is listed twice; list each table once' },
      ]);
      assert.deepEqual(validate({ tables: ["orders", "x", "t".repeat(65)] }), [
        { property: "tables[2]", reason: `must be a table name of 1 to 64 characters, got "${"t".repeat(65)}"` },
      ]);
      assert.deepEqual(props(validate({ tables: [""] })), ["tables[0]"]);
    });
  });

  test("autoAddTables: a regex that does not compile", () => {
    const failures = validate({ autoAddTables: "order_(" });
    assert.deepEqual(props(failures), ["autoAddTables"]);
    const reason = reasonOf(failures, "autoAddTables");
    assert.match(reason, /^"order_\(" is not a valid RE2 regular expression \(/);
    assert.match(reason, /; RE2 has no backreferences or lookarounds \(it matches in linear time\), e\.g\. "order_\.\*"$/);
    assert.deepEqual(validate({ autoAddTables: "" }), []);
  });

  describe("name: 1-48 of lowercase letters, digits and hyphens, not starting with a hyphen", () => {
    test("valid names", () => {
      for (const name of ["a", "1abc", "orders-cdc-2", "x".repeat(48), "a-"]) assert.deepEqual(validate({ name }), [], name);
    });

    test("empty", () => {
      assert.deepEqual(validate({ name: "" }), [{ property: "name", reason: '"" is empty; give 1 to 48 characters' }]);
    });

    test("too long", () => {
      const name = "x".repeat(49);
      assert.deepEqual(validate({ name }), [{ property: "name", reason: `"${name}" is 49 characters long; the limit is 48` }]);
    });

    test("a leading hyphen", () => {
      assert.deepEqual(validate({ name: "-orders" }), [
        { property: "name", reason: '"-orders" starts with a hyphen; start it with a digit or a lowercase letter' },
      ]);
    });

    test("uppercase and other characters, each named once", () => {
      assert.deepEqual(validate({ name: "Orders_CDC" }), [
        { property: "name", reason: '"Orders_CDC" contains "O", "_", "C", "D"; use only digits, lowercase letters and hyphens' },
      ]);
      assert.deepEqual(props(validate({ name: "orders.cdc" })), ["name"]);
    });
  });

  describe("resourceGroup: the group's name follows the same rules", () => {
    test("a bad group name", () => {
      assert.deepEqual(validate({ groupName: "My_Group" }), [
        { property: "resourceGroup", reason: 'its name "My_Group" contains "M", "_", "G"; use only digits, lowercase letters and hyphens' },
      ]);
      assert.deepEqual(validate({ groupName: "-grp" }), [
        { property: "resourceGroup", reason: 'its name "-grp" starts with a hyphen; start it with a digit or a lowercase letter' },
      ]);
    });

    test("an empty or missing group name", () => {
      const reason = 'its name "" is empty; give 1 to 48 characters';
      assert.deepEqual(validate({ groupName: "" }), [{ property: "resourceGroup", reason }]);
      assert.deepEqual(validate({ groupName: undefined as unknown as string }), [{ property: "resourceGroup", reason }]);
    });
  });

  test("source.password missing or empty: one failure", () => {
    const reason = "is missing; give the account's password as a secret (config.requireSecret)";
    assert.deepEqual(validate({}, { password: "" }), [{ property: "source.password", reason }]);
    assert.deepEqual(validate({}, { password: undefined as unknown as string }), [{ property: "source.password", reason }]);
  });

  test("source fields checked by the contract keep their record path", () => {
    assert.deepEqual(validate({}, { host: "" }), [{ property: "source.host", reason: "is missing" }]);
    assert.deepEqual(validate({}, { port: 70000 }), [{ property: "source.port", reason: "must be a whole number from 1 to 65535, got 70000" }]);
    assert.deepEqual(props(validate({}, { timezone: "UTC" })), ["source.timezone"]);
  });

  test("a missing source: every source field and the password", () => {
    const failures = validateConnectorInputs({ ...inputs(), source: undefined as unknown as ConnectorInputs["source"] });
    assert.deepEqual(props(failures), ["source.host", "source.database", "source.user", "source.password"]);
  });

  test("kafka.brokers: at least one, each host:port", () => {
    const reason = 'must list at least one bootstrap server, e.g. ["10.0.0.5:9092"]';
    assert.deepEqual(validate({ kafka: { brokers: [] } }), [{ property: "kafka.brokers", reason }]);
    assert.deepEqual(validate({ kafka: undefined as unknown as ConnectorInputs["kafka"] }), [{ property: "kafka.brokers", reason }]);
    assert.deepEqual(validate({ kafka: { brokers: ["kafka://b1:9092", "b2", "b3:99999", "b4:9092"] } }), [
      { property: "kafka.brokers[0]", reason: '"kafka://b1:9092" is a URL; give "host:port" without the scheme, e.g. "b1:9092"' },
      { property: "kafka.brokers[1]", reason: `"b2" is not "host:port"; give the broker's host and port, e.g. "10.0.0.5:9092"` },
      { property: "kafka.brokers[2]", reason: '"b3:99999" has port 99999; a port is 1 to 65535' },
    ]);
    assert.deepEqual(validate({ kafka: { brokers: ["[::1]:9092", "10.0.0.5:9093"] } }), []);
  });

  test("a password that is not text is refused without showing it", () => {
    const failures = validate({}, { password: 123456789 as unknown as string });
    assert.equal(reasonOf(failures, "source.password"), "must be text, got a number (its value is not shown); quote it in the stack config, or pass String(...)");
    assert.ok(!JSON.stringify(failures).includes("123456789"));
  });

  test("a name that is not text says its type, not that it is empty", () => {
    assert.equal(reasonOf(validate({ name: 42 as unknown as string }), "name"), "must be text of 1 to 48 digits, lowercase letters and hyphens, got a number");
  });

  test("deployTimeoutSeconds: a whole number from 10 to 3600", () => {
    assert.deepEqual(validate({ deployTimeoutSeconds: 10 }), []);
    assert.deepEqual(validate({ deployTimeoutSeconds: 3600 }), []);
    for (const bad of [9, 3601, 10.5, 0, -30]) {
      assert.deepEqual(validate({ deployTimeoutSeconds: bad }), [
        { property: "deployTimeoutSeconds", reason: `must be a whole number of seconds from 10 to 3600, got ${bad}` },
      ]);
    }
    assert.deepEqual(props(validate({ deployTimeoutSeconds: "60" as unknown as number })), ["deployTimeoutSeconds"]);
  });

  describe("manageGrants", () => {
    test("admin user and password missing", () => {
      assert.deepEqual(validate({ manageGrants: { adminUser: "", adminPassword: undefined as unknown as string } }), [
        { property: "manageGrants.adminUser", reason: "is missing; give an account allowed to CREATE USER and GRANT" },
        { property: "manageGrants.adminPassword", reason: "is missing; give the admin account's password as a secret" },
      ]);
    });

    test("accountHost: a MySQL host pattern without quotes, backslashes or spaces", () => {
      for (const ok of ["%", "10.0.%", "db.internal", "h".repeat(255)]) {
        assert.deepEqual(validate({ manageGrants: { adminUser: "root", adminPassword: "pw", accountHost: ok } }), [], ok);
      }
      for (const bad of ["", "10.0.% ", "a'b", 'a"b', "a\\b", "h".repeat(256)]) {
        assert.deepEqual(
          validate({ manageGrants: { adminUser: "root", adminPassword: "pw", accountHost: bad } }),
          [{ property: "manageGrants.accountHost", reason: `must be a MySQL host pattern such as "%" or "10.0.%", got ${JSON.stringify(bad)}` }],
          bad,
        );
      }
    });
  });

  test("every problem at once", () => {
    const failures = validateConnectorInputs({
      ...inputs({ name: "Bad", groupName: "", tables: ["orders", "a b"], autoAddTables: "(", kafka: { brokers: [] }, deployTimeoutSeconds: 1 }, { password: "" }),
      manageGrants: { adminUser: "", adminPassword: "x", accountHost: "a b" },
    });
    assert.deepEqual(props(failures), [
      "name",
      "tables[1]",
      "autoAddTables",
      "source.password",
      "resourceGroup",
      "kafka.brokers",
      "deployTimeoutSeconds",
      "manageGrants.adminUser",
      "manageGrants.accountHost",
    ]);
  });
});


describe("validateConnectorInputs: retainOnDelete", () => {
  test("true or false; a string such as \"yes\" is refused, not taken as false", () => {
    assert.deepEqual(validate({ retainOnDelete: true }), []);
    assert.deepEqual(validate({ retainOnDelete: false }), []);
    const failures = validate({ retainOnDelete: "yes" as unknown as boolean });
    assert.equal(reasonOf(failures, "retainOnDelete"), "must be true or false, got a string; write retainOnDelete: true to keep the connector's topics");
  });
});
