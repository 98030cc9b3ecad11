/**
 * The properties each resource takes. A property it does not take is a mistake (`tabels`,
 * `compresion`), which would otherwise be ignored without a word and leave the option at its
 * default: check refuses it, naming the property it most likely meant.
 */
import { didYouMean } from "./suggest";
import type { CheckFailure } from "./types";

/** A leaf, a free-form map (any keys), or the properties of an object (a list's items alike). */
export type Shape = "leaf" | "map" | { [key: string]: Shape };

const vpc: Shape = { vpcId: "leaf", cidrBlock: "leaf", region: "leaf" };
// tls may be true (a leaf) or an object: its properties are judged where it is an object.
const kafkaTls: Shape = { ca: "leaf", cert: "leaf", key: "leaf", serverName: "leaf", verifyHostname: "leaf" };
const kafkaSasl: Shape = { mechanism: "leaf", username: "leaf", password: "leaf", allowWithoutTls: "leaf" };
export const KAFKA_SHAPE: Shape = { brokers: "leaf", instanceId: "leaf", region: "leaf", vpc, limits: { maxTopics: "leaf", maxPartitions: "leaf" }, tls: kafkaTls, sasl: kafkaSasl };
const sourceTls: Shape = { mode: "leaf", ca: "leaf", cert: "leaf", key: "leaf", serverName: "leaf" };
const SOURCE_SHAPE: Shape = { host: "leaf", port: "leaf", database: "leaf", user: "leaf", password: "leaf", region: "leaf", rdsInstanceId: "leaf", timezone: "leaf", tls: sourceTls };

/** What a Connector's check receives: its arguments (resourceGroup made groupName, groupKey, kafka) and its outputs. */
export const CONNECTOR_SHAPE: Shape = {
  name: "leaf", groupName: "leaf", groupKey: "leaf", kafka: KAFKA_SHAPE, source: { ...SOURCE_SHAPE, serverId: "leaf" }, tables: "leaf",
  autoAddTables: "leaf", topicPrefix: "leaf", format: "leaf", compression: "leaf", acks: "leaf", partitionPolicy: "leaf",
  retry: { connectionMinutes: "leaf", otherMinutes: "leaf" }, throttle: { rowsPerSecond: "leaf", megabytesPerSecond: "leaf" },
  maxRecordBytes: "leaf", heartbeatSeconds: "leaf", deadLetterTopic: "leaf", ddlTopic: "leaf", initialSync: "leaf", startPosition: "map",
  paused: "leaf", manageGrants: { adminUser: "leaf", adminPassword: "leaf", accountHost: "leaf" }, deployTimeoutSeconds: "leaf",
  retainOnDelete: "leaf",
  // Set by the resource class, by check, or outputs.
  owner: "leaf", replacing: "map", consumerGroup: "leaf", transactionalId: "leaf", status: "map", revision: "leaf", grants: "map", stateVersion: "leaf", __provider: "leaf",
};

export const TOPIC_SET_SHAPE: Shape = {
  kafka: KAFKA_SHAPE, topicPrefix: "leaf", tables: "leaf", source: SOURCE_SHAPE, partitions: "map", replicationFactor: "leaf", topicConfigs: "map",
  retainOnDelete: "leaf", deleteAdoptedTopics: "leaf",
  owner: "leaf", plannedPartitions: "map", ownership: "map", retained: "leaf", topics: "map", stateVersion: "leaf", __provider: "leaf",
};

/** What a ResourceGroup's core resource is given: the group's arguments it checks, and the failures the group found in the others. */
export const GROUP_CORE_SHAPE: Shape = {
  name: "leaf", region: "leaf", kafka: KAFKA_SHAPE, sources: { vpc }, eniBindings: { vpcId: "leaf", vswitchId: "leaf" },
  cen: { cenId: "leaf", attachedVpcIds: "leaf", bandwidths: { regions: "leaf", mbps: "leaf" } }, spec: { cpu: "leaf", memoryGb: "leaf" },
  replicationFactor: "leaf", argumentFailures: "leaf", groupKey: "leaf", topics: "map", stateVersion: "leaf", __provider: "leaf",
};

/** A ResourceGroup's arguments (checked by its core resource, which is given the unknown ones). */
export const RESOURCE_GROUP_SHAPE: Shape = {
  name: "leaf", region: "leaf", kafka: KAFKA_SHAPE, sources: { vpc }, eniBindings: { vpcId: "leaf", vswitchId: "leaf" },
  cen: { cenId: "leaf", attachedVpcIds: "leaf", bandwidths: { regions: "leaf", mbps: "leaf" } }, spec: { cpu: "leaf", memoryGb: "leaf" },
  replicationFactor: "leaf", logLevel: "leaf",
  runtime: {
    local: { workDir: "leaf", httpPort: "leaf", logLevel: "leaf" },
    kubernetes: { namespace: "leaf", image: "leaf", replicas: "leaf", httpPort: "leaf", imagePullPolicy: "leaf", labels: "map" },
  },
};

/** An Output or a Promise (in a program, before values are known): its properties are not the value's. */
function isPending(value: object): boolean {
  return typeof (value as { apply?: unknown }).apply === "function" || typeof (value as { then?: unknown }).then === "function";
}

/** The paths of properties `value` has that `shape` does not (lists: each item against the shape). */
export function unknownProperties(value: unknown, shape: Shape, path = ""): { path: string; known: string[] }[] {
  if (shape === "leaf" || shape === "map" || value === null || typeof value !== "object" || isPending(value)) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownProperties(item, shape, `${path}[${i}]`));
  const found: { path: string; known: string[] }[] = [];
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(shape, key)) {
      // An argument left undefined (an optional one not given) is no mistake.
      if (inner !== undefined) found.push({ path: here, known: Object.keys(shape).filter((k) => k !== "__provider") });
      continue;
    }
    found.push(...unknownProperties(inner, shape[key], here));
  }
  return found;
}

/** Check failures for the unknown properties, each naming the likely one. */
export function unknownPropertyFailures(value: unknown, shape: Shape, resource: string): CheckFailure[] {
  return unknownProperties(value, shape).map(({ path, known }) => {
    const name = path.split(/[.[]/).pop() as string;
    return { property: path, reason: `is not a property of ${resource}${didYouMean(name, known)}` };
  });
}
