/** What the dynamic providers tell the user: preview/up lines and check failures. */
import { CdcError, type ErrorCode } from "../runtime/errors";
import { containsUnknown, type CheckFailure } from "./types";

/** Says something in the preview/up output (a dynamic provider's stdout becomes a diagnostic). */
export function note(message: string): void {
  console.log(message);
}

/** A check failure on `property` from an error (a CdcError's message carries its code and fix). */
export function failureOf(property: string, error: unknown): CheckFailure {
  return { property, reason: error instanceof CdcError ? error.message : String((error as Error)?.message ?? error) };
}

/** Which input a failure reading the source is about. */
const SOURCE_PROPERTY: Partial<Record<ErrorCode, string>> = {
  GRANT_MISSING: "source.user",
  TABLE_MISSING: "tables",
  DATABASE_MISSING: "source.database",
  SOURCE_AUTH_FAILED: "source.password",
  SOURCE_UNREACHABLE: "source.host",
  SOURCE_TLS_FAILED: "source.tls",
  SERVER_ID_CONFLICT: "source.serverId",
};

/** A check failure from an error reading the source, on the input it is about. */
export function sourceFailure(error: unknown): CheckFailure {
  return failureOf((error instanceof CdcError && SOURCE_PROPERTY[error.code]) || "source", error);
}

/** Which input a failure reaching the Kafka cluster is about. */
const KAFKA_PROPERTY: Partial<Record<ErrorCode, string>> = {
  KAFKA_AUTH_FAILED: "kafka.sasl",
  KAFKA_TLS_FAILED: "kafka.tls",
};

/** A check failure from an error reaching the Kafka cluster, on the input it is about (brokers, tls or sasl). */
export function kafkaFailure(error: unknown): CheckFailure {
  return failureOf((error instanceof CdcError && KAFKA_PROPERTY[error.code]) || "kafka.brokers", error);
}

/** The input at a failure's property path ("source.port", "tables[2]"). */
function valueAt(inputs: unknown, property: string): unknown {
  return property
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : v), inputs);
}

/**
 * Drops failures about inputs not known yet: during preview an input that depends on another
 * resource's output is Pulumi's unknown marker, which static rules would misjudge.
 */
export function knownFailures(inputs: unknown, failures: CheckFailure[]): CheckFailure[] {
  return failures.filter((f) => !containsUnknown(valueAt(inputs, f.property)));
}

/** Paths whose values are or may be secrets: never shown. */
const SECRET_PATH = /password|secret|key$|token|credential/i;

/** A value short and plain enough to show in a message (never a secret's). */
function shownValue(property: string, value: unknown): string | undefined {
  if (SECRET_PATH.test(property)) return undefined;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return value.length <= 80 ? JSON.stringify(value) : undefined;
  return undefined;
}

/**
 * Failures as the engine prints them. The engine shows `property X value {V} has a problem`
 * with V looked up as a top-level input only, so a nested property ("partitions.orders",
 * "source.port") printed `value {<nil>}`: those travel without a property, their path and value
 * (not a secret's) at the head of the reason.
 */
export function engineFailures(inputs: unknown, failures: CheckFailure[]): CheckFailure[] {
  const secrets = secretValues(inputs);
  return failures.map((f) => {
    const reason = scrub(f.reason, secrets);
    if (!/[.[]/.test(f.property)) return { ...f, reason };
    const value = shownValue(f.property, valueAt(inputs, f.property));
    return { property: "", reason: `property ${f.property}${value !== undefined ? ` value ${value}` : ""}: ${reason}` };
  });
}

/** The values of inputs that are or may be secrets (passwords, keys), as they could appear in text. */
function secretValues(inputs: unknown, path = ""): string[] {
  if (inputs === null || typeof inputs !== "object") return [];
  return Object.entries(inputs as Record<string, unknown>).flatMap(([key, value]) => {
    const here = path ? `${path}.${key}` : key;
    if (SECRET_PATH.test(key) && (typeof value === "string" || typeof value === "number") && String(value).length >= 4) return [String(value)];
    return secretValues(value, here);
  });
}

/** Any secret value in a message, whatever produced it (a driver's error, say), replaced. */
function scrub(text: string, secrets: string[]): string {
  return secrets.reduce((t, secret) => t.split(secret).join("[secret]"), text);
}
