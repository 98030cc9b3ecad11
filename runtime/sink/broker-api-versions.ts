/**
 * Reads a broker's ApiVersions answer (KIP-35) with one request of our own: version 0, which
 * every broker from 0.10 to 4.x serves, and which a SASL listener answers before the login
 * (KIP-43), so no credentials are sent. kafkajs reads the same answer when it connects but keeps
 * it private; this asks with the same TLS options (./kafka-client.ts's kafkajsSecurityOptions).
 *
 * Wire form: request = size:int32, api_key:int16 (18), api_version:int16 (0), correlation_id:int32,
 * client_id:string(int16 length); answer = size:int32, correlation_id:int32, error_code:int16,
 * [api_key:int16, min_version:int16, max_version:int16] (int32 count).
 */
import net from "node:net";
import tls from "node:tls";
import type { KafkaSecurity } from "../contract/kafka-security";
import { CdcError, classifyKafkaError, isTlsFailureCode } from "../errors";
import { unsupportedBrokerReason, type ApiVersionRanges } from "./broker-features";
import { kafkajsSecurityOptions } from "./kafka-client";

const API_VERSIONS_KEY = 18;
const CLIENT_ID = "pulumi-mysql-kafka-cdc-versions";

export function apiVersionsRequest(correlationId: number): Buffer {
  const clientId = Buffer.from(CLIENT_ID, "utf8");
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(API_VERSIONS_KEY, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Parses an answer's body (after its size): the ranges, or an error for a malformed or refused answer. */
export function parseApiVersionsAnswer(body: Buffer, correlationId: number): ApiVersionRanges {
  if (body.length < 10 || body.readInt32BE(0) !== correlationId) throw new Error("not an ApiVersions answer to this request");
  const errorCode = body.readInt16BE(4);
  // 35 (UNSUPPORTED_VERSION) comes with the ranges too (KIP-511); any other code does not.
  if (errorCode !== 0 && errorCode !== 35) throw new Error(`the broker answered ApiVersions with error code ${errorCode}`);
  const count = body.readInt32BE(6);
  if (count < 0 || body.length < 10 + count * 6) throw new Error("a truncated ApiVersions answer");
  const ranges = new Map<number, { min: number; max: number }>();
  for (let i = 0; i < count; i++) {
    const at = 10 + i * 6;
    ranges.set(body.readInt16BE(at), { min: body.readInt16BE(at + 2), max: body.readInt16BE(at + 4) });
  }
  return ranges;
}

function hostPort(broker: string): { host: string; port: number } {
  const at = broker.lastIndexOf(":");
  return { host: broker.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(broker.slice(at + 1)) };
}

/**
 * One broker's ApiVersions ranges. A broker that cannot be reached, or does not answer in
 * timeoutMs, gives KAFKA_UNAVAILABLE (or KAFKA_TLS_FAILED for a refused certificate).
 */
export function readApiVersions(broker: string, security: KafkaSecurity | undefined, timeoutMs = 5_000): Promise<ApiVersionRanges> {
  const { host, port } = hostPort(broker);
  const ssl = kafkajsSecurityOptions(security).ssl;
  const correlationId = 1 + Math.floor(Math.random() * 0x7ffffffe);
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket: net.Socket = ssl
      ? tls.connect({ host, port, ...(!net.isIP(host) ? { servername: host } : {}), ...(ssl === true ? {} : ssl) }, () => socket.write(apiVersionsRequest(correlationId)))
      : net.connect({ host, port }, () => socket.write(apiVersionsRequest(correlationId)));
    const finish = (error: Error | undefined, ranges?: ApiVersionRanges) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(ranges as ApiVersionRanges);
    };
    const timer = setTimeout(
      () => finish(new CdcError("KAFKA_UNAVAILABLE", `reading the Kafka broker ${broker}'s API versions: no answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      if (received.length < 4 + size) return;
      try {
        finish(undefined, parseApiVersionsAnswer(received.subarray(4, 4 + size), correlationId));
      } catch (error) {
        finish(new CdcError("KAFKA_REQUEST_FAILED", `reading the Kafka broker ${broker}'s API versions: ${(error as Error).message}.`, { cause: error }));
      }
    });
    socket.on("error", (error: Error & { code?: string }) => {
      const what = `reading the Kafka broker ${broker}'s API versions`;
      finish(isTlsFailureCode(error.code) ? classifyKafkaError(error, what) : new CdcError("KAFKA_UNAVAILABLE", `${what}: ${error.code ?? error.message}.`, { cause: error }));
    });
    socket.on("close", () => finish(new CdcError("KAFKA_UNAVAILABLE", `reading the Kafka broker ${broker}'s API versions: the broker closed the connection before answering (a TLS listener spoken to without kafka.tls?).`)));
  });
}

/**
 * Why the cluster cannot serve the connector (see ./broker-features.ts), asked of the first
 * bootstrap broker that answers; undefined when it can, or when none answers (the clients that
 * follow report an unreachable cluster with their own retries and codes).
 */
export async function unsupportedBrokerProblem(brokers: string[], security: KafkaSecurity | undefined): Promise<string | undefined> {
  for (const broker of brokers) {
    let versions: ApiVersionRanges;
    try {
      versions = await readApiVersions(broker, security);
    } catch {
      continue;
    }
    return unsupportedBrokerReason(broker, versions);
  }
  return undefined;
}
