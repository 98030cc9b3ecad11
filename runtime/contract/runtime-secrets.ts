/**
 * The secrets a runtime worker is given in a file (CDC_SECRETS_FILE), never in its environment
 * or arguments, which `ps e`, `/proc/<pid>/environ` and `kubectl describe` show: the group's key
 * and the Kafka cluster's login. The local runtime writes the file (0600, in its private
 * directory); on Kubernetes it is a key of the group's Secret, mounted read-only.
 *
 * Serialized form (JSON):
 *   { "groupKey": "<base64 of 32 bytes>", "kafka": <KafkaSecurity, see ./kafka-security.ts> }
 * Both optional ("kafka" absent: a plaintext listener).
 */
import fs from "node:fs";
import { CdcError } from "../errors";
import { kafkaSecurityProblems, type KafkaSecurity } from "./kafka-security";
import { parseGroupKey } from "./secrets";

export interface RuntimeSecrets {
  groupKey?: string;
  kafka?: KafkaSecurity;
}

export function serializeRuntimeSecrets(secrets: RuntimeSecrets): string {
  return `${JSON.stringify({ ...(secrets.groupKey ? { groupKey: secrets.groupKey } : {}), ...(secrets.kafka ? { kafka: secrets.kafka } : {}) })}\n`;
}

/** Parses the file's text; a CONFIG_INVALID error names what is wrong (never a value). */
export function parseRuntimeSecrets(text: string, source: string): RuntimeSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CdcError("CONFIG_INVALID", `${source} is not JSON: write it as {"groupKey": ..., "kafka": {...}} (the ResourceGroup writes it)`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new CdcError("CONFIG_INVALID", `${source} must hold a JSON object {"groupKey": ..., "kafka": {...}}`);
  const { groupKey, kafka } = parsed as { groupKey?: unknown; kafka?: unknown };
  if (groupKey !== undefined) {
    if (typeof groupKey !== "string") throw new CdcError("CONFIG_INVALID", `${source}: groupKey must be text (base64 of 32 bytes)`);
    parseGroupKey(groupKey);
  }
  if (kafka !== undefined && (kafka === null || typeof kafka !== "object" || Array.isArray(kafka))) throw new CdcError("CONFIG_INVALID", `${source}: kafka must be an object { tls?, sasl? }`);
  const problems = kafkaSecurityProblems(kafka as { tls?: unknown; sasl?: unknown } | undefined);
  if (problems.length > 0) throw new CdcError("CONFIG_INVALID", `${source}: ${problems.map((p) => `${p.property} ${p.message}`).join("; ")}`);
  return { ...(typeof groupKey === "string" ? { groupKey } : {}), ...(kafka ? { kafka: kafka as KafkaSecurity } : {}) };
}

export function readRuntimeSecrets(file: string): RuntimeSecrets {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new CdcError("CONFIG_INVALID", `CDC_SECRETS_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}): it must be readable by the runtime's user`);
  }
  return parseRuntimeSecrets(text, `CDC_SECRETS_FILE ${file}`);
}
