/**
 * How to reach a secured Kafka cluster, as the provider and the runtime share it: TLS (the
 * cluster's CA, a client certificate, the name the brokers' certificates hold) and SASL (PLAIN,
 * SCRAM-SHA-256 or SCRAM-SHA-512). runtime/sink/kafka-client.ts turns it into kafkajs options.
 *
 * Serialized form (the "kafka" part of the runtime's secrets file, see ./runtime-secrets.ts; JSON, and a
 * secret as a whole since it holds the SASL password and the TLS key in the clear):
 *   { "tls": true | { "ca"?: PEM, "cert"?: PEM, "key"?: PEM, "serverName"?: string, "verifyHostname"?: boolean },
 *     "sasl": { "mechanism": "plain" | "scram-sha-256" | "scram-sha-512", "username": string, "password": string,
 *               "allowWithoutTls"?: boolean } }
 * Both parts optional; {} (or no file) is a plaintext listener.
 */
import { tlsMaterialProblems } from "./tls";

export const SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaTls {
  /** The CA bundle the brokers' certificates are checked against (default: the CAs Node trusts). */
  ca?: string;
  /** A client certificate (mutual TLS), with its key. */
  cert?: string;
  /** A secret. */
  key?: string;
  /** The name the brokers' certificates hold, when the brokers are reached by another name or address. */
  serverName?: string;
  /** false skips the check that a broker's certificate names it (the CA is still checked): ApsaraMQ's SSL endpoints need it. Default true. */
  verifyHostname?: boolean;
}

export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  /** A secret. */
  password: string;
  /** SASL over a listener without TLS (SASL_PLAINTEXT): the password (PLAIN) or the exchange (SCRAM) crosses the network unencrypted. */
  allowWithoutTls?: boolean;
}

export interface KafkaSecurity {
  tls?: true | KafkaTls;
  sasl?: KafkaSasl;
}

type Problem = { property: string; message: string };

/** What is wrong with the security settings of `kafka` (properties under `path`, e.g. "kafka"); every problem at once. */
export function kafkaSecurityProblems(kafka: { tls?: unknown; sasl?: unknown } | undefined, path = "kafka"): Problem[] {
  if (!kafka) return [];
  const problems: Problem[] = [];
  const tls = kafka.tls;
  const tlsOn = tls !== undefined && tls !== null && tls !== false;
  if (tlsOn && tls !== true) {
    if (typeof tls !== "object" || Array.isArray(tls)) problems.push({ property: `${path}.tls`, message: "must be true (TLS, the brokers checked against the CAs Node trusts) or { ca?, cert?, key?, serverName?, verifyHostname? }" });
    else {
      const t = tls as Record<string, unknown>;
      problems.push(...tlsMaterialProblems(t, `${path}.tls`, "the CA file your Kafka provider publishes, read with fs.readFileSync"));
      if (t.serverName !== undefined && typeof t.serverName !== "string") problems.push({ property: `${path}.tls.serverName`, message: "must be text" });
      if (t.verifyHostname !== undefined && typeof t.verifyHostname !== "boolean") problems.push({ property: `${path}.tls.verifyHostname`, message: "must be true or false" });
    }
  }
  const sasl = kafka.sasl;
  if (sasl === undefined || sasl === null) return problems;
  if (typeof sasl !== "object" || Array.isArray(sasl)) {
    problems.push({ property: `${path}.sasl`, message: `must be { mechanism: ${SASL_MECHANISMS.map((m) => JSON.stringify(m)).join(" | ")}, username, password }` });
    return problems;
  }
  const s = sasl as Record<string, unknown>;
  if (typeof s.mechanism !== "string" || !(SASL_MECHANISMS as readonly string[]).includes(s.mechanism)) {
    const given = typeof s.mechanism === "string" ? s.mechanism.toLowerCase().replace(/_/g, "-") : undefined;
    const hint = given && (SASL_MECHANISMS as readonly string[]).includes(given) ? ` (write it ${JSON.stringify(given)})` : "";
    problems.push({
      property: `${path}.sasl.mechanism`,
      message: `must be one of ${SASL_MECHANISMS.map((m) => JSON.stringify(m)).join(", ")}, got ${s.mechanism === undefined ? "nothing" : JSON.stringify(s.mechanism)}${hint}; ApsaraMQ takes "plain" or "scram-sha-256"`,
    });
  }
  if (typeof s.username !== "string" || s.username.length === 0) problems.push({ property: `${path}.sasl.username`, message: "is missing; give the SASL user's name" });
  if (s.password === undefined || s.password === null || s.password === "") problems.push({ property: `${path}.sasl.password`, message: "is missing; give the SASL user's password as a secret (config.requireSecret)" });
  else if (typeof s.password !== "string") problems.push({ property: `${path}.sasl.password`, message: "must be text (its value is not shown)" });
  if (s.allowWithoutTls !== undefined && typeof s.allowWithoutTls !== "boolean") problems.push({ property: `${path}.sasl.allowWithoutTls`, message: "must be true or false" });
  if (!tlsOn && s.allowWithoutTls !== true) {
    problems.push({
      property: `${path}.tls`,
      message: `is not set, so the SASL login would cross the network unencrypted (SASL_PLAINTEXT). Set ${path}.tls (true, or { ca }) for a SASL_SSL endpoint, or, to use a SASL_PLAINTEXT endpoint on purpose, set ${path}.sasl.allowWithoutTls: true`,
    });
  }
  return problems;
}

/** The security part of `kafka` (tls and sasl only; undefined when neither is set), as the runtime is given it. */
export function kafkaSecurityOf(kafka: { tls?: unknown; sasl?: unknown } | undefined): KafkaSecurity | undefined {
  if (!kafka) return undefined;
  const tls = kafka.tls === false || kafka.tls === null ? undefined : (kafka.tls as KafkaSecurity["tls"]);
  const sasl = kafka.sasl === null ? undefined : (kafka.sasl as KafkaSasl | undefined);
  if (tls === undefined && sasl === undefined) return undefined;
  return { ...(tls !== undefined ? { tls } : {}), ...(sasl !== undefined ? { sasl } : {}) };
}

/** A description without secrets, for logs: "SASL_SSL (scram-sha-256 as cdc)". */
export function describeKafkaSecurity(security: KafkaSecurity | undefined): string {
  const tls = security?.tls !== undefined;
  const sasl = security?.sasl;
  const protocol = sasl ? (tls ? "SASL_SSL" : "SASL_PLAINTEXT") : tls ? "SSL" : "PLAINTEXT";
  return sasl ? `${protocol} (${sasl.mechanism} as ${sasl.username})` : protocol;
}
