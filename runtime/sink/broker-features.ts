/**
 * What the connector needs from a Kafka broker, by the requests it sends (the broker's
 * ApiVersions answer, KIP-35, lists each request kind it serves and its version range), and the
 * decision for a broker's answer. Pure: ./broker-api-versions.ts reads the answer.
 *
 * Versions as tested (the broker matrix, scripts/run-matrix.ts): 2.2.2 and 2.8.2 (ZooKeeper),
 * 3.3.2 and 4.1.1 (KRaft) serve everything below. Kafka before 1.0 lacks CreatePartitions; before 0.11 it has
 * no transactions at all; both are refused.
 */

/** A request kind (Kafka's api_key) at the lowest version the connector sends. */
export interface RequiredApi {
  key: number;
  name: string;
  minVersion: number;
  /** What the connector does with it. */
  use: string;
  /** The first Apache Kafka release that serves it at minVersion. */
  since: string;
}

export const REQUIRED_APIS: readonly RequiredApi[] = [
  { key: 0, name: "Produce", minVersion: 3, use: "writing transactional record batches", since: "0.11" },
  { key: 1, name: "Fetch", minVersion: 4, use: "reading with read_committed isolation", since: "0.11" },
  { key: 22, name: "InitProducerId", minVersion: 0, use: "the idempotent, transactional producer", since: "0.11" },
  { key: 24, name: "AddPartitionsToTxn", minVersion: 0, use: "transactions", since: "0.11" },
  { key: 26, name: "EndTxn", minVersion: 0, use: "committing and aborting transactions", since: "0.11" },
  { key: 32, name: "DescribeConfigs", minVersion: 0, use: "reading topic settings (max.message.bytes, cleanup.policy)", since: "0.11" },
  { key: 33, name: "AlterConfigs", minVersion: 0, use: "setting TopicSet's topicConfigs", since: "0.11" },
  { key: 19, name: "CreateTopics", minVersion: 0, use: "creating the per-table and internal topics", since: "0.10.1" },
  { key: 37, name: "CreatePartitions", minVersion: 0, use: "raising a table topic's partitions", since: "1.0" },
];

/** The oldest release that serves every request in REQUIRED_APIS. */
export const MIN_KAFKA_VERSION = "1.0";
export const TESTED_KAFKA_VERSIONS = ["2.2.2", "2.8.2", "3.3.2", "4.1.1"] as const;

/** A broker's ApiVersions answer: each api_key it serves, with its version range. */
export type ApiVersionRanges = ReadonlyMap<number, { min: number; max: number }>;

export interface MissingApi {
  api: RequiredApi;
  /** The broker's highest version of it, if it serves an older one. */
  brokerMax?: number;
}

/** The requests the connector needs that a broker does not serve (at the version needed). */
export function missingApis(versions: ApiVersionRanges): MissingApi[] {
  return REQUIRED_APIS.flatMap((api) => {
    const range = versions.get(api.key);
    if (range && range.max >= api.minVersion) return [];
    return [{ api, brokerMax: range?.max }];
  });
}

/** The reason a broker is refused, naming what it lacks and the release that has it; undefined if it serves everything. */
export function unsupportedBrokerReason(broker: string, versions: ApiVersionRanges): string | undefined {
  const missing = missingApis(versions);
  if (missing.length === 0) return undefined;
  const newest = missing.map((m) => m.api.since).sort(compareVersions).at(-1) as string;
  const lacks = missing
    .map((m) => `${m.api.name} v${m.api.minVersion}+ (${m.api.use}; Kafka ${m.api.since}+${m.brokerMax !== undefined ? `, the broker serves up to v${m.brokerMax}` : ""})`)
    .join(", ");
  return `the broker ${broker} runs an Apache Kafka older than ${newest}: it lacks ${lacks}. The connector needs Kafka ${MIN_KAFKA_VERSION} or later (tested: ${TESTED_KAFKA_VERSIONS.join(", ")})`;
}

/** Orders "0.10.1" < "0.11" < "1.0". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
