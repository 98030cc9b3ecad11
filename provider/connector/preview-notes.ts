/**
 * What preview says about a Connector change, one line per fact, each true of what up will do
 * (test/provider/connector/preview-notes.test.ts holds every text; the e2e suite checks them
 * against what up then does).
 */
import type { StartPosition } from "../../runtime/contract/config";
import type { TopicClaim } from "../../runtime/contract/records";
import type { ConnectorDiff } from "./diff";
import type { ConnectorInputs, ConnectorOutputs } from "./plan";

/** Inputs whose change restarts the running connector (from its committed offset). */
const RESTARTING = new Set([
  "source.user", "source.password", "source.timezone", "source.serverId", "tables", "autoAddTables", "topicPrefix", "format", "compression",
  "acks", "partitionPolicy", "retry", "throttle", "maxRecordBytes", "heartbeatSeconds", "deadLetterTopic", "ddlTopic", "paused",
]);

function records(n: bigint): string {
  return `${n} record${n === 1n ? "" : "s"}`;
}

function startText(position: StartPosition | undefined): string {
  if (position === undefined || position === "end") return "the end of the binlog at its first start";
  if (position === "earliest") return "the earliest binlog the server still has";
  return `binlog ${position.file} at ${position.pos}`;
}

function sourceText(s: { host?: string; port?: number; database?: string }): string {
  return `${s.host}:${s.port ?? 3306}/${s.database}`;
}

/** The tables' lines of an in-place update. */
export function describeTableChange(diff: ConnectorDiff, initialSync: boolean | undefined, name: string): string[] {
  const lines: string[] = [];
  if (diff.addedTables.length > 0) {
    lines.push(
      initialSync
        ? // The full sync runs at a connector's first start only: preview must not promise a copy.
          `connector ${name}: tables ${diff.addedTables.join(", ")} will be added and streamed from now on; their existing rows are not backfilled (initialSync copies the tables of a new connector only)`
        : `connector ${name}: tables ${diff.addedTables.join(", ")} will be added and streamed from now on; their existing rows are not backfilled (initialSync is off)`,
    );
  }
  // The tables' topics are not the connector's (a TopicSet's): it says nothing of them.
  if (diff.removedTables.length > 0) lines.push(`connector ${name}: tables ${diff.removedTables.join(", ")} will no longer be streamed`);
  return lines;
}

/** Every line of an in-place update: restart or not, tables, prefix, partitioning, first-start inputs. */
export function describeUpdate(diff: ConnectorDiff, olds: ConnectorOutputs, news: ConnectorInputs): string[] {
  const name = news.name;
  const lines: string[] = [];
  if (diff.restartsFailed) {
    const code = olds.status?.errorCode ? ` (${olds.status.errorCode})` : "";
    lines.push(`connector ${name}: it is FAILED${code}; pulumi up writes its config again, which starts it again`);
  }
  const restarting = diff.updates.filter((p) => RESTARTING.has(p));
  if (restarting.length > 0) {
    lines.push(`connector ${name}: restarts from its committed offset to apply ${restarting.join(", ")}: no change is lost or repeated`);
  } else if (diff.updates.length > 0 && !diff.restartsFailed) {
    lines.push(`connector ${name}: ${diff.updates.join(", ")} change${diff.updates.length > 1 ? "" : "s"} without a restart`);
  }
  lines.push(...describeTableChange(diff, news.initialSync, name));
  if (diff.updates.includes("topicPrefix")) {
    lines.push(`connector ${name}: topic prefix ${olds.topicPrefix} becomes ${news.topicPrefix}: changes up to the restart are in the ${olds.topicPrefix}_* topics, later ones in the ${news.topicPrefix}_* topics`);
  }
  if (diff.updates.includes("partitionPolicy")) {
    lines.push(`connector ${name}: partitionPolicy becomes ${news.partitionPolicy ?? "primary-key-hash"}: from the restart on, keys go to other partitions, so a key's later changes may be read before its earlier ones`);
  }
  if (diff.unused.length > 0) {
    lines.push(
      `connector ${name}: ${diff.unused.join(" and ")} appl${diff.unused.length > 1 ? "y" : "ies"} at a connector's first start only; the running connector resumes from its committed offset and is not updated (to start over, give it a new name, which replaces it)`,
    );
  }
  return lines;
}

/** What the update does with the topics the runtime made for the connector that the new config no longer writes. */
export function describeClaimCleanup(name: string, remove: TopicClaim[], keep: { topic: string; records: bigint }[], release: TopicClaim[]): string[] {
  const lines: string[] = [];
  if (remove.length > 0) lines.push(`connector ${name}: will delete topics it made that its new config no longer writes: ${remove.map((c) => c.topic).join(", ")}`);
  for (const k of keep) lines.push(`connector ${name}: will keep its dead letter topic ${k.topic} (${records(k.records)}); delete it by hand once they are dealt with`);
  if (release.length > 0) lines.push(`connector ${name}: topics ${release.map((c) => c.topic).join(", ")} are now listed in tables: they are no longer the connector's to delete`);
  return lines;
}

/** What a delete did with the topics the runtime made for the connector. */
export function describeDeletedTopics(name: string, removed: TopicClaim[], kept: { topic: string; records: bigint }[]): string[] {
  const lines: string[] = [];
  if (removed.length > 0) lines.push(`connector ${name}: deleted the topics it made: ${removed.map((c) => c.topic).join(", ")}`);
  for (const k of kept) lines.push(`connector ${name}: kept its dead letter topic ${k.topic} (${records(k.records)}); delete it by hand once they are dealt with`);
  return lines;
}

/** What a replacement does: who stops, where the new connector starts, and what is not delivered. */
export function describeReplacement(diff: ConnectorDiff, olds: ConnectorOutputs, news: ConnectorInputs): string[] {
  const r = news.replacing;
  const name = news.name;
  if (!r) {
    // State from before owners: the old connector cannot be found from the replacement.
    return [
      `connector ${name} replaces ${olds.name}: ${olds.name} is deleted first (its state predates this version's handover), then ${name} starts at ${startText(news.startPosition)}: changes made in between are not delivered`,
    ];
  }
  const lines: string[] = [];
  // The same name and group with another source (host, port or database) replaces under the same key.
  const inPlace = r.name === name && r.group === news.groupName;
  const extra = [news.initialSync ? "initialSync does not run" : "", news.startPosition !== undefined ? "startPosition is not used" : ""].filter(Boolean).join("; ");
  const what = r.from.database !== news.source.database && diff.replaces.every((p) => p === "source.database" || p === "name" || p === "groupName") ? "another database" : "another server";
  const copy = news.initialSync ? `, copying its tables first (initialSync)` : `; rows already in its tables are not copied (initialSync is off)`;
  if (r.takesPosition && inPlace) {
    lines.push(
      `connector ${name}: its new source ${sourceText(news.source)} is the same server and database as ${sourceText(r.from)}: the connector is stopped and started again at its committed binlog position: no change is lost or repeated${extra ? `; ${extra}` : ""}`,
    );
  } else if (r.takesPosition) {
    lines.push(
      `connector ${name} replaces ${r.name} (same source server and database): ${r.name} is stopped first and ${name} resumes at its committed binlog position: no change is lost or repeated${extra ? `; ${extra}` : ""}`,
    );
  } else if (inPlace) {
    lines.push(
      `connector ${name}: its new source ${sourceText(news.source)} is ${what} than ${sourceText(r.from)}: the connector is stopped, and changes to ${sourceText(r.from)} after that are not delivered; it starts again as a new connector at ${startText(news.startPosition)}${copy}`,
    );
  } else {
    lines.push(
      `connector ${name} replaces ${r.name}, which reads ${what} (${sourceText(r.from)} becomes ${sourceText(news.source)}): ${r.name} is stopped first, and changes to ${sourceText(r.from)} after that are not delivered; ${name} starts at ${startText(news.startPosition)}${copy}`,
    );
  }
  if (r.takesGrants) lines.push(`connector ${name}: takes over the account and grants ${r.name} made (manageGrants)`);
  if (!inPlace) lines.push(`connector ${name}: takes over the topics the runtime made for ${r.name} (heartbeats, dead letters, DDL, auto-added tables)`);
  return lines;
}
