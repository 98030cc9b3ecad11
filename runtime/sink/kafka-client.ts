/**
 * The one place that builds kafkajs clients: broker list, client id, TLS and SASL (the declared
 * security, ../contract/kafka-security.ts), our logger, quiet retries (the connector's own
 * supervisor retries with its window), and the compression codecs. Every Kafka connection the
 * provider and the runtime open is made by a client from here.
 */
// Before kafkajs loads: it swaps two of kafkajs's slow internal helpers (see the module).
import "./kafkajs-fast-path";
import net from "node:net";
import tls from "node:tls";
import { Kafka, logLevel, type ISocketFactory, type KafkaConfig, type LogEntry, type SASLOptions } from "kafkajs";
import type { KafkaSecurity } from "../contract/kafka-security";
import { isTlsFailureCode } from "../errors";
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

/**
 * The first TLS failure a client's sockets met (a broker's certificate refused, a plaintext port
 * spoken to in TLS). kafkajs counts it as a connection error and retries it for seconds; a caller
 * that connects (KafkaAdmin.connect) ends at once instead: such a failure does not mend.
 */
class TlsFailureWatch {
  private failure: Error | undefined;
  private readonly waiters = new Set<(error: Error) => void>();

  report(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.waiters) waiter(error);
  }

  /** Rejects with the failure once there is one; `stop()` when the caller no longer waits. */
  watch(): { failed: Promise<never>; stop(): void } {
    let waiter: ((error: Error) => void) | undefined;
    const failed = new Promise<never>((_, reject) => {
      if (this.failure) return reject(this.failure);
      waiter = reject;
      this.waiters.add(reject);
    });
    failed.catch(() => undefined);
    return { failed, stop: () => void (waiter && this.waiters.delete(waiter)) };
  }
}

const tlsWatches = new WeakMap<Kafka, TlsFailureWatch>();

/** The TLS failures of a client made by createKafka (see TlsFailureWatch); undefined for others. */
export function tlsFailureWatch(kafka: Kafka): { failed: Promise<never>; stop(): void } | undefined {
  return tlsWatches.get(kafka)?.watch();
}

/** kafkajs's own socket factory (src/network/socketFactory.js, the same options), reporting TLS failures to `watch`. */
function watchedSocketFactory(watch: TlsFailureWatch): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket = ssl ? tls.connect({ host, port, ...(!net.isIP(host) ? { servername: host } : {}), ...ssl }, onConnect) : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    socket.on("error", (error: Error & { code?: unknown }) => {
      if (isTlsFailureCode(error.code)) watch.report(error);
    });
    return socket;
  };
}

export function createKafka(connection: KafkaConnection, logger?: Logger): Kafka {
  registerCompressionCodecs();
  const watch = new TlsFailureWatch();
  const kafka = new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    ...kafkajsSecurityOptions(connection.security),
    socketFactory: watchedSocketFactory(watch),
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
  tlsWatches.set(kafka, watch);
  return kafka;
}
