/**
 * The cluster-wide rules (name, prefix, 3 per group) and the predecessor of a replacement, judged
 * from the configs topics' records, with and without the records' owner.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkUniqueness, findPredecessor, findSuccessor, type RegisteredConnector } from "../../../provider/connector/uniqueness";
import { props, reasonOf } from "../failures";
import { OWNER } from "./inputs";

const mine = { owner: OWNER };
const theirs = { owner: "cdc/prod/orders" };

describe("checkUniqueness", () => {
  const self = { name: "orders-cdc", groupName: "grp", topicPrefix: "shop", owner: OWNER };

  test("nothing registered, or only this connector: fine", () => {
    assert.deepEqual(checkUniqueness(self, undefined, []), []);
    assert.deepEqual(checkUniqueness(self, undefined, [{ group: "grp", name: "orders-cdc", topicPrefix: "shop", metadata: mine }]), []);
    // A record from before owners, under this resource's group and name, is this resource.
    assert.deepEqual(checkUniqueness(self, undefined, [{ group: "grp", name: "orders-cdc", topicPrefix: "shop" }]), []);
  });

  test("the same name in another group", () => {
    assert.deepEqual(checkUniqueness(self, undefined, [{ group: "other", name: "orders-cdc", topicPrefix: "other", metadata: theirs }]), [
      {
        property: "name",
        reason:
          'connector name "orders-cdc" is already used by a connector of resource group "other" on this Kafka cluster; names are unique within the cluster (consumer group connect-orders-cdc): choose another name',
      },
    ]);
  });

  test("another stack's connector with the same name in the same group is another connector, not this one", () => {
    const failures = checkUniqueness(self, undefined, [{ group: "grp", name: "orders-cdc", topicPrefix: "shop", metadata: theirs }]);
    assert.deepEqual(props(failures), ["name", "topicPrefix"]);
    assert.equal(
      reasonOf(failures, "name"),
      'connector name "orders-cdc" is already used by a connector in this resource group ("grp"), written by another Pulumi resource (cdc/prod/orders) on this Kafka cluster; names are unique within the cluster (consumer group connect-orders-cdc): choose another name',
    );
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
      { group: "grp", name: "orders-cdc", topicPrefix: "shop", metadata: mine },
      { group: "other", name: "c", topicPrefix: "pc" },
    ];
    assert.deepEqual(checkUniqueness(self, undefined, registered), []);
  });

  test("a replacement (checked without the old inputs) does not count its own old registration, found by its owner", () => {
    const registered: RegisteredConnector[] = [
      { group: "grp", name: "a", topicPrefix: "pa" },
      { group: "grp", name: "b", topicPrefix: "pb" },
      { group: "grp", name: "old-name", topicPrefix: "shop", metadata: mine },
    ];
    assert.deepEqual(checkUniqueness({ ...self, name: "new-name" }, undefined, registered), []);
    // Moved to another group: the old group's record is this resource too.
    assert.deepEqual(checkUniqueness({ ...self, groupName: "grp2" }, undefined, [{ group: "grp", name: "orders-cdc", topicPrefix: "shop", metadata: mine }]), []);
  });

  test("without an owner (older state), only `previous` tells the old registration", () => {
    const registered: RegisteredConnector[] = [
      { group: "grp", name: "a", topicPrefix: "pa" },
      { group: "grp", name: "b", topicPrefix: "pb" },
      { group: "grp", name: "old-name", topicPrefix: "shop" },
    ];
    const renamed = { name: "new-name", groupName: "grp", topicPrefix: "shop" };
    assert.deepEqual(checkUniqueness(renamed, { name: "old-name", groupName: "grp" }, registered), []);
    assert.deepEqual(props(checkUniqueness(renamed, undefined, registered)), ["topicPrefix", "resourceGroup"]);
  });

  test("a record of this resource written before its stack was renamed (another owner) is still this resource on an update", () => {
    const registered: RegisteredConnector[] = [{ group: "grp", name: "orders-cdc", topicPrefix: "shop", metadata: { owner: "cdc/old-stack-name/orders" } }];
    assert.deepEqual(checkUniqueness(self, { name: "orders-cdc", groupName: "grp" }, registered), []);
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

describe("findPredecessor", () => {
  const self = { name: "new-name", groupName: "grp", topicPrefix: "shop", owner: OWNER };

  test("the record this resource's owner wrote under another name or group", () => {
    const old: RegisteredConnector = { group: "grp", name: "old-name", topicPrefix: "shop", metadata: mine };
    assert.deepEqual(findPredecessor(self, [{ group: "grp", name: "x", metadata: theirs }, old]), { predecessor: old });
    const moved: RegisteredConnector = { group: "grp-old", name: "new-name", metadata: mine };
    assert.deepEqual(findPredecessor(self, [moved]), { predecessor: moved });
  });

  test("its own key for another source (a new host, port or database replaces under the same key)", () => {
    const here = { ...self, source: { host: "db2", port: 3306, database: "shop" } };
    const old: RegisteredConnector = { group: "grp", name: "new-name", source: { host: "db", port: 3306, database: "shop" }, metadata: mine };
    assert.deepEqual(findPredecessor(here, [old]), { predecessor: old });
    assert.deepEqual(findPredecessor({ ...here, source: { host: "db", database: "shop" } }, [old]), { predecessor: undefined }, "the same source (default port) is this connector, not a predecessor");
  });

  test("none: no record of this owner elsewhere, its own current record, or no owner at all", () => {
    assert.deepEqual(findPredecessor(self, [{ group: "grp", name: "new-name", metadata: mine }, { group: "grp", name: "y", metadata: theirs }]), { predecessor: undefined });
    assert.deepEqual(findPredecessor({ ...self, owner: undefined }, [{ group: "grp", name: "old-name", metadata: mine }]), {});
  });

  test("two: an earlier replacement did not finish; a failure names both", () => {
    const { failure } = findPredecessor(self, [
      { group: "grp", name: "a", metadata: mine },
      { group: "grp2", name: "b", metadata: mine },
    ]);
    assert.equal(failure?.property, "name");
    assert.match(failure?.reason ?? "", /this Connector \(cdc\/dev\/orders\) is registered as 2 other connectors: a \(resource group grp\), b \(resource group grp2\); an earlier replacement did not finish/);
  });
});

describe("findSuccessor", () => {
  const me = { name: "a", groupName: "grp", owner: OWNER, revision: "r1" };
  const replaces = { group: "grp", name: "a", position: true, grants: false };

  test("a connector of the same owner naming this one in replaces", () => {
    const b: RegisteredConnector = { group: "grp", name: "b", metadata: { owner: OWNER, replaces } };
    assert.equal(findSuccessor(me, [b]), b);
    assert.equal(findSuccessor(me, [{ ...b, metadata: { owner: "other/stack/x", replaces } }]), undefined);
  });

  test("under this connector's own key, only a record another deploy wrote (another revision)", () => {
    const same: RegisteredConnector = { group: "grp", name: "a", revision: "r2", metadata: { owner: OWNER, replaces } };
    assert.equal(findSuccessor(me, [same]), same);
    assert.equal(findSuccessor(me, [{ ...same, revision: "r1" }]), undefined, "its own record, from its last deploy, is not a successor");
  });
});
