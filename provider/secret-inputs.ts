/**
 * Passwords given as plain (non-secret) stack config. The resources keep every password secret
 * themselves (withSecretFields), but Pulumi keeps the whole stack config, plain values in
 * plaintext, outside any resource (the provider's own state, Pulumi.<stack>.yaml, backups): that
 * cannot be mended from here, so preview says which key to set again with --secret.
 */
import * as pulumi from "@pulumi/pulumi";

/** The stack config keys set with --secret (the language host lists them in PULUMI_CONFIG_SECRET_KEYS, a JSON list). */
function secretConfigKeys(): string[] {
  try {
    const parsed: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS || "[]");
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === "string") : [];
  } catch {
    return [];
  }
}

/** The stack config keys set without --secret, with their values. */
function plainConfigKeys(): Map<string, string> {
  const secret = secretConfigKeys();
  const plain = new Map<string, string>();
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) if (!secret.includes(key)) plain.set(key, value);
  return plain;
}

/** The plain config key whose value is `value`, if any (a password read with config.require). */
export function plainConfigKeyHolding(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0) return undefined;
  for (const [key, v] of plainConfigKeys()) if (v === value) return key;
  return undefined;
}

/** Warns (in preview and up) when `value`, a password input of `resource`, is a plain stack config value. */
export function warnIfPlainConfig(resource: pulumi.Resource, kind: string, property: string, value: pulumi.Input<unknown> | undefined): void {
  if (value === undefined) return;
  pulumi.output(value).apply((v) => {
    let key: string | undefined;
    try {
      key = plainConfigKeyHolding(v);
    } catch {
      // A warning must never break the program.
      key = undefined;
    }
    if (key) {
      void pulumi.log.warn(
        `${kind} ${property} comes from stack config ${key}, which is not a secret: Pulumi keeps it in plaintext in Pulumi.<stack>.yaml and the stack's state (this resource keeps it encrypted). Set it again with: pulumi config set --secret ${key.replace(/^[^:]+:/, "")} <value>`,
        resource,
      );
    }
    return v;
  });
}

/** warnIfPlainConfig for a cluster's secrets: the SASL password and the TLS key. */
export function warnIfPlainKafkaSecrets(resource: pulumi.Resource, kind: string, kafka: unknown): void {
  if (kafka === undefined) return;
  const k = pulumi.output(kafka as pulumi.Input<{ sasl?: { password?: string }; tls?: unknown }>);
  warnIfPlainConfig(resource, kind, "kafka.sasl.password", k.apply((v) => v.sasl?.password));
  warnIfPlainConfig(resource, kind, "kafka.tls.key", k.apply((v) => (v.tls && typeof v.tls === "object" ? (v.tls as { key?: string }).key : undefined)));
}
