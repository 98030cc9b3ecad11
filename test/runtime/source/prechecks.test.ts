import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { judgeForResume, judgeSettings, type ServerSettings } from "../../../runtime/source/prechecks";

const DAY = 86_400;

function settings(overrides: Partial<ServerSettings> = {}): ServerSettings {
  return {
    logBin: "ON",
    binlogFormat: "ROW",
    binlogRowImage: "FULL",
    binlogRowMetadata: "FULL",
    retentionSeconds: 7 * DAY,
    currentUser: { user: "cdc", host: "%" },
    grants: ["GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `cdc`@`%` IDENTIFIED BY PASSWORD '*3BADBEEF'"],
    existingTables: ["orders", "order_items", "other"],
    ...overrides,
  };
}

const TABLES = ["orders", "order_items"];

describe("judgeSettings", () => {
  test("a well configured server passes with no errors or warnings", () => {
    assert.deepEqual(judgeSettings(settings(), "shop", TABLES), { errors: [], warnings: [] });
  });

  test("log_bin may be 1 or on (any case)", () => {
    assert.deepEqual(judgeSettings(settings({ logBin: "1" }), "shop", TABLES).errors, []);
    assert.deepEqual(judgeSettings(settings({ logBin: "on" }), "shop", TABLES).errors, []);
    assert.deepEqual(judgeSettings(settings({ binlogFormat: "row", binlogRowImage: "full", binlogRowMetadata: "full" }), "shop", TABLES).errors, []);
  });

  test("MySQL's binlog_transaction_compression ON and binlog_row_value_options PARTIAL_JSON are BINLOG_UNSUPPORTED_EVENT, each with its SET GLOBAL", () => {
    const { errors } = judgeSettings(settings({ binlogTransactionCompression: "ON", binlogRowValueOptions: "PARTIAL_JSON" }), "shop", TABLES);
    assert.deepEqual(errors.map((e) => e.code), ["BINLOG_UNSUPPORTED_EVENT", "BINLOG_UNSUPPORTED_EVENT"]);
    assert.match(errors[0].message, /binlog_transaction_compression is ON: .* SET GLOBAL binlog_transaction_compression = OFF/);
    assert.match(errors[1].message, /binlog_row_value_options is PARTIAL_JSON: .* SET GLOBAL binlog_row_value_options = ''/);
    // Off, or a server without the settings (MariaDB): nothing.
    assert.deepEqual(judgeSettings(settings({ binlogTransactionCompression: "OFF", binlogRowValueOptions: "" }), "shop", TABLES).errors, []);
    assert.deepEqual(judgeSettings(settings(), "shop", TABLES).errors, []);
  });

  test("log_bin OFF gives BINLOG_DISABLED", () => {
    const { errors } = judgeSettings(settings({ logBin: "OFF" }), "shop", TABLES);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, "BINLOG_DISABLED");
    assert.equal(errors[0].reason, "log_bin is OFF; it must be ON.");
    assert.match(errors[0].message, /^BINLOG_DISABLED: log_bin is OFF; it must be ON\. Fix: /);
    assert.equal(judgeSettings(settings({ logBin: "0" }), "shop", TABLES).errors[0].code, "BINLOG_DISABLED");
  });

  test("binlog_format STATEMENT or MIXED gives BINLOG_FORMAT_NOT_ROW", () => {
    for (const format of ["STATEMENT", "MIXED"]) {
      const { errors } = judgeSettings(settings({ binlogFormat: format }), "shop", TABLES);
      assert.deepEqual(errors.map((e) => e.code), ["BINLOG_FORMAT_NOT_ROW"]);
      assert.equal(errors[0].reason, `binlog_format is ${format}; it must be ROW.`);
    }
  });

  test("binlog_row_image MINIMAL gives BINLOG_ROW_IMAGE_NOT_FULL", () => {
    const { errors } = judgeSettings(settings({ binlogRowImage: "MINIMAL" }), "shop", TABLES);
    assert.deepEqual(errors.map((e) => e.code), ["BINLOG_ROW_IMAGE_NOT_FULL"]);
    assert.equal(errors[0].reason, "binlog_row_image is MINIMAL; it must be FULL.");
  });

  test("binlog_row_metadata NO_LOG or MINIMAL gives BINLOG_ROW_METADATA_NOT_FULL", () => {
    for (const value of ["NO_LOG", "MINIMAL"]) {
      const { errors } = judgeSettings(settings({ binlogRowMetadata: value }), "shop", TABLES);
      assert.deepEqual(errors.map((e) => e.code), ["BINLOG_ROW_METADATA_NOT_FULL"]);
      assert.equal(errors[0].reason, `binlog_row_metadata is ${value}; it must be FULL.`);
    }
  });

  test("a server without binlog_row_metadata gives BINLOG_ROW_METADATA_NOT_FULL explaining the version", () => {
    const { errors } = judgeSettings(settings({ binlogRowMetadata: undefined }), "shop", TABLES);
    assert.deepEqual(errors.map((e) => e.code), ["BINLOG_ROW_METADATA_NOT_FULL"]);
    assert.equal(
      errors[0].reason,
      "the server has no binlog_row_metadata setting (it needs MySQL 8.0.1+ or MariaDB 10.5+ with binlog_row_metadata=FULL).",
    );
  });

  test("missing grants give GRANT_MISSING with the GRANT statement", () => {
    const { errors } = judgeSettings(
      settings({ grants: ["GRANT USAGE ON *.* TO `cdc`@`%`", "GRANT SELECT ON `shop`.`orders` TO `cdc`@`%`"] }),
      "shop",
      TABLES,
    );
    assert.deepEqual(errors.map((e) => e.code), ["GRANT_MISSING"]);
    assert.equal(
      errors[0].reason,
      "account 'cdc'@'%' lacks SELECT, REPLICATION SLAVE, REPLICATION CLIENT (no SELECT on order_items, so it cannot see them). " +
        "Run: GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'%';",
    );
    assert.equal(errors[0].retriable, false);
  });

  test("GRANT_MISSING without a SELECT problem has no table note", () => {
    const { errors } = judgeSettings(
      settings({ currentUser: { user: "cdc", host: "10.0.0.%" }, grants: ["GRANT SELECT, REPLICATION SLAVE ON *.* TO `cdc`@`10.0.0.%`"] }),
      "shop",
      TABLES,
    );
    assert.deepEqual(errors.map((e) => e.code), ["GRANT_MISSING"]);
    assert.equal(errors[0].reason, "account 'cdc'@'10.0.0.%' lacks REPLICATION CLIENT. Run: GRANT REPLICATION CLIENT ON *.* TO 'cdc'@'10.0.0.%';");
  });

  test("the GRANT statement in the message never contains the password hash of SHOW GRANTS", () => {
    const { errors } = judgeSettings(settings({ grants: ["GRANT USAGE ON *.* TO `cdc`@`%` IDENTIFIED BY PASSWORD '*3BADBEEF'"] }), "shop", TABLES);
    assert.equal(errors[0].code, "GRANT_MISSING");
    assert.ok(!errors[0].message.includes("3BADBEEF"));
  });

  test("absent tables give TABLE_MISSING naming each", () => {
    const { errors } = judgeSettings(settings({ existingTables: ["orders"] }), "shop", ["orders", "order_items", "refunds"]);
    assert.deepEqual(errors.map((e) => e.code), ["TABLE_MISSING"]);
    assert.equal(errors[0].reason, "database shop has no table order_items, refunds.");
  });

  test("every failure is collected together, in a fixed order", () => {
    const result = judgeSettings(
      {
        logBin: "OFF",
        binlogFormat: "STATEMENT",
        binlogRowImage: "MINIMAL",
        binlogRowMetadata: undefined,
        retentionSeconds: DAY,
        currentUser: { user: "cdc", host: "%" },
        grants: ["GRANT USAGE ON *.* TO `cdc`@`%`"],
        existingTables: [],
      },
      "shop",
      TABLES,
    );
    assert.deepEqual(result.errors.map((e) => e.code), [
      "BINLOG_DISABLED",
      "BINLOG_FORMAT_NOT_ROW",
      "BINLOG_ROW_IMAGE_NOT_FULL",
      "BINLOG_ROW_METADATA_NOT_FULL",
      "GRANT_MISSING",
    ]);
    assert.equal(result.warnings.length, 1);
  });

  test("without SELECT the tables are not visible to the account: only the missing grant is said, not missing tables", () => {
    const blind = judgeSettings(settings({ grants: ["GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%`"], existingTables: [], databaseExists: false }), "shop", TABLES);
    assert.deepEqual(blind.errors.map((e) => e.code), ["GRANT_MISSING"]);
  });

  test("a database the server does not have is DATABASE_MISSING, not its tables missing", () => {
    const result = judgeSettings(settings({ existingTables: [], databaseExists: false }), "nosuchdb", TABLES);
    assert.deepEqual(result.errors.map((e) => [e.code, e.reason]), [["DATABASE_MISSING", "the server has no database nosuchdb (or account 'cdc' may not see it)."]]);
  });

  test("the connector's server_id equal to the server's own is SERVER_ID_CONFLICT", () => {
    const result = judgeSettings(settings({ serverId: 4242 }), "shop", TABLES, 4242);
    assert.deepEqual(result.errors.map((e) => e.code), ["SERVER_ID_CONFLICT"]);
    assert.deepEqual(judgeSettings(settings({ serverId: 1 }), "shop", TABLES, 4242).errors, []);
  });
});

describe("binlog retention warning", () => {
  test("under 3 days warns with the days to one decimal", () => {
    assert.deepEqual(judgeSettings(settings({ retentionSeconds: 2 * DAY }), "shop", TABLES).warnings, [
      "binlog retention is 2.0 days: keep binlogs at least 3 days (7 recommended), or a connector that falls behind loses its position.",
    ]);
    assert.match(judgeSettings(settings({ retentionSeconds: 3600 }), "shop", TABLES).warnings[0], /^binlog retention is 0\.0 days/);
    assert.match(judgeSettings(settings({ retentionSeconds: 3 * DAY - 1 }), "shop", TABLES).warnings[0], /^binlog retention is 3\.0 days/);
  });

  test("a warning is not an error", () => {
    const result = judgeSettings(settings({ retentionSeconds: DAY }), "shop", TABLES);
    assert.deepEqual(result.errors, []);
    assert.equal(result.warnings.length, 1);
  });

  test("exactly 3 days or more gives no warning", () => {
    assert.deepEqual(judgeSettings(settings({ retentionSeconds: 3 * DAY }), "shop", TABLES).warnings, []);
    assert.deepEqual(judgeSettings(settings({ retentionSeconds: 30 * DAY }), "shop", TABLES).warnings, []);
  });

  test("0 (never purged) gives no warning", () => {
    assert.deepEqual(judgeSettings(settings({ retentionSeconds: 0 }), "shop", TABLES), { errors: [], warnings: [] });
  });
});

describe("judgeForResume (a restart from a committed offset)", () => {
  test("a table gone since the start is a warning naming it, not an error", () => {
    const result = judgeForResume(judgeSettings(settings({ existingTables: ["orders"] }), "shop", ["orders", "order_items", "refunds"]));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, [
      "database shop has no table order_items, refunds any more (dropped or renamed since the connector started): its changes up to then are still delivered from the committed position. Remove it from the Connector's tables.",
    ]);
  });

  test("every other failure stays an error, and earlier warnings stay", () => {
    const result = judgeForResume(
      judgeSettings(settings({ binlogFormat: "MIXED", retentionSeconds: DAY, existingTables: [] }), "shop", TABLES),
    );
    assert.deepEqual(result.errors.map((e) => e.code), ["BINLOG_FORMAT_NOT_ROW"]);
    assert.equal(result.warnings.length, 2);
    assert.match(result.warnings[0], /^binlog retention is 1\.0 days/);
    assert.match(result.warnings[1], /^database shop has no table orders, order_items any more/);
  });

  test("nothing missing: the result is unchanged", () => {
    const judged = judgeSettings(settings(), "shop", TABLES);
    assert.equal(judgeForResume(judged), judged);
  });
});
