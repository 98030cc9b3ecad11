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
const TOPIC_CHECK_MS = 500;

/**
 * Calls onGone (once) if `topic` stops existing, checking every TOPIC_CHECK_MS until the returned
 * stop() is called. A consumer subscribed to a topic deleted under it only retries its fetches:
 * without this, a read of another resource group's topic deleted meanwhile (the provider reads
 * every group's configs) would wait out its whole timeout. The topic must be missing from two
 * listings in a row: one broker may not know a topic created a moment ago.
 */
export function whileTopicExists(kafka: Kafka, topic: string, onGone: (error: CdcError) => void): () => void {
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = () =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const timer = setTimeout(resolve, TOPIC_CHECK_MS);
      wake = () => (clearTimeout(timer), resolve());
    });
  // One loop owns the admin client and disconnects it after its last use (one used after its
  // disconnect would connect again and keep the process alive); stop() does not wait for it.
  void (async () => {
    let admin: KafkaAdmin | undefined;
    let missingBefore = false;
    try {
      while (!stopped) {
        await pause();
        if (stopped) return;
        try {
          admin ??= await KafkaAdmin.connect(kafka);
          if (stopped) return;
          const missing = (await admin.partitionCounts([topic])).missing.length > 0;
          if (missing && missingBefore && !stopped) {
            onGone(new CdcError("TOPIC_MISSING", `topic ${topic} was deleted while it was being read.`));
            return;
          }
          missingBefore = missing;
        } catch {
          // The broker did not answer: the read's own timeout covers that.
        }
      }
    } finally {
      await admin?.disconnect();
    }
  })();
  return () => {
    stopped = true;
    wake?.();
  };
}

/** Whether `topic` is absent from the cluster's listing now (false when the broker cannot tell). */
async function topicGone(kafka: Kafka, topic: string): Promise<boolean> {
  try {
    const admin = await KafkaAdmin.connect(kafka);
    try {
      return (await admin.partitionCounts([topic])).missing.length > 0;
    } finally {
      await admin.disconnect();
    }
  } catch {
    return false;
  }
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
  let stopChecking: (() => void) | undefined;
  const deleted = new Promise<never>((_, reject) => (stopChecking = whileTopicExists(kafka, topic, reject)));
  deleted.catch(() => undefined);
  // kafkajs retries a subscription to a deleted topic for seconds: the deletion ends it sooner.
  const subscribing = consumer.connect().then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }));
  subscribing.catch(() => undefined);
  try {
    await Promise.race([subscribing, deleted]);
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
    const failure = classifyKafkaError(error, `reading topic ${topic}`);
    // Whatever kafkajs made of a deletion under it (a leader error, a crash), it is a deletion.
    if (failure.code !== "TOPIC_MISSING" && (await topicGone(kafka, topic))) {
      throw new CdcError("TOPIC_MISSING", `topic ${topic} was deleted while it was being read.`, { cause: error });
    }
    throw failure;
  } finally {
    if (timer) clearTimeout(timer);
    stopChecking?.();
    await consumer.disconnect().catch(() => undefined);
    // A subscription still retrying would connect the consumer again: disconnect once it settled.
    void subscribing.then(() => undefined, () => undefined).then(() => consumer.disconnect()).catch(() => undefined);
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
  // A fetch returns as soon as records arrive: the wait only bounds how often an idle watcher
  // polls (each runtime watches its group's configs for as long as it runs).
  const consumer: Consumer = kafka.consumer({ groupId: readerGroup("watch"), readUncommitted: false, allowAutoTopicCreation: false, maxWaitTimeInMs: 1_000 });
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
