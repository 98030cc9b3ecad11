/**
 * The cluster-wide rules of connectors, judged against what the configs topics of every resource
 * group on the Kafka cluster hold: names are unique on the cluster (their consumer group
 * connect-<name> is cluster-wide), topic prefixes are unique across its connectors, a group runs
 * at most 3. And which registered connector is this resource's own predecessor: a Connector whose
 * name or group changes is replaced, and the engine checks the replacement with no old inputs,
 * so only the record's owner (the Pulumi resource that wrote it) tells it from another connector.
 */
import type { ConfigRecordMetadata } from "../../runtime/contract/config";
import { MAX_CONNECTORS_PER_GROUP } from "../resource-group/network";
import type { CheckFailure } from "../types";

/** A connector as the configs topics of the cluster hold it. */
export interface RegisteredConnector {
  group: string;
  name: string;
  topicPrefix?: string;
  source?: { host?: string; port?: number; database?: string; user?: string; serverId?: number };
  /** The revision of the record (each deploy writes a new one). */
  revision?: string;
  /** The provider's fields of the record (owner, source server, grants, replaces). */
  metadata?: ConfigRecordMetadata;
  /** Not on the cluster yet: another resource of the program being previewed or deployed. */
  declared?: boolean;
}

/** This resource as the rules see it; `owner` is absent in state written before owners existed. */
export interface ConnectorIdentity {
  name: string;
  groupName: string;
  topicPrefix: string;
  owner?: string;
  source?: { host?: string; port?: number; database?: string };
}

const key = (group: string, name: string) => `${group}\u0000${name}`;

/**
 * Whether a registered connector is this resource (now, or before this change): written by the
 * same owner, or (a record without an owner, from an older version) under this resource's
 * group and name, or under its group and name before the change (`previous`, given on updates:
 * also covers a stack renamed since the record was written).
 */
function isThisResource(self: ConnectorIdentity, previous: { name: string; groupName: string } | undefined, c: RegisteredConnector): boolean {
  if (previous && key(c.group, c.name) === key(previous.groupName, previous.name)) return true;
  const owner = c.metadata?.owner;
  if (owner !== undefined && self.owner !== undefined) return owner === self.owner;
  return key(c.group, c.name) === key(self.groupName, self.name);
}

/** Every rule at once: name, prefix and the group's limit, against the other connectors. */
export function checkUniqueness(self: ConnectorIdentity, previous: { name: string; groupName: string } | undefined, registered: RegisteredConnector[]): CheckFailure[] {
  const others = registered.filter((c) => !isThisResource(self, previous, c));
  const failures: CheckFailure[] = [];
  const sameName = others.find((c) => c.name === self.name);
  if (sameName?.declared) {
    failures.push({
      property: "name",
      reason: `connector name ${JSON.stringify(self.name)} is also given to another Connector of this program (${sameName.metadata?.owner}); names are unique within the Kafka cluster (consumer group connect-${self.name}): give each Connector its own name`,
    });
  } else if (sameName) {
    const where = sameName.group === self.groupName ? `in this resource group (${JSON.stringify(sameName.group)}), written by ${ownerText(sameName)}` : `of resource group ${JSON.stringify(sameName.group)}`;
    failures.push({
      property: "name",
      reason: `connector name ${JSON.stringify(self.name)} is already used by a connector ${where} on this Kafka cluster; names are unique within the cluster (consumer group connect-${self.name}): choose another name`,
    });
  }
  const samePrefix = others.find((c) => c.topicPrefix === self.topicPrefix);
  if (samePrefix?.declared) {
    failures.push({
      property: "topicPrefix",
      reason: `topic prefix ${JSON.stringify(self.topicPrefix)} is also given to connector ${JSON.stringify(samePrefix.name)} of this program (${samePrefix.metadata?.owner}); two connectors would write the same topics: give each its own prefix`,
    });
  } else if (samePrefix) {
    failures.push({
      property: "topicPrefix",
      reason: `topic prefix ${JSON.stringify(self.topicPrefix)} is already used by connector ${JSON.stringify(samePrefix.name)} (resource group ${JSON.stringify(samePrefix.group)}); prefixes are unique across the cluster's connectors: choose another prefix`,
    });
  }
  const inGroup = others.filter((c) => c.group === self.groupName);
  if (inGroup.length >= MAX_CONNECTORS_PER_GROUP) {
    failures.push({
      property: "resourceGroup",
      reason: `resource group ${JSON.stringify(self.groupName)} already runs ${inGroup.length} connectors (${inGroup.map((c) => `${c.name}${c.declared ? " of this program" : ""}`).join(", ")}); the limit is ${MAX_CONNECTORS_PER_GROUP}: put this connector in another ResourceGroup`,
    });
  }
  return failures;
}

function ownerText(c: RegisteredConnector): string {
  return c.metadata?.owner ? `another Pulumi resource (${c.metadata.owner})` : "another program (its record names no owner)";
}

/** Whether a record reads another source than `self` (another host, port or database: a replacement). */
function otherSource(self: ConnectorIdentity, c: RegisteredConnector): boolean {
  const a = self.source ?? {};
  const b = c.source ?? {};
  return a.host !== b.host || (a.port ?? 3306) !== (b.port ?? 3306) || a.database !== b.database;
}

/**
 * The registered connector this resource replaces: the one its owner wrote under another name
 * or group, or under its own name and group for another source (a new host, port or database
 * replaces the connector too, under the same key). Several would mean an earlier replacement
 * was left half done: that is a failure naming them, since taking over from the wrong one would
 * repeat or skip changes.
 */
export function findPredecessor(self: ConnectorIdentity, registered: RegisteredConnector[]): { predecessor?: RegisteredConnector; failure?: CheckFailure } {
  if (self.owner === undefined) return {};
  const mine = registered.filter((c) => c.metadata?.owner === self.owner && (key(c.group, c.name) !== key(self.groupName, self.name) || otherSource(self, c)));
  if (mine.length <= 1) return { predecessor: mine[0] };
  const list = mine.map((c) => `${c.name} (resource group ${c.group})`).join(", ");
  return {
    failure: {
      property: "name",
      reason: `this Connector (${self.owner}) is registered as ${mine.length} other connectors: ${list}; an earlier replacement did not finish. Delete the ones that no longer run (a tombstone for their key in cdc-<group>-configs), then run pulumi up again`,
    },
  };
}

/**
 * The connector that took over from this one (written by the same owner, naming this one in
 * `replaces`). Under this connector's own key (a new host, port or database) it is told apart by
 * its revision: the record is no longer the one this connector's last deploy wrote.
 */
export function findSuccessor(self: { name: string; groupName: string; owner?: string; revision?: string }, registered: RegisteredConnector[]): RegisteredConnector | undefined {
  if (self.owner === undefined) return undefined;
  return registered.find(
    (c) =>
      c.metadata?.owner === self.owner &&
      c.metadata?.replaces?.group === self.groupName &&
      c.metadata?.replaces?.name === self.name &&
      (key(c.group, c.name) !== key(self.groupName, self.name) || c.revision !== self.revision),
  );
}
