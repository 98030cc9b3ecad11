/**
 * Reading the group's compacted topics (configs, status, offsets) with read_committed: either once
 * to the end (the latest value per key), or continuously (configs, watched by the worker).
 * A consumer group of its own, with no committed offsets, is used for each read.
 */
import crypto from "node:crypto";
import type { Consumer, Kafka } from "kafkajs";
import { CdcError, classifyKafkaError } from "../errors";
import { KafkaAdmin } from "./admin";

export interface TopicRecord {
  key: string;
  /** null: a tombstone. */
  value: Buffer | null;
  partition: number;
  offset: bigint;
}

function readerGroup(purpose: string): string {
  return `cdc-reader-${purpose}-${crypto.randomBytes(6).toString("hex")}`;
}

/** The end of each partition now (its last stable offset), and the partitions that hold anything to read. */
async function partitionEnds(kafka: Kafka, topic: string): Promise<{ ends: Map<number, bigint>; pending: Set<number> }> {
  const admin = await KafkaAdmin.connect(kafka);
  try {
    const ends = await admin.highWatermarks(topic);
    return { ends, pending: new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p)) };
  } finally {
    await admin.disconnect();
  }
}

/** How often a read that has not reached its end checks that its topic still exists. */
const TOPIC_CHECK_MS = 1_000;

/**
 * Calls onGone (once) if `topic` stops existing, checking every TOPIC_CHECK_MS until the returned
 * stop() is called. A consumer subscribed to a topic deleted under it only retries its fetches:
 * without this, a read of another resource group's topic deleted meanwhile (the provider reads
 * every group's configs) would wait out its whole timeout.
 */
export function whileTopicExists(kafka: Kafka, topic: string, onGone: (error: CdcError) => void): () => Promise<void> {
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, TOPIC_CHECK_MS);
      wake = () => (clearTimeout(timer), resolve());
    });
  // One loop, so stop() can wait for a check in flight: an admin client used after its
  // disconnect would connect again and keep the process alive.
  const loop = (async () => {
    let admin: KafkaAdmin | undefined;
    try {
      for (;;) {
        await pause();
        if (stopped) return;
        try {
          admin ??= await KafkaAdmin.connect(kafka);
          if (stopped) return;
          const { missing } = await admin.partitionCounts([topic]);
          if (missing.length > 0 && !stopped) {
            onGone(new CdcError("TOPIC_MISSING", `topic ${topic} was deleted while it was being read.`));
            return;
          }
        } catch {
          // The broker did not answer: the read's own timeout covers that.
        }
      }
    } finally {
      await admin?.disconnect();
    }
  })();
  return async () => {
    stopped = true;
    wake?.();
    await loop;
  };
}

/**
 * Reads every partition of `topic` from the beginning up to its end when the call starts, and
 * returns the last value of each key (null for a tombstone). The end is the last stable offset
 * (kafkajs lists offsets read_committed): what is committed at that moment, without waiting for
 * transactions still open; aborted records are skipped. A topic deleted before or during the read
 * gives TOPIC_MISSING.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<Map<string, Buffer | null>> {
  const { ends, pending } = await partitionEnds(kafka, topic);
  const latest = new Map<string, Buffer | null>();
  if (pending.size === 0) return latest;

  const consumer = kafka.consumer({ groupId: readerGroup("read"), readUncommitted: false, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  let timer: NodeJS.Timeout | undefined;
  let stopChecking: (() => Promise<void>) | undefined;
  const deleted = new Promise<never>((_, reject) => (stopChecking = whileTopicExists(kafka, topic, reject)));
  deleted.catch(() => undefined);
  try {
    // kafkajs retries a subscription to a deleted topic for seconds: the deletion ends it sooner.
    await Promise.race([consumer.connect().then(() => consumer.subscribe({ topics: [topic], fromBeginning: true })), deleted]);
    await new Promise<void>((resolve, reject) => {
      void deleted.catch(reject);
      timer = setTimeout(
        () => reject(new CdcError("KAFKA_UNAVAILABLE", `reading topic ${topic} to its end took longer than ${timeoutMs} ms.`)),
        timeoutMs,
      );
      const reached = (partition: number, lastOffset: string) => {
        const end = ends.get(partition);
        if (end !== undefined && BigInt(lastOffset) >= end - 1n) pending.delete(partition);
        if (pending.size === 0) resolve();
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => reached(event.payload.partition, event.payload.lastOffset));
      // kafkajs restarts the consumer itself after a retriable crash (e.g. GROUP_LOAD_IN_PROGRESS
      // from a broker that just started): only a crash it gives up on is a failure.
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(classifyKafkaError(event.payload.error, `reading topic ${topic}`));
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const offset = BigInt(message.offset);
            const end = ends.get(partition) ?? 0n;
            if (message.key && offset < end) latest.set(message.key.toString("utf8"), message.value);
          },
        })
        .catch(reject);
    });
  } catch (error) {
    throw classifyKafkaError(error, `reading topic ${topic}`);
  } finally {
    if (timer) clearTimeout(timer);
    await stopChecking?.();
    await consumer.disconnect().catch(() => undefined);
  }
  return latest;
}

/**
 * Follows `topic` from the beginning, calling onRecord for every committed record in order, until
 * the returned stop() is called. onCaughtUp fires once the records present at the start were read.
 */
export async function watchTopic(
  kafka: Kafka,
  topic: string,
  handlers: { onRecord: (record: TopicRecord) => void; onCaughtUp?: () => void; onError: (error: CdcError) => void },
): Promise<{ stop: () => Promise<void> }> {
  const { ends, pending } = await partitionEnds(kafka, topic);
  let caughtUp = false;
  const markCaughtUp = () => {
    if (!caughtUp && pending.size === 0) {
      caughtUp = true;
      handlers.onCaughtUp?.();
    }
  };
  const consumer: Consumer = kafka.consumer({ groupId: readerGroup("watch"), readUncommitted: false, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const end = ends.get(event.payload.partition);
      if (end !== undefined && BigInt(event.payload.lastOffset) >= end - 1n) pending.delete(event.payload.partition);
      markCaughtUp();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) handlers.onError(classifyKafkaError(event.payload.error, `watching topic ${topic}`));
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (!message.key) return;
        handlers.onRecord({ key: message.key.toString("utf8"), value: message.value, partition, offset: BigInt(message.offset) });
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw classifyKafkaError(error, `watching topic ${topic}`);
  }
  markCaughtUp();
  return { stop: () => consumer.disconnect().catch(() => undefined) };
}
