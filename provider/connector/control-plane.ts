/**
 * The provider's side of the control plane (Kafka is the database): the connector configs of every
 * resource group on the cluster, writing a config record or tombstone, and following the status
 * topic until the runtime answers.
 */
import type { Kafka } from "kafkajs";
import { decodeStatusRecord, type StatusRecord } from "../../runtime/contract/records";
import { CdcError, classifyKafkaError } from "../../runtime/errors";
import { readTopicToEnd, watchTopic } from "../../runtime/sink/topic-reader";
import { KafkaAdmin } from "../../runtime/sink/admin";
import type { RegisteredConnector } from "./plan";

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
      if (!value) continue;
      let topicPrefix: string | undefined;
      try {
        const parsed = JSON.parse(value.toString("utf8")) as { topicPrefix?: unknown };
        topicPrefix = typeof parsed.topicPrefix === "string" ? parsed.topicPrefix : undefined;
      } catch {
        topicPrefix = undefined;
      }
      found.push({ group, name, topicPrefix });
    }
  }
  return found;
}

/** Writes one record (null: a tombstone) and waits for the broker's acknowledgement. */
export async function writeRecord(kafka: Kafka, topic: string, key: string, value: Buffer | null): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key, value }] });
  } catch (error) {
    throw classifyKafkaError(error, `writing ${value ? "the record" : "a tombstone"} of ${key} to ${topic}`);
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
