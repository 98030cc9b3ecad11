/**
 * ResourceGroup's pure logic (the group "core": name, region, spec, networks, the internal topics
 * and the key), validated in check so preview fails fast.
 */
import { groupNameProblem, type GroupTopics } from "../../runtime/contract/names";
import { kafkaFailures } from "../kafka-inputs";
import { containsUnknown, type CenArgs, type CheckFailure, type EniBindingArgs, type KafkaArgs, type SourceNetworkArgs } from "../types";
import { checkGroupNetwork } from "./network";

/** The vendor's exclusive resource group: 4 vCPU / 8 GB. */
export const DEFAULT_GROUP_SPEC = { cpu: 4, memoryGb: 8 };

export interface GroupCoreInputs {
  name: string;
  region: string;
  kafka: KafkaArgs;
  sources?: SourceNetworkArgs[];
  eniBindings?: EniBindingArgs[];
  cen?: CenArgs;
  spec?: { cpu: number; memoryGb: number };
  /** Replication factor of the internal topics (default: the broker's default). */
  replicationFactor?: number;
  /** What the ResourceGroup class found wrong with the arguments it does not pass on (see ../properties). */
  argumentFailures?: CheckFailure[];
}

export interface GroupCoreOutputs extends GroupCoreInputs {
  /** base64 of 32 random bytes; a secret (additionalSecretOutputs). */
  groupKey: string;
  topics: GroupTopics;
  stateVersion: number;
}

export const GROUP_STATE_VERSION = 1;

export function validateGroupInputs(inputs: GroupCoreInputs): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const nameProblem = groupNameProblem(inputs.name);
  const shown = typeof inputs.name === "string" || inputs.name === undefined ? `${JSON.stringify(inputs.name ?? "")} ` : "";
  if (nameProblem) failures.push({ property: "name", reason: `${shown}${nameProblem} (it is part of the internal topic names cdc-<name>-configs ...)` });
  failures.push(...kafkaFailures(inputs.kafka));
  if (inputs.kafka?.region && inputs.region && !containsUnknown([inputs.kafka.region, inputs.region]) && inputs.kafka.region !== inputs.region) {
    failures.push({
      property: "kafka.region",
      reason: `is ${inputs.kafka.region} but the group's region is ${inputs.region}: the resource group runs in the Kafka instance's region; give the same region`,
    });
  }
  const spec = inputs.spec;
  if (spec !== undefined) {
    if (!(typeof spec.cpu === "number" && spec.cpu >= 0.1 && spec.cpu <= 64)) failures.push({ property: "spec.cpu", reason: `must be a number of vCPUs from 0.1 to 64, got ${JSON.stringify(spec.cpu)}` });
    if (!(typeof spec.memoryGb === "number" && spec.memoryGb >= 0.25 && spec.memoryGb <= 512)) {
      failures.push({ property: "spec.memoryGb", reason: `must be a number of GB from 0.25 to 512, got ${JSON.stringify(spec.memoryGb)}` });
    }
  }
  const rf = inputs.replicationFactor;
  if (rf !== undefined && (!Number.isInteger(rf) || rf < 1 || rf > 32)) failures.push({ property: "replicationFactor", reason: `must be a whole number from 1 to 32, got ${JSON.stringify(rf)}` });
  failures.push(
    ...checkGroupNetwork({ region: inputs.region, kafkaVpc: inputs.kafka?.vpc, sources: inputs.sources ?? [], eniBindings: inputs.eniBindings, cen: inputs.cen }),
  );
  return failures;
}

/**
 * Only a new name replaces the core (it names the internal topics). Other changes update in place:
 * new brokers of the same cluster, networks and spec are re-checked; the key is kept.
 */
export function diffGroupCore(olds: GroupCoreOutputs, news: GroupCoreInputs): { changes: boolean; replaces: string[] } {
  const replaces = olds.name !== news.name ? ["name"] : [];
  // argumentFailures are empty for any group that gets this far: not an input of the group's.
  // __provider (the host's copy of the provider code) is the package's, not the group's: another
  // version or install path of the package is no change of the group.
  const { groupKey: _key, topics: _topics, stateVersion: _version, argumentFailures: _old, __provider: _oldCode, ...oldInputs } = olds as GroupCoreOutputs & { __provider?: unknown };
  const { argumentFailures: _new, __provider: _newCode, ...newInputs } = news as GroupCoreInputs & { __provider?: unknown };
  return { changes: JSON.stringify(sortKeys(oldInputs)) !== JSON.stringify(sortKeys(newInputs)), replaces };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
