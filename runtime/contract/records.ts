/**
 * Records the runtime writes to the group's internal topics, keyed by connector name. Their JSON
 * is the contract the provider reads (deploy waits for RUNNING; `read`/refresh shows the status).
 */
import { Position, type PositionJson } from "../position";
import type { ErrorCode } from "../errors";

export const CONNECTOR_STATES = ["STARTING", "RUNNING", "FAILED", "PAUSED"] as const;
export type ConnectorState = (typeof CONNECTOR_STATES)[number];

/** Status topic value. */
export interface StatusRecord {
  version: 1;
  connector: string;
  state: ConnectorState;
  /** For FAILED: why, in words a user can act on (never contains secrets). */
  reason?: string;
  /** For FAILED: the error code (runtime/errors.ts). */
  errorCode?: ErrorCode;
  /** For FAILED: what to do about it. */
  fix?: string;
  /** The config revision the status is about (the config record's revision field). */
  revision?: string;
  worker: string;
  /** ISO 8601 time the record was written. */
  at: string;
  /** The last committed position, when there is one. */
  position?: PositionJson;
  /** Seconds between the newest source event emitted and now, when known. */
  lagSeconds?: number;
  /** For RUNNING: what the start found worth a user's attention (e.g. a table gone since the start). */
  warnings?: string[];
}

/**
 * Progress of a connector's initial full sync, kept in its offset record until the copy is done:
 * the tables to copy (in order), the one being copied, and the primary-key values of the last row
 * copied from it (null: start of the table). A table without a primary key is copied in one pass.
 */
export interface SnapshotProgress {
  tables: string[];
  table: number;
  after: unknown[] | null;
  /** Rows copied so far (all tables). */
  rows: number;
}

/** Offsets topic value: written in the same Kafka transaction as the data it covers. */
export interface OffsetRecord {
  version: 1;
  connector: string;
  /** Where streaming resumes (during a full sync: the binlog position taken before the copy began). */
  position: PositionJson;
  /** Present while the initial full sync is not finished. */
  snapshot?: SnapshotProgress;
  /** The sequenceId of the last record emitted, as a decimal string ("0" before any). */
  sequence: string;
  /** Source event time (ms) of the last change covered, for lag. */
  eventTime?: number;
  /** ISO 8601 time of the commit. */
  at: string;
}

export function encodeRecord(record: StatusRecord | OffsetRecord | TopicClaim): Buffer {
  return Buffer.from(JSON.stringify(record), "utf8");
}

export function decodeStatusRecord(value: Buffer | null): StatusRecord | null {
  if (!value) return null;
  const parsed = JSON.parse(value.toString("utf8")) as StatusRecord;
  if (parsed.version !== 1 || !CONNECTOR_STATES.includes(parsed.state)) throw new TypeError(`not a status record: ${value.toString("utf8").slice(0, 200)}`);
  return parsed;
}

export interface DecodedOffset {
  position: Position;
  sequence: bigint;
  eventTime?: number;
  snapshot?: SnapshotProgress;
}

export function decodeOffsetRecord(value: Buffer | null): DecodedOffset | null {
  if (!value) return null;
  const parsed = JSON.parse(value.toString("utf8")) as OffsetRecord;
  if (parsed.version !== 1) throw new TypeError(`not an offset record: ${value.toString("utf8").slice(0, 200)}`);
  const snapshot = parsed.snapshot;
  if (snapshot !== undefined && (!Array.isArray(snapshot.tables) || typeof snapshot.table !== "number" || !(snapshot.after === null || Array.isArray(snapshot.after)))) {
    throw new TypeError(`not an offset record (snapshot progress): ${value.toString("utf8").slice(0, 200)}`);
  }
  return { position: Position.fromJSON(parsed.position), sequence: BigInt(parsed.sequence), eventTime: parsed.eventTime, ...(snapshot ? { snapshot } : {}) };
}

/** What a topic the runtime made for a connector is for. */
export type ClaimedTopicKind = "heartbeat" | "deadLetter" | "ddl" | "table";

/**
 * Status topic value under key `<connector>/topic/<topic>` (topicClaimKey): the runtime made this
 * topic for the connector, so it belongs to the Connector resource, which deletes it with the
 * connector (or once its config no longer writes to it). Written before the topic is created, so
 * no topic the runtime makes is left without an owner; a tombstone releases the claim. Topics
 * that existed already (a TopicSet's, or made by hand) are never claimed.
 */
export interface TopicClaim {
  version: 1;
  connector: string;
  topic: string;
  kind: ClaimedTopicKind;
  /** For kind "table": the auto-added table the topic is for. */
  table?: string;
  /** ISO 8601 time of the claim. */
  at: string;
}

const CLAIM_SEPARATOR = "/topic/";

/** The status topic key of a connector's claim on a topic (connector names have no "/"). */
export function topicClaimKey(connector: string, topic: string): string {
  return `${connector}${CLAIM_SEPARATOR}${topic}`;
}

/** Whether a status topic key is a claim rather than a connector's status. */
export function isTopicClaimKey(key: string): boolean {
  return key.includes(CLAIM_SEPARATOR);
}

export function decodeTopicClaim(value: Buffer | null): TopicClaim | null {
  if (!value) return null;
  const parsed = JSON.parse(value.toString("utf8")) as TopicClaim;
  if (parsed.version !== 1 || typeof parsed.connector !== "string" || typeof parsed.topic !== "string") {
    throw new TypeError(`not a topic claim: ${value.toString("utf8").slice(0, 200)}`);
  }
  return parsed;
}

/** A connector's live claims among the records of its group's status topic (read to its end). */
export function claimsOf(statusRecords: ReadonlyMap<string, Buffer | null>, connector: string): TopicClaim[] {
  const prefix = `${connector}${CLAIM_SEPARATOR}`;
  const claims: TopicClaim[] = [];
  for (const [key, value] of statusRecords) {
    if (!key.startsWith(prefix) || !value) continue;
    const claim = decodeTopicClaim(value);
    if (claim) claims.push(claim);
  }
  return claims;
}
