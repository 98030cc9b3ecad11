/** Reading and writing a connector's committed offset (the group's offsets topic). */
import type { Kafka } from "kafkajs";
import { decodeOffsetRecord, encodeRecord, type DecodedOffset, type OffsetRecord, type SnapshotProgress } from "../contract/records";
import { CdcError } from "../errors";
import type { OffsetWrite } from "../sink/producer";
import { readTopicToEnd } from "../sink/topic-reader";
import type { Checkpoint } from "./commit-buffer";

/** The last committed offset of a connector (read_committed), or null when it never committed. */
export async function readCommittedOffset(kafka: Kafka, offsetsTopic: string, connector: string): Promise<DecodedOffset | null> {
  const latest = await readTopicToEnd(kafka, offsetsTopic);
  const value = latest.get(connector);
  if (!value) return null;
  try {
    return decodeOffsetRecord(value);
  } catch (error) {
    throw new CdcError("INTERNAL", `the committed offset of connector ${connector} cannot be read: ${(error as Error).message}`);
  }
}

export function offsetWrite(
  offsetsTopic: string,
  connector: string,
  checkpoint: Pick<Checkpoint, "position" | "sequence" | "eventTime">,
  snapshot?: SnapshotProgress,
): OffsetWrite {
  const record: OffsetRecord = {
    version: 1,
    connector,
    position: checkpoint.position.toJSON(),
    ...(snapshot ? { snapshot } : {}),
    sequence: checkpoint.sequence.toString(),
    // Unknown (NaN) until a first start's first source transaction: then left out.
    ...(Number.isFinite(checkpoint.eventTime) ? { eventTime: checkpoint.eventTime } : {}),
    at: new Date().toISOString(),
  };
  return { topic: offsetsTopic, key: connector, value: encodeRecord(record) };
}
