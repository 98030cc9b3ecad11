import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { REQUIRED_GLOBAL, analyzeGrants, grantStatement, parseGrant } from "../../../runtime/source/grants";

const MARIADB_GLOBAL =
  "GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `cdc`@`%` IDENTIFIED BY PASSWORD '*3BADBEEF6D1C1B2D7B4CF2B5A8E0E4C97C1F0A11'";
const TABLES = ["orders", "order_items"];

describe("parseGrant", () => {
  test("MariaDB global line with BINLOG MONITOR and a password hash", () => {
    const line = parseGrant(MARIADB_GLOBAL);
    assert.ok(line);
    assert.deepEqual([...line.privileges], ["SELECT", "REPLICATION SLAVE", "BINLOG MONITOR"]);
    assert.equal(line.scope, "*.*");
  });

  test("database and table scopes are unquoted", () => {
    assert.equal(parseGrant("GRANT SELECT ON `shop`.* TO `cdc`@`%`")?.scope, "shop.*");
    assert.equal(parseGrant("GRANT SELECT ON `shop`.`orders` TO `cdc`@`%`")?.scope, "shop.orders");
    assert.equal(parseGrant("GRANT SELECT ON 'shop'.'orders' TO 'cdc'@'%'")?.scope, "shop.orders");
    assert.equal(parseGrant("GRANT SELECT ON shop.orders TO cdc@'%'")?.scope, "shop.orders");
    assert.equal(parseGrant("GRANT EXECUTE ON PROCEDURE `shop`.`p1` TO `cdc`@`%`")?.scope, "shop.p1");
  });

  test("privileges are upper-cased and column lists are not split", () => {
    const line = parseGrant("grant select (a, b), insert ON `shop`.`orders` TO `cdc`@`%`");
    assert.ok(line);
    assert.deepEqual([...line.privileges], ["SELECT (A, B)", "INSERT"]);
    assert.equal(line.scope, "shop.orders");
  });

  test("surrounding whitespace and WITH GRANT OPTION are ignored", () => {
    const line = parseGrant("  GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION  ");
    assert.ok(line);
    assert.deepEqual([...line.privileges], ["ALL PRIVILEGES"]);
    assert.equal(line.scope, "*.*");
  });

  test("role grants give undefined", () => {
    assert.equal(parseGrant("GRANT `cdc_role` TO `cdc`@`%`"), undefined);
    assert.equal(parseGrant("SET DEFAULT ROLE `cdc_role` FOR `cdc`@`%`"), undefined);
  });

  test("PROXY lines give undefined (as the function's comment promises)", () => {
    assert.equal(parseGrant("GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION"), undefined);
  });

});

describe("analyzeGrants", () => {
  test("MariaDB spelling: SELECT, REPLICATION SLAVE, BINLOG MONITOR on *.* is everything", () => {
    assert.deepEqual(analyzeGrants([MARIADB_GLOBAL], "shop", TABLES), { missing: [], tablesWithoutSelect: [] });
  });

  test("MySQL spelling: REPLICATION CLIENT", () => {
    const rows = ["GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%`"];
    assert.deepEqual(analyzeGrants(rows, "shop", TABLES), { missing: [], tablesWithoutSelect: [] });
  });

  test("ALL PRIVILEGES (and ALL) on *.* cover everything", () => {
    assert.deepEqual(analyzeGrants(["GRANT ALL PRIVILEGES ON *.* TO `root`@`%` WITH GRANT OPTION"], "shop", TABLES), {
      missing: [],
      tablesWithoutSelect: [],
    });
    assert.deepEqual(analyzeGrants(["GRANT ALL ON *.* TO `root`@`%`"], "shop", TABLES).missing, []);
  });

  test("SUPER implies REPLICATION CLIENT but not REPLICATION SLAVE", () => {
    assert.deepEqual(analyzeGrants(["GRANT SELECT, SUPER ON *.* TO `cdc`@`%`"], "shop", TABLES).missing, ["REPLICATION SLAVE"]);
  });

  test("database-level SELECT is enough for the tables", () => {
    const rows = ["GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%`", "GRANT SELECT ON `shop`.* TO `cdc`@`%`"];
    assert.deepEqual(analyzeGrants(rows, "shop", TABLES), { missing: [], tablesWithoutSelect: [] });
  });

  test("database-level ALL PRIVILEGES gives SELECT but not the global replication privileges", () => {
    const rows = ["GRANT USAGE ON *.* TO `cdc`@`%`", "GRANT ALL PRIVILEGES ON `shop`.* TO `cdc`@`%`"];
    assert.deepEqual(analyzeGrants(rows, "shop", TABLES), { missing: ["REPLICATION SLAVE", "REPLICATION CLIENT"], tablesWithoutSelect: [] });
  });

  test("SELECT on another database does not count", () => {
    const rows = ["GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%`", "GRANT SELECT ON `other`.* TO `cdc`@`%`"];
    assert.deepEqual(analyzeGrants(rows, "shop", TABLES), { missing: ["SELECT"], tablesWithoutSelect: ["orders", "order_items"] });
  });

  test("table-level SELECT covers only the tables named", () => {
    const rows = ["GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%`", "GRANT SELECT ON `shop`.`orders` TO `cdc`@`%`"];
    assert.deepEqual(analyzeGrants(rows, "shop", TABLES), { missing: ["SELECT"], tablesWithoutSelect: ["order_items"] });
    const both = [...rows, "GRANT SELECT, INSERT ON `shop`.`order_items` TO `cdc`@`%`"];
    assert.deepEqual(analyzeGrants(both, "shop", TABLES), { missing: [], tablesWithoutSelect: [] });
  });

  test("column-level SELECT (a, b) is not SELECT on the table", () => {
    const rows = [
      "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%`",
      "GRANT SELECT ON `shop`.`order_items` TO `cdc`@`%`",
      "GRANT SELECT (id, total) ON `shop`.`orders` TO `cdc`@`%`",
    ];
    assert.deepEqual(analyzeGrants(rows, "shop", TABLES), { missing: ["SELECT"], tablesWithoutSelect: ["orders"] });
  });

  test("USAGE only: everything missing, in GRANT order", () => {
    const rows = ["GRANT USAGE ON *.* TO `cdc`@`%` IDENTIFIED BY PASSWORD '*ABCDEF'"];
    assert.deepEqual(analyzeGrants(rows, "shop", TABLES), {
      missing: ["SELECT", "REPLICATION SLAVE", "REPLICATION CLIENT"],
      tablesWithoutSelect: ["orders", "order_items"],
    });
  });

  test("replication privileges count only on *.*", () => {
    const rows = ["GRANT SELECT ON *.* TO `cdc`@`%`", "GRANT ALL PRIVILEGES ON `shop`.* TO `cdc`@`%`"];
    assert.deepEqual(analyzeGrants(rows, "shop", TABLES).missing, ["REPLICATION SLAVE", "REPLICATION CLIENT"]);
  });

  test("table-level SELECT on a table whose name contains a dot counts for that table", () => {
    // MySQL and MariaDB allow '.' in quoted table names, and so does the connector config (topic characters).
    const rows = ["GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%`", "GRANT SELECT ON `shop`.`orders.2024` TO `cdc`@`%`"];
    assert.deepEqual(analyzeGrants(rows, "shop", ["orders.2024"]), { missing: [], tablesWithoutSelect: [] });
  });

  test("no rows at all", () => {
    assert.deepEqual(analyzeGrants([], "shop", ["t"]), { missing: ["SELECT", "REPLICATION SLAVE", "REPLICATION CLIENT"], tablesWithoutSelect: ["t"] });
  });

  test("REQUIRED_GLOBAL", () => {
    assert.deepEqual([...REQUIRED_GLOBAL], ["REPLICATION SLAVE", "REPLICATION CLIENT"]);
  });
});

describe("grantStatement", () => {
  test("exact statement for the missing privileges", () => {
    assert.equal(
      grantStatement(["SELECT", "REPLICATION SLAVE", "REPLICATION CLIENT"], "cdc", "%"),
      "GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'%';",
    );
    assert.equal(grantStatement(["REPLICATION CLIENT"], "cdc", "10.0.%"), "GRANT REPLICATION CLIENT ON *.* TO 'cdc'@'10.0.%';");
  });

  test("quotes and backslashes in the account are escaped", () => {
    assert.equal(grantStatement(["SELECT"], "o'brien", "%"), "GRANT SELECT ON *.* TO 'o\\'brien'@'%';");
    assert.equal(grantStatement(["SELECT"], "a\\b", "h'x"), "GRANT SELECT ON *.* TO 'a\\\\b'@'h\\'x';");
  });
});
