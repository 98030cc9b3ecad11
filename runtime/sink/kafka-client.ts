/**
 * The one place that builds kafkajs clients: broker list, client id, our logger, quiet retries
 * (the connector's own supervisor retries with its window), and the compression codecs.
 */
// Before kafkajs loads: it swaps two of kafkajs's slow internal helpers (see the module).
import "./kafkajs-fast-path";
import { Kafka, logLevel, type LogEntry } from "kafkajs";
import { registerCompressionCodecs } from "./codecs";
import type { Logger } from "../log";

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

export function createKafka(connection: KafkaConnection, logger?: Logger): Kafka {
  registerCompressionCodecs();
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000 },
    // CDC_KAFKAJS_LOG_LEVEL=debug|info shows the client's own protocol-level logs (default: warnings).
    logLevel: ({ debug: logLevel.DEBUG, info: logLevel.INFO, error: logLevel.ERROR } as Record<string, logLevel>)[process.env.CDC_KAFKAJS_LOG_LEVEL ?? ""] ?? logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      if (!logger) return;
      const { message, ...rest } = entry.log;
      const fields = { kafkajs: entry.namespace, ...rest };
      // kafkajs reports every retried protocol error (a coordinator still loading, a transaction
      // still completing) as an error; the runtime's own failures carry codes. Keep the client's
      // chatter at debug level unless CDC_KAFKAJS_LOG_LEVEL asks for it.
      if (process.env.CDC_KAFKAJS_LOG_LEVEL && entry.level <= logLevel.WARN) logger.warn(`kafkajs: ${message}`, fields);
      else logger.debug(`kafkajs: ${message}`, fields);
    },
  });
}
