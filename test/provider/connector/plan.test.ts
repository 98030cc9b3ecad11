/**
 * Connector's pure logic: the config record, validation through the shared contract (problems named
 * by the Connector's input properties), the cluster-wide uniqueness rules and the diff.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  checkUniqueness,
  configRecord,
  CONNECTOR_STATE_VERSION,
  DEFAULT_DEPLOY_TIMEOUT_SECONDS,
  describeTableChange,
  diffConnector,
  validateConnectorInputs,
  type ConnectorDiff,
  type ConnectorInputs,
  type ConnectorOutputs,
  type RegisteredConnector,
} from "../../../provider/connector/plan";
import { normalizeConnectorConfig } from "../../../runtime/contract/config";
import type { EncryptedSecret } from "../../../runtime/contract/secrets";
import type { CheckFailure } from "../../../provider/types";
import { props, reasonOf } from "../failures";

const GROUP_KEY = Buffer.alloc(32, 7).toString("base64");
const ENCRYPTED: EncryptedSecret = { alg: "A256GCM", iv: "aXYtaXYtaXYtaXY=", data: "ZGF0YQ==", tag: "dGFnLXRhZy10YWctdGFn" };

function inputs(overrides: Partial<ConnectorInputs> = {}, source: Partial<ConnectorInputs["source"]> = {}): ConnectorInputs {
  return {
    name: "orders-cdc",
    groupName: "grp",
    groupKey: GROUP_KEY,
    kafka: { brokers: ["127.0.0.1:9092"] },
    source: { host: "db", port: 3306, database: "shop", user: "cdc", password: "s3cret-pass", ...source },
    tables: ["orders"],
    topicPrefix: "shop",
    ...overrides,
  };
}

function outputs(overrides: Partial<ConnectorInputs> = {}, source: Partial<ConnectorInputs["source"]> = {}): ConnectorOutputs {
  return {
    ...inputs(overrides, source),
    consumerGroup: "connect-orders-cdc",
    transactionalId: "cdc-grp-orders-cdc",
    revision: "rev-1",
    status: { state: "RUNNING", worker: "w-1", at: "2024-01-01T00:00:00.000Z" },
    stateVersion: CONNECTOR_STATE_VERSION,
  };
}

function validate(overrides: Partial<ConnectorInputs> = {}, source: Partial<ConnectorInputs["source"]> = {}): CheckFailure[] {
  return validateConnectorInputs(inputs(overrides, source));
}



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
    });
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
    assert.match(reason, /^"order_\(" is not a valid regular expression \(/);
    assert.match(reason, /; use JavaScript regex syntax, e\.g\. "\^order_\.\*"$/);
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

  test("kafka.brokers: at least one", () => {
    const reason = "must list at least one bootstrap server (the ResourceGroup's kafka.brokers)";
    assert.deepEqual(validate({ kafka: { brokers: [] } }), [{ property: "kafka.brokers", reason }]);
    assert.deepEqual(validate({ kafka: undefined as unknown as ConnectorInputs["kafka"] }), [{ property: "kafka.brokers", reason }]);
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

describe("checkUniqueness", () => {
  const self = { name: "orders-cdc", groupName: "grp", topicPrefix: "shop" };

  test("nothing registered, or only this connector: fine", () => {
    assert.deepEqual(checkUniqueness(self, undefined, []), []);
    assert.deepEqual(checkUniqueness(self, undefined, [{ group: "grp", name: "orders-cdc", topicPrefix: "shop" }]), []);
  });

  test("the same name in another group", () => {
    assert.deepEqual(checkUniqueness(self, undefined, [{ group: "other", name: "orders-cdc", topicPrefix: "other" }]), [
      {
        property: "name",
        reason:
          'connector name "orders-cdc" is already used by a connector of resource group "other" on this Kafka cluster; names are unique within the cluster (consumer group connect-orders-cdc): choose another name',
      },
    ]);
  });

  test("the same topic prefix on another connector", () => {
    assert.deepEqual(checkUniqueness(self, undefined, [{ group: "other", name: "users-cdc", topicPrefix: "shop" }]), [
      {
        property: "topicPrefix",
        reason:
          'topic prefix "shop" is already used by connector "users-cdc" (resource group "other"); prefixes are unique across the cluster\'s connectors: choose another prefix',
      },
    ]);
    // A registered connector without a prefix never clashes.
    assert.deepEqual(checkUniqueness(self, undefined, [{ group: "other", name: "users-cdc" }]), []);
  });

  test("three others in the group: the group is full, naming them", () => {
    const registered: RegisteredConnector[] = [
      { group: "grp", name: "a", topicPrefix: "pa" },
      { group: "grp", name: "b", topicPrefix: "pb" },
      { group: "grp", name: "c", topicPrefix: "pc" },
      { group: "other", name: "d", topicPrefix: "pd" },
    ];
    assert.deepEqual(checkUniqueness(self, undefined, registered), [
      {
        property: "resourceGroup",
        reason: 'resource group "grp" already runs 3 connectors (a, b, c); the limit is 3: put this connector in another ResourceGroup',
      },
    ]);
  });

  test("exactly two others in the group is fine (this one is the third)", () => {
    const registered: RegisteredConnector[] = [
      { group: "grp", name: "a", topicPrefix: "pa" },
      { group: "grp", name: "b", topicPrefix: "pb" },
      { group: "grp", name: "orders-cdc", topicPrefix: "shop" },
      { group: "other", name: "c", topicPrefix: "pc" },
      { group: "other", name: "d", topicPrefix: "pd" },
    ];
    assert.deepEqual(checkUniqueness(self, undefined, registered), []);
  });

  test("the previous name/group of this resource is not counted (rename within the group)", () => {
    const registered: RegisteredConnector[] = [
      { group: "grp", name: "a", topicPrefix: "pa" },
      { group: "grp", name: "b", topicPrefix: "pb" },
      { group: "grp", name: "old-name", topicPrefix: "shop" },
    ];
    const renamed = { ...self, name: "new-name" };
    assert.deepEqual(checkUniqueness(renamed, { name: "old-name", groupName: "grp" }, registered), []);
    // Without `previous`, the old record counts: same prefix and a full group.
    assert.deepEqual(props(checkUniqueness(renamed, undefined, registered)), ["topicPrefix", "resourceGroup"]);
  });

  test("the previous group of this resource is not counted (move to another group)", () => {
    const registered: RegisteredConnector[] = [{ group: "old-grp", name: "orders-cdc", topicPrefix: "shop" }];
    assert.deepEqual(checkUniqueness(self, { name: "orders-cdc", groupName: "old-grp" }, registered), []);
    assert.deepEqual(props(checkUniqueness(self, undefined, registered)), ["name", "topicPrefix"]);
  });

  test("`previous` only excludes its own group/name pair", () => {
    const registered: RegisteredConnector[] = [{ group: "other", name: "orders-cdc", topicPrefix: "x" }];
    assert.deepEqual(props(checkUniqueness(self, { name: "orders-cdc", groupName: "old-grp" }, registered)), ["name"]);
  });

  test("all three failures at once", () => {
    const registered: RegisteredConnector[] = [
      { group: "other", name: "orders-cdc", topicPrefix: "o" },
      { group: "grp", name: "a", topicPrefix: "shop" },
      { group: "grp", name: "b" },
      { group: "grp", name: "c" },
    ];
    const failures = checkUniqueness(self, undefined, registered);
    assert.deepEqual(props(failures), ["name", "topicPrefix", "resourceGroup"]);
    assert.match(reasonOf(failures, "topicPrefix"), /already used by connector "a" \(resource group "grp"\)/);
  });
});

describe("diffConnector", () => {
  const noChange: ConnectorDiff = { changes: false, replaces: [], deleteBeforeReplace: false, updates: [], addedTables: [], removedTables: [] };

  test("identical inputs: no changes (outputs-only fields are ignored)", () => {
    assert.deepEqual(diffConnector(outputs(), inputs()), noChange);
  });

  test("name, group and source database replace, deleting first", () => {
    const cases: [string, ConnectorInputs][] = [
      ["name", inputs({ name: "orders-cdc-2" })],
      ["groupName", inputs({ groupName: "grp2" })],
      ["source.host", inputs({}, { host: "db2" })],
      ["source.port", inputs({}, { port: 3307 })],
      ["source.database", inputs({}, { database: "shop2" })],
    ];
    for (const [path, news] of cases) {
      assert.deepEqual(
        diffConnector(outputs(), news),
        { changes: true, replaces: [path], deleteBeforeReplace: true, updates: [], addedTables: [], removedTables: [] },
        path,
      );
    }
  });

  test("leaving the default port out, or giving it, is not another database", () => {
    // source.port defaults to 3306 (contract DEFAULTS.port): unset and 3306 are the same source.
    const d = diffConnector(outputs({}, { port: undefined }), inputs({}, { port: 3306 }));
    assert.deepEqual(d.replaces, []);
    assert.equal(d.deleteBeforeReplace, false);
  });

  test("several replacing inputs at once, with updates alongside", () => {
    const d = diffConnector(outputs(), inputs({ name: "x", format: "canal" }, { host: "h2", password: "new" }));
    assert.deepEqual(d.replaces, ["name", "source.host"]);
    assert.deepEqual(d.updates, ["source.password", "format"]);
    assert.equal(d.deleteBeforeReplace, true);
    assert.equal(d.changes, true);
  });

  test("other inputs update in place", () => {
    const cases: [string, ConnectorInputs][] = [
      ["groupKey", inputs({ groupKey: Buffer.alloc(32, 9).toString("base64") })],
      ["kafka.brokers", inputs({ kafka: { brokers: ["127.0.0.1:9093"] } })],
      ["source.user", inputs({}, { user: "cdc2" })],
      ["source.password", inputs({}, { password: "rotated" })],
      ["source.region", inputs({}, { region: "cn-beijing" })],
      ["source.rdsInstanceId", inputs({}, { rdsInstanceId: "rm-2" })],
      ["source.timezone", inputs({}, { timezone: "+08:00" })],
      ["source.serverId", inputs({}, { serverId: 99 })],
      ["autoAddTables", inputs({ autoAddTables: "^o.*" })],
      ["topicPrefix", inputs({ topicPrefix: "shop2" })],
      ["format", inputs({ format: "canal" })],
      ["compression", inputs({ compression: "none" })],
      ["acks", inputs({ acks: "0" })],
      ["partitionPolicy", inputs({ partitionPolicy: "table-hash" })],
      ["retry", inputs({ retry: { connectionMinutes: 30 } })],
      ["throttle", inputs({ throttle: { megabytesPerSecond: 2 } })],
      ["maxRecordBytes", inputs({ maxRecordBytes: 4096 })],
      ["initialSync", inputs({ initialSync: true })],
      ["startPosition", inputs({ startPosition: "earliest" })],
      ["paused", inputs({ paused: true })],
      ["manageGrants", inputs({ manageGrants: { adminUser: "root", adminPassword: "pw" } })],
      ["deployTimeoutSeconds", inputs({ deployTimeoutSeconds: 60 })],
    ];
    for (const [path, news] of cases) {
      assert.deepEqual(
        diffConnector(outputs(), news),
        { changes: true, replaces: [], deleteBeforeReplace: false, updates: [path], addedTables: [], removedTables: [] },
        path,
      );
    }
  });

  test("a nested change inside an object input is found", () => {
    const olds = outputs({ retry: { connectionMinutes: 60, otherMinutes: 5 } });
    assert.deepEqual(diffConnector(olds, inputs({ retry: { connectionMinutes: 60, otherMinutes: 6 } })).updates, ["retry"]);
    assert.deepEqual(diffConnector(olds, inputs({ retry: { connectionMinutes: 60, otherMinutes: 5 } })), noChange);
  });

  test("tables added and removed: an update, with the lists", () => {
    assert.deepEqual(diffConnector(outputs(), inputs({ tables: ["orders", "items"] })), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      updates: ["tables"],
      addedTables: ["items"],
      removedTables: [],
    });
    const d = diffConnector(outputs({ tables: ["orders", "items", "users"] }), inputs({ tables: ["items", "customers", "carts"] }));
    assert.deepEqual(d.updates, ["tables"]);
    assert.deepEqual(d.addedTables, ["customers", "carts"]);
    assert.deepEqual(d.removedTables, ["orders", "users"]);
    assert.deepEqual(d.replaces, []);
  });
});

describe("describeTableChange", () => {
  const diff = (addedTables: string[], removedTables: string[]): ConnectorDiff => ({
    changes: true,
    replaces: [],
    deleteBeforeReplace: false,
    updates: ["tables"],
    addedTables,
    removedTables,
  });

  test("added tables with initialSync: preview says they are not backfilled (the runtime has no full sync yet)", () => {
    assert.deepEqual(describeTableChange(diff(["items", "users"], []), true, "orders-cdc"), [
      "connector orders-cdc: tables items, users will be added and streamed from now on; their existing rows are not backfilled (initialSync copies the tables of a new connector only)",
    ]);
  });

  test("added tables without initialSync are streamed from now on", () => {
    const expected = [
      "connector orders-cdc: tables items will be added and streamed from now on; their existing rows are not backfilled (initialSync is off)",
    ];
    assert.deepEqual(describeTableChange(diff(["items"], []), false, "orders-cdc"), expected);
    assert.deepEqual(describeTableChange(diff(["items"], []), undefined, "orders-cdc"), expected);
  });

  test("removed tables are no longer streamed, their topics kept", () => {
    assert.deepEqual(describeTableChange(diff([], ["orders", "users"]), true, "orders-cdc"), [
      "connector orders-cdc: tables orders, users will no longer be streamed (their topics are kept)",
    ]);
  });

  test("both, added first", () => {
    assert.deepEqual(describeTableChange(diff(["items"], ["orders"]), true, "c1"), [
      "connector c1: tables items will be added and streamed from now on; their existing rows are not backfilled (initialSync copies the tables of a new connector only)",
      "connector c1: tables orders will no longer be streamed (their topics are kept)",
    ]);
  });

  test("no table change, no lines", () => {
    assert.deepEqual(describeTableChange(diff([], []), true, "c1"), []);
    assert.deepEqual(describeTableChange(diffConnector(outputs(), inputs({ paused: true })), false, "orders-cdc"), []);
  });

  test("from a real diff", () => {
    const d = diffConnector(outputs(), inputs({ tables: ["items"] }));
    assert.deepEqual(describeTableChange(d, false, "orders-cdc"), [
      "connector orders-cdc: tables items will be added and streamed from now on; their existing rows are not backfilled (initialSync is off)",
      "connector orders-cdc: tables orders will no longer be streamed (their topics are kept)",
    ]);
  });
});
