/** Writes connector status records to the group's status topic (key: connector name). */
import type { Kafka, Producer } from "kafkajs";
import { encodeRecord, topicClaimKey, type StatusRecord, type TopicClaim } from "../contract/records";
import { classifyKafkaError } from "../errors";
import type { Logger } from "../log";

export class StatusWriter {
  private producer: Producer | undefined;

  constructor(private readonly kafka: Kafka, private readonly topic: string, private readonly logger: Logger) {}

  async connect(): Promise<void> {
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    try {
      await this.producer.connect();
    } catch (error) {
      throw classifyKafkaError(error, "connecting the status producer");
    }
  }

  /** Best effort: a status that cannot be written is logged, never fatal for the connector. */
  async write(record: StatusRecord): Promise<void> {
    this.logger.info(`connector ${record.connector} is ${record.state}`, { connector: record.connector, state: record.state, errorCode: record.errorCode, reason: record.reason });
    try {
      await this.producer?.send({ topic: this.topic, acks: -1, messages: [{ key: record.connector, value: encodeRecord(record) }] });
    } catch (error) {
      this.logger.warn("could not write a status record", { connector: record.connector, error });
    }
  }

  /**
   * Claims topics for their connector before they are created (see TopicClaim). Not best effort:
   * a topic made without its claim would outlive its connector, so a failure fails the caller.
   */
  async claim(claims: TopicClaim[]): Promise<void> {
    if (claims.length === 0) return;
    try {
      await this.producer?.send({ topic: this.topic, acks: -1, messages: claims.map((c) => ({ key: topicClaimKey(c.connector, c.topic), value: encodeRecord(c) })) });
    } catch (error) {
      throw classifyKafkaError(error, `claiming topics ${claims.map((c) => c.topic).join(", ")}`);
    }
  }

  /** A tombstone: the connector no longer exists. */
  async remove(connector: string): Promise<void> {
    try {
      await this.producer?.send({ topic: this.topic, acks: -1, messages: [{ key: connector, value: null }] });
    } catch (error) {
      this.logger.warn("could not remove a status record", { connector, error });
    }
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }
}
