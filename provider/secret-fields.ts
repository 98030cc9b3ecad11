/**
 * Marks the secret fields of an input secret, and only them: a source's password and TLS key, a
 * Kafka cluster's SASL password and TLS key. The rest (hosts, brokers, the CA, user names) stays
 * readable in previews and in the state, so a diff still says what changed.
 *
 * A plain object is marked field by field. An Output (or a Promise) is lifted by Pulumi as a
 * whole, and a secret anywhere in it makes all of it secret (the SDK joins secretness upwards):
 * its open part is then taken out with unsecret and the secret fields put back, each its own
 * secret. The state then holds them as nested secrets (the engine keeps nested secretness for
 * outputs too), which the e2e secrets test greps for.
 */
import type * as pulumi from "@pulumi/pulumi";

type Path = readonly string[];

/** A source's secret fields. */
export const SOURCE_SECRET_PATHS: readonly Path[] = [["password"], ["tls", "key"]];
/** A Kafka cluster's secret fields. */
export const KAFKA_SECRET_PATHS: readonly Path[] = [["sasl", "password"], ["tls", "key"]];

function sdk(): typeof import("@pulumi/pulumi") {
  return require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Promise) return false;
  return !sdk().Output.isInstance(value);
}

function getAt(value: unknown, path: Path): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * A copy of `value` with `fill` at path, copying each object on the way (the input is not
 * changed). Missing objects on the way are made for a value, and left missing for undefined (a
 * field cleared that was never there).
 */
function setAt(value: unknown, path: Path, fill: unknown): unknown {
  if (path.length === 0) return fill;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const [head, ...rest] = path;
  const object = value as Record<string, unknown>;
  if (object[head] === undefined && fill === undefined) return value;
  return { ...object, [head]: setAt(object[head] ?? {}, rest, fill) };
}

/** `input` with each field at `paths` a secret of its own, the rest as it was given (see the module). */
export function withSecretFields<T>(input: T, paths: readonly Path[]): T {
  if (input === undefined || input === null) return input;
  const pulumiSdk = sdk();
  if (paths.some((p) => p.length === 0)) return pulumiSdk.secret(input as pulumi.Input<unknown>) as unknown as T;
  if (isPlainObject(input)) {
    const copy: Record<string, unknown> = { ...input };
    for (const head of new Set(paths.map((p) => p[0]))) {
      if (copy[head] === undefined) continue;
      copy[head] = withSecretFields(copy[head], paths.filter((p) => p[0] === head).map((p) => p.slice(1)));
    }
    return copy as T;
  }
  const whole: pulumi.Output<unknown> = pulumiSdk.output(input as pulumi.Input<unknown>) as pulumi.Output<unknown>;
  const opened: pulumi.Output<{ value: unknown; present: boolean[] }> = whole.apply((v) => ({
    value: paths.reduce((acc, p) => setAt(acc, p, undefined), v),
    present: paths.map((p) => getAt(v, p) !== undefined),
  }));
  const open = pulumiSdk.unsecret(opened);
  const hidden = paths.map((p) => pulumiSdk.secret(whole.apply((v) => getAt(v, p))));
  return open.apply(({ value, present }) => paths.reduce((acc, p, i) => (present[i] ? setAt(acc, p, hidden[i]) : acc), value)) as unknown as T;
}
