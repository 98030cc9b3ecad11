/**
 * The one errors module. Every failure a user can see has a code, a message that says what is
 * wrong, a fix, and a retriable flag. Errors are classified by code (ours, MySQL's errno, Node's
 * and kafkajs's error codes and types), never by matching message text.
 */

export interface ErrorSpec {
  /** Worth retrying inside the connector's retry window (network blips, a restarting broker). */
  retriable: boolean;
  /** What the user does about it; appended to every message with this code. */
  fix: string;
}

export const ERROR_SPECS = {
  CONFIG_INVALID: { retriable: false, fix: "Correct the connector's configuration and apply it again (pulumi up)." },
  GROUP_KEY_INVALID: {
    retriable: false,
    fix: "Give the runtime the resource group's key in CDC_GROUP_KEY (the ResourceGroup's groupKey output, base64 of 32 bytes).",
  },
  PASSWORD_UNDECRYPTABLE: {
    retriable: false,
    fix: "The password was encrypted with another resource group's key: apply the Connector again with this group, or give the runtime the right CDC_GROUP_KEY.",
  },
  TOPIC_MISSING: {
    retriable: false,
    fix: "Create the topic with a TopicSet for these tables (or add the table to the TopicSet), then redeploy the connector.",
  },
  SOURCE_AUTH_FAILED: {
    retriable: false,
    fix: "Check the source account and password (the Connector's source.user and source.password); the account must be allowed to log in from the runtime's host ('%'). An account created REQUIRE SSL or REQUIRE X509 also refuses a login without TLS, or without its client certificate (source.tls.cert and source.tls.key).",
  },
  SOURCE_UNREACHABLE: {
    retriable: true,
    fix: "Check that the database is running and reachable from the runtime (host, port, network, security groups).",
  },
  SOURCE_CONNECTION_LOST: { retriable: true, fix: "The runtime reconnects by itself; if it keeps happening, check the database's logs and network." },
  SOURCE_QUERY_FAILED: { retriable: true, fix: "Check the database's logs; the runtime retries inside the retry window." },
  BINLOG_DISABLED: { retriable: false, fix: "Enable the binary log: start the server with log_bin (log-bin=...) and restart it." },
  BINLOG_FORMAT_NOT_ROW: { retriable: false, fix: "Run SET GLOBAL binlog_format = 'ROW' (and set binlog_format=ROW in the server's configuration)." },
  BINLOG_ROW_IMAGE_NOT_FULL: { retriable: false, fix: "Run SET GLOBAL binlog_row_image = 'FULL' (and set it in the server's configuration)." },
  BINLOG_ROW_METADATA_NOT_FULL: {
    retriable: false,
    fix: "Run SET GLOBAL binlog_row_metadata = 'FULL' (and set it in the server's configuration); without it column names can be wrong after ALTER TABLE.",
  },
  BINLOG_PURGED: {
    retriable: false,
    fix: "The binlog position the connector needs was purged from the source. Keep binlogs longer (7 days recommended), then reset the connector's position (startPosition) or re-run the initial full sync.",
  },
  BINLOG_UNSUPPORTED_EVENT: {
    retriable: false,
    fix: "Turn off the server setting named in the message (binlog_transaction_compression or binlog_row_value_options=PARTIAL_JSON).",
  },
  ZONGJI_UNSUPPORTED: {
    retriable: false,
    fix: "The installed @vlasky/zongji (or its iconv-lite) is not the version the runtime was built against: reinstall this package's locked dependencies (npm ci), or use the runtime image.",
  },
  GRANT_MISSING: {
    retriable: false,
    fix: "Grant the account what the message names, e.g. GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'user'@'%'.",
  },
  TABLE_MISSING: { retriable: false, fix: "Create the table in the source database, or remove it from the Connector's tables." },
  SOURCE_TLS_FAILED: {
    retriable: false,
    fix: "Check source.tls: the server must offer TLS for modes required and above (have_ssl), its certificate must be signed by tls.ca (verify-ca) and name the host connected to or tls.serverName (verify-identity).",
  },
  KAFKA_TLS_FAILED: {
    retriable: false,
    fix: "Check kafka.tls: the brokers' listener must speak TLS, and its certificate must be signed by kafka.tls.ca and name the broker's address (or kafka.tls.serverName).",
  },
  KAFKA_AUTH_FAILED: {
    retriable: false,
    fix: "Check kafka.sasl: the mechanism must be one the listener enables, and the username and password those of a user of the cluster.",
  },
  SERVER_ID_CONFLICT: {
    retriable: false,
    fix: "Give the connector a source.serverId that no server and no other reader of this source uses (a replica's server_id must be unique; the server drops one reader whenever another connects with the same id).",
  },
  DATABASE_MISSING: { retriable: false, fix: "Check source.database (a misspelt name?), or create the database; the account needs a privilege on it to see it." },
  RECORD_TOO_LARGE: {
    retriable: false,
    fix: "Raise the connector's maxRecordBytes (and the topic's max.message.bytes), or exclude the large column or table.",
  },
  KAFKA_UNAVAILABLE: {
    retriable: true,
    // Also what a protocol mismatch looks like: kafkajs says only "Closed connection" (measured on the bench's listeners).
    fix: "Check that the Kafka brokers are running and reachable from the runtime, and that the listener speaks what kafka declares: a SASL_SSL or SSL listener closes a connection made without kafka.tls (and kafka.sasl), and a plaintext one ends a TLS handshake at once (\"disconnected before secure TLS connection was established\").",
  },
  KAFKA_FENCED: {
    retriable: false,
    fix: "Another runtime worker took this connector over (same transactionalId); this worker stops it. Nothing to do unless it keeps happening.",
  },
  KAFKA_NOT_AUTHORIZED: {
    retriable: false,
    fix: "Grant the runtime's Kafka principal the ACLs it needs: Write and Describe on the data and internal topics, Read on the internal topics, Write on its transactional.id (cdc-<group>-<connector>), Read on consumer groups cdc-reader-*.",
  },
  KAFKA_BROKER_UNSUPPORTED: {
    retriable: false,
    fix: "Point kafka.brokers at a cluster running Apache Kafka 1.0 or later (ApsaraMQ for Kafka 2.2 and later qualify), or upgrade the cluster.",
  },
  KAFKA_REQUEST_FAILED: { retriable: true, fix: "Check the broker's logs; the runtime retries inside the retry window." },
  RETRY_WINDOW_EXCEEDED: {
    retriable: false,
    fix: "The failure named in the message lasted longer than the connector's retry window; fix it, then redeploy the connector (or raise retry.connectionMinutes).",
  },
  DEPLOY_TIMEOUT: {
    retriable: false,
    fix: "Check that the resource group's runtime is running (the local runtime's log, or the Kubernetes pods) and reaches the source and Kafka, or raise deployTimeoutSeconds; then run pulumi up again.",
  },
  GROUP_HAS_CONNECTORS: {
    retriable: false,
    fix: "Delete the group's Connectors first (pulumi destroy in the stacks that declare them), then delete the ResourceGroup.",
  },
  DEPLOY_FAILED: { retriable: false, fix: "Fix what the runtime reported (the reason above), then run pulumi up again." },
  HANDOVER_FAILED: {
    retriable: false,
    fix: "Make sure the runtime of the replaced connector's resource group is running (it must confirm the stop before its position can be taken over), then run pulumi up again.",
  },
  INTERNAL: { retriable: false, fix: "This is a bug in the runtime: report it with the connector's logs." },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_SPECS;

export class CdcError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly fix: string;
  /** The message without the fix, for status records that show both separately. */
  readonly reason: string;

  constructor(code: ErrorCode, reason: string, options: { cause?: unknown } = {}) {
    const spec: ErrorSpec = ERROR_SPECS[code];
    super(`${code}: ${reason} Fix: ${spec.fix}`, { cause: options.cause });
    this.name = "CdcError";
    this.code = code;
    this.retriable = spec.retriable;
    this.fix = spec.fix;
    this.reason = reason;
  }
}

export function isCdcError(error: unknown): error is CdcError {
  return error instanceof CdcError;
}

/**
 * Several failures reported together (prechecks collect every failure before failing): one error
 * carrying the first failure's code and every failure's code, reason and fix, numbered.
 */
export function combineErrors(errors: CdcError[]): CdcError {
  if (errors.length === 1) return errors[0];
  const reason = errors.map((e, i) => `(${i + 1}) ${e.code}: ${e.reason} Fix: ${e.fix}`).join(" ");
  return new CdcError(errors[0].code, `${errors.length} checks failed: ${reason}`);
}

/** MySQL/MariaDB server error numbers we act on. */
const MYSQL_ERRNO = {
  ACCESS_DENIED: 1045,
  DBACCESS_DENIED: 1044,
  SPECIFIC_ACCESS_DENIED: 1227,
  MASTER_FATAL_ERROR_READING_BINLOG: 1236,
  BAD_DB: 1049,
  NO_SUCH_TABLE: 1146,
} as const;

const NETWORK_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT"]);
const CONNECTION_LOST_CODES = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "ECONNRESET",
  "EPIPE",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_SERVER_SHUTDOWN",
  "ER_CONNECTION_KILLED",
]);

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  name?: unknown;
  type?: unknown;
  retriable?: unknown;
  message?: unknown;
}

/**
 * Turns whatever a MySQL client (mysql2, zongji) threw into a CdcError, by error code.
 * `what` says what was being done, for the message (it must not contain secrets).
 */
export function classifyMysqlError(error: unknown, what: string): CdcError {
  if (isCdcError(error)) return error;
  const e = (error ?? {}) as ErrorLike;
  const code = typeof e.code === "string" ? e.code : "";
  const errno = typeof e.errno === "number" ? e.errno : undefined;
  const detail = safeDetail(e);
  const tls = tlsProblem(code, detail, e);
  if (tls) return new CdcError("SOURCE_TLS_FAILED", `${what}: ${tls}.`, { cause: error });
  if (errno === MYSQL_ERRNO.ACCESS_DENIED) return new CdcError("SOURCE_AUTH_FAILED", `${what}: the database refused the login (${code}).`, { cause: error });
  if (errno === MYSQL_ERRNO.MASTER_FATAL_ERROR_READING_BINLOG) {
    return new CdcError("BINLOG_PURGED", `${what}: the server cannot send the binlog from the requested position (MySQL error 1236: ${detail}).`, { cause: error });
  }
  if (errno === MYSQL_ERRNO.SPECIFIC_ACCESS_DENIED || errno === MYSQL_ERRNO.DBACCESS_DENIED) {
    return new CdcError("GRANT_MISSING", `${what}: the account lacks a privilege (${code}: ${detail}).`, { cause: error });
  }
  if (errno === MYSQL_ERRNO.BAD_DB || errno === MYSQL_ERRNO.NO_SUCH_TABLE) return new CdcError("TABLE_MISSING", `${what}: ${detail}.`, { cause: error });
  if (NETWORK_CODES.has(code)) return new CdcError("SOURCE_UNREACHABLE", `${what}: cannot connect to the database (${code}).`, { cause: error });
  if (CONNECTION_LOST_CODES.has(code)) return new CdcError("SOURCE_CONNECTION_LOST", `${what}: the connection to the database was lost (${code}).`, { cause: error });
  if (errno !== undefined) return new CdcError("SOURCE_QUERY_FAILED", `${what}: ${code} (${errno}): ${detail}.`, { cause: error });
  return new CdcError("INTERNAL", `${what}: ${detail}`, { cause: error });
}

/** Node's and mysql2's TLS failures (error.code), said in words. */
const TLS_CODES: Record<string, string> = {
  HANDSHAKE_NO_SSL_SUPPORT: "the server does not offer TLS (no SSL certificate configured), but TLS is required",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name the host connected to",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by a CA given in tls.ca (or one Node trusts)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by a CA given in tls.ca (or one Node trusts)",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in a CA not given in tls.ca",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not given in tls.ca",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  ERR_SSL_WRONG_VERSION_NUMBER: "the server did not answer in TLS (is it a plaintext port?)",
  EPROTO: "the TLS handshake failed",
};

/** Whether a socket error's code is a TLS failure that retrying does not mend (a certificate refused, a plaintext port). */
export function isTlsFailureCode(code: unknown): boolean {
  return typeof code === "string" && Object.hasOwn(TLS_CODES, code);
}

function tlsProblem(code: string, detail: string, error?: ErrorLike & { reason?: unknown; host?: unknown }): string | undefined {
  // mysql2 reports every failed TLS upgrade as HANDSHAKE_SSL_ERROR, overwriting Node's code on
  // Node's own error: a name mismatch still carries Node's reason and host; the rest only its text.
  if (code === "HANDSHAKE_SSL_ERROR") {
    if (typeof error?.reason === "string" && typeof error.host === "string") return `${TLS_CODES.ERR_TLS_CERT_ALTNAME_INVALID} (${detail})`;
    return `the TLS handshake failed (${detail}): under verify-ca and verify-identity the server's certificate must be signed by a CA given in tls.ca`;
  }
  const known = TLS_CODES[code];
  if (!known) return undefined;
  // Node's own text names the host and the certificate's names: worth keeping (no secret in it).
  return code === "ERR_TLS_CERT_ALTNAME_INVALID" ? `${known} (${detail})` : known;
}

/** kafkajs error class names (error.name) that mean the broker could not be reached or answered. */
const KAFKA_CONNECTION_ERRORS = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSLockTimeout",
  "KafkaJSNumberOfRetriesExceeded",
  "KafkaJSMetadataNotLoaded",
  "KafkaJSTopicMetadataNotLoaded",
  "KafkaJSStaleTopicMetadataAssignment",
  // Raised while a broker restarts or a coordinator moves: seen when the broker restarted mid-stream.
  "KafkaJSGroupCoordinatorNotFound",
  "KafkaJSTimeout",
]);
/** Kafka protocol error types (error.type) that mean this producer was superseded. */
const KAFKA_FENCED_TYPES = new Set(["INVALID_PRODUCER_EPOCH", "PRODUCER_FENCED"]);
/** Kafka protocol error types (error.type) that mean the client lacks an ACL. */
const KAFKA_AUTHORIZATION_TYPES = new Set(["TRANSACTIONAL_ID_AUTHORIZATION_FAILED", "TOPIC_AUTHORIZATION_FAILED", "GROUP_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED"]);
/** Protocol error types that decide the classification even after kafkajs retried them. */
const DECISIVE_TYPES = new Set([...KAFKA_FENCED_TYPES, ...KAFKA_AUTHORIZATION_TYPES, "UNKNOWN_TOPIC_OR_PARTITION"]);

/** Turns a kafkajs error into a CdcError, by its class name, protocol error type and retriable flag. */
export function classifyKafkaError(error: unknown, what: string): CdcError {
  if (isCdcError(error)) return error;
  let e = (error ?? {}) as ErrorLike & { originalError?: ErrorLike; cause?: unknown };
  // kafkajs's retrier wraps the error that stopped it in a KafkaJSNonRetriableError whose cause is
  // the real one (e.g. KafkaJSGroupCoordinatorNotFound while a broker restarts): judge the cause.
  for (let depth = 0; depth < 5 && e.name === "KafkaJSNonRetriableError" && e.cause && e.cause !== e; depth++) {
    e = e.cause as typeof e;
  }
  // Retries exhausted on a protocol error that retrying cannot mend (the topic is gone, the
  // producer is fenced, an ACL is missing): judge that error, not the exhaustion.
  const exhausted = e.name === "KafkaJSNumberOfRetriesExceeded" && e.cause && e.cause !== e ? (e.cause as typeof e) : undefined;
  if (exhausted && typeof exhausted.type === "string" && DECISIVE_TYPES.has(exhausted.type)) e = exhausted;
  const name = typeof e.name === "string" ? e.name : "";
  const type = typeof e.type === "string" ? e.type : typeof e.originalError?.type === "string" ? e.originalError.type : "";
  const detail = safeDetail(e);
  // A wrong SASL password or a TLS failure does not mend by retrying: found anywhere in the
  // chain of causes (kafkajs wraps them in connection and retry errors).
  for (let c: (ErrorLike & { cause?: unknown }) | undefined = error as ErrorLike & { cause?: unknown }, depth = 0; c && depth < 6; c = c.cause as typeof c, depth++) {
    if (c.name === "KafkaJSSASLAuthenticationError") return new CdcError("KAFKA_AUTH_FAILED", `${what}: the broker refused the SASL login (${safeDetail(c)}).`, { cause: error });
    const tls = typeof c.code === "string" ? tlsProblem(c.code, safeDetail(c)) : undefined;
    if (tls) return new CdcError("KAFKA_TLS_FAILED", `${what}: ${tls.replace(/tls\.ca/g, "kafka.tls.ca")}.`, { cause: error });
  }
  if (KAFKA_FENCED_TYPES.has(type)) return new CdcError("KAFKA_FENCED", `${what}: ${type}.`, { cause: error });
  if (KAFKA_AUTHORIZATION_TYPES.has(type)) return new CdcError("KAFKA_NOT_AUTHORIZED", `${what}: ${type}.`, { cause: error });
  if (type === "UNKNOWN_TOPIC_OR_PARTITION") return new CdcError("TOPIC_MISSING", `${what}: ${detail}.`, { cause: error });
  if (type === "MESSAGE_TOO_LARGE" || type === "RECORD_LIST_TOO_LARGE") {
    return new CdcError("RECORD_TOO_LARGE", `${what}: the broker rejected a record as too large (${type}).`, { cause: error });
  }
  if (KAFKA_CONNECTION_ERRORS.has(name)) return new CdcError("KAFKA_UNAVAILABLE", `${what}: ${name}: ${detail}.`, { cause: error });
  if (name.startsWith("KafkaJS")) {
    return new CdcError(e.retriable === false ? "INTERNAL" : "KAFKA_REQUEST_FAILED", `${what}: ${name}${type ? ` (${type})` : ""}: ${detail}.`, { cause: error });
  }
  return new CdcError("INTERNAL", `${what}: ${detail}`, { cause: error });
}

/** An error's own message, with anything that looks like a password assignment masked. */
function safeDetail(e: ErrorLike): string {
  const message = typeof e.message === "string" ? e.message : String(e);
  return redactSecrets(message);
}

/** Masks `password=...`/`password: ...`, `IDENTIFIED BY '...'` and `PASSWORD '*hash'` forms in free text. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(IDENTIFIED\s+(?:BY|VIA\s+\w+\s+USING)\s+(?:PASSWORD\s+)?)('[^']*'|"[^"]*")/gi, "$1'***'")
    .replace(/(\bPASSWORD(?:\s*\(\s*|\s+))('[^']*'|"[^"]*")/gi, "$1'***'")
    .replace(/(password["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;)}\]]+)/gi, (match, head: string, value: string) =>
      // MySQL's "(using password: YES)" says whether one was sent, not what it is.
      /^(YES|NO)$/i.test(value) ? match : `${head}***`,
    );
}
