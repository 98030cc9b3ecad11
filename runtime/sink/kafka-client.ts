/**
 * The one place that builds kafkajs clients: broker list, client id, TLS and SASL (the declared
 * security, ../contract/kafka-security.ts), our logger, quiet retries (the connector's own
 * supervisor retries with its window), and the compression codecs. Every Kafka connection the
 * provider and the runtime open is made by a client from here.
 */
// Before kafkajs loads: it swaps two of kafkajs's slow internal helpers (see the module).
import "./kafkajs-fast-path";
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from "kafkajs";
import type { KafkaSecurity } from "../contract/kafka-security";
import { registerCompressionCodecs } from "./codecs";
import type { Logger } from "../log";

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** TLS and SASL; none for a plaintext listener. */
  security?: KafkaSecurity;
}

/** kafkajs's ssl and sasl options for the declared security. */
export function kafkajsSecurityOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, "ssl" | "sasl"> {
  const options: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  const tls = security?.tls;
  if (tls === true) options.ssl = true;
  else if (tls) {
    options.ssl = {
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      // kafkajs connects with servername = the broker's host; this takes precedence (tls.connect({ host, port, servername: host, ...ssl })).
      ...(tls.serverName ? { servername: tls.serverName } : {}),
      rejectUnauthorized: true,
      // The CA is still checked; only the name is not (ApsaraMQ's SSL endpoints).
      ...(tls.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  const sasl = security?.sasl;
  if (sasl) options.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
  return options;
}

export function createKafka(connection: KafkaConnection, logger?: Logger): Kafka {
  registerCompressionCodecs();
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    ...kafkajsSecurityOptions(connection.security),
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
