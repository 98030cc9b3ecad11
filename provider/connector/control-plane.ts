/**
 * The provider's side of the control plane (Kafka is the database): the connector configs of every
 * resource group on the cluster, writing a config record or tombstone, and following the status
 * topic until the runtime answers.
 */
import type { Kafka } from "kafkajs";
import { recordMetadata } from "../../runtime/contract/config";
import { connectorConsumerGroup } from "../../runtime/contract/names";
import { decodeStatusRecord, type StatusRecord } from "../../runtime/contract/records";
import { CdcError, classifyKafkaError } from "../../runtime/errors";
import { readTopicToEnd, watchTopic } from "../../runtime/sink/topic-reader";
import { KafkaAdmin } from "../../runtime/sink/admin";
import { note } from "../diagnostics";
import type { RegisteredConnector } from "./uniqueness";

const CONFIGS_TOPIC = /^cdc-(.+)-configs$/;

/** Every connector registered in any resource group's configs topic on this cluster. */
export async function registeredConnectors(kafka: Kafka): Promise<RegisteredConnector[]> {
  const admin = await KafkaAdmin.connect(kafka);
  let topics: string[];
  try {
    topics = [...(await admin.allTopics()).keys()].filter((t) => CONFIGS_TOPIC.test(t));
  } finally {
    await admin.disconnect();
  }
  const found: RegisteredConnector[] = [];
  for (const topic of topics.sort()) {
    const group = (CONFIGS_TOPIC.exec(topic) as RegExpExecArray)[1];
    let records: Map<string, Buffer | null>;
    try {
      records = await readTopicToEnd(kafka, topic);
    } catch (error) {
      // A group deleted between the listing and the read has no connectors left.
      if (error instanceof CdcError && error.code === "TOPIC_MISSING") continue;
      throw error;
    }
    for (const [name, value] of records) {
      // Keys with a "/" are not connectors (names are digits, lowercase letters and hyphens).
      if (!value || name.includes("/")) continue;
      found.push(registeredFrom(group, name, value));
    }
  }
  return found;
}

/** What the configs topic says of one connector; a record that is not JSON is still registered. */
export function registeredFrom(group: string, name: string, value: Buffer): RegisteredConnector {
  let parsed: { topicPrefix?: unknown; revision?: unknown; source?: Record<string, unknown> } = {};
  try {
    parsed = JSON.parse(value.toString("utf8")) as typeof parsed;
  } catch {
    parsed = {};
  }
  const s = parsed.source && typeof parsed.source === "object" ? parsed.source : {};
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    group,
    name,
    topicPrefix: text(parsed.topicPrefix),
    revision: text(parsed.revision),
    source: { host: text(s.host), port: typeof s.port === "number" ? s.port : undefined, database: text(s.database), user: text(s.user), serverId: typeof s.serverId === "number" ? s.serverId : undefined },
    metadata: recordMetadata(parsed),
  };
}

/** Writes one record (null: a tombstone) and waits for the broker's acknowledgement. */
export async function writeRecord(kafka: Kafka, topic: string, key: string, value: Buffer | null): Promise<void> {
  await writeRecords(kafka, topic, [[key, value]]);
}

/** Writes records (null values: tombstones) in one request, in order. */
export async function writeRecords(kafka: Kafka, topic: string, records: [string, Buffer | null][]): Promise<void> {
  if (records.length === 0) return;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const what = records.length === 1 ? `${records[0][1] ? "the record" : "a tombstone"} of ${records[0][0]}` : `${records.length} records`;
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: records.map(([key, value]) => ({ key, value })) });
  } catch (error) {
    throw classifyKafkaError(error, `writing ${what} to ${topic}`);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** The latest status record of a connector, or null. */
export async function readStatus(kafka: Kafka, statusTopic: string, name: string): Promise<StatusRecord | null> {
  const latest = await readTopicToEnd(kafka, statusTopic);
  return decodeStatusRecord(latest.get(name) ?? null);
}

/** Whether the configs topic holds a (non-deleted) config for the connector. */
export async function hasConfig(kafka: Kafka, configsTopic: string, name: string): Promise<boolean> {
  const latest = await readTopicToEnd(kafka, configsTopic);
  return !!latest.get(name);
}

export interface WaitOptions {
  timeoutMs: number;
  /** Called with each status record of the connector as it arrives. */
  onStatus?: (status: StatusRecord) => void;
}

/**
 * Follows the status topic until the connector reports RUNNING, FAILED or PAUSED for `revision`
 * (older records are about earlier configs). A timeout is an error that says what was last seen.
 */
export async function waitForDeploy(kafka: Kafka, statusTopic: string, name: string, revision: string, options: WaitOptions): Promise<StatusRecord> {
  let last: StatusRecord | undefined;
  let watcher: { stop: () => Promise<void> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  try {
    return await new Promise<StatusRecord>((resolve, reject) => {
      timer = setTimeout(() => {
        const seen = last ? `its last status was ${last.state}${last.reason ? ` (${last.reason})` : ""}` : "no runtime reported on it";
        reject(
          new CdcError(
            "DEPLOY_TIMEOUT",
            `connector ${name} did not report RUNNING within ${Math.round(options.timeoutMs / 1000)} s: ${seen}.`,
          ),
        );
      }, options.timeoutMs);
      watchTopic(kafka, statusTopic, {
        onRecord: (record) => {
          if (record.key !== name) return;
          let status: StatusRecord | null;
          try {
            status = decodeStatusRecord(record.value);
          } catch {
            return;
          }
          if (!status || status.revision !== revision) return;
          last = status;
          options.onStatus?.(status);
          if (status.state === "RUNNING" || status.state === "FAILED" || status.state === "PAUSED") resolve(status);
        },
        onError: reject,
      }).then((w) => {
        watcher = w;
        // The wait may have ended (timeout) before the watcher was up: stop it now.
        if (settled) void w.stop();
      }, reject);
    });
  } finally {
    settled = true;
    if (timer) clearTimeout(timer);
    await watcher?.stop();
  }
}

/** Waits until the runtime removed the connector's status (it stopped it); false on timeout. */
export async function waitForStop(kafka: Kafka, statusTopic: string, name: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const latest = await readTopicToEnd(kafka, statusTopic);
    if (!latest.get(name)) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

/**
 * Deletes the connector's lease group (connect-<name>) once its workers left it (they leave when
 * the connector stops): a few tries, then a note.
 */
export async function deleteLeaseGroup(kafka: Kafka, name: string): Promise<void> {
  const group = connectorConsumerGroup(name);
  const admin = await KafkaAdmin.connect(kafka);
  try {
    for (let attempt = 1; ; attempt++) {
      const busy = await admin.deleteConsumerGroups([group]);
      if (busy.length === 0) return;
      if (attempt >= 10) {
        note(`connector ${name}: its lease group ${group} still has members after ${attempt} tries; delete it with kafka-consumer-groups --delete --group ${group} once no runtime of it is left`);
        return;
      }
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  } finally {
    await admin.disconnect();
  }
}
