/**
 * Connector: one MySQL -> Kafka connector run by a ResourceGroup's runtime. Create writes its
 * config (password encrypted with the group key) and waits for RUNNING; refresh shows the live
 * status; update reconfigures it in place; delete stops it and removes its config and offsets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Acks, Compression, Format, PartitionPolicy, StartPosition } from "../../runtime/contract/config";
import { ForwardingResource } from "../dynamic";
import { resourceOwner } from "../owner";
import { warnIfPlainConfig } from "../secret-inputs";
import { KAFKA_SECRET_PATHS, SOURCE_SECRET_PATHS, withSecretFields } from "../secret-fields";
import type { Inputs, KafkaArgs, SourceArgs } from "../types";
import type { ConnectorStatus, ManageGrantsArgs } from "./plan";

/** What a Connector needs of its ResourceGroup (a ResourceGroup instance fits). */
export interface ConnectorGroupRef {
  groupName: pulumi.Input<string>;
  groupKey: pulumi.Input<string>;
  kafka: Inputs<KafkaArgs>;
}

export interface ConnectorArgs {
  resourceGroup: ConnectorGroupRef;
  /** The connector's name: 1-48 digits, lowercase letters and hyphens (default: the resource name). */
  name?: pulumi.Input<string>;
  source: Inputs<SourceArgs & { serverId?: number }>;
  tables: pulumi.Input<pulumi.Input<string>[]>;
  /** RE2 expression (linear-time matching, no backreferences or lookarounds) of tables added automatically when created; the whole name must match. */
  autoAddTables?: pulumi.Input<string>;
  topicPrefix: pulumi.Input<string>;
  format?: pulumi.Input<Format>;
  compression?: pulumi.Input<Compression>;
  acks?: pulumi.Input<Acks>;
  partitionPolicy?: pulumi.Input<PartitionPolicy>;
  retry?: Inputs<{ connectionMinutes?: number; otherMinutes?: number }>;
  throttle?: Inputs<{ rowsPerSecond?: number; megabytesPerSecond?: number }>;
  maxRecordBytes?: pulumi.Input<number>;
  /** Seconds between heartbeat records (to `<topicPrefix>_heartbeat`); 0 turns them off. Default 10. */
  heartbeatSeconds?: pulumi.Input<number>;
  /** Topic of the records over maxRecordBytes (key, table, position, size). Default `<topicPrefix>_dead_letter`. */
  deadLetterTopic?: pulumi.Input<string>;
  /** Topic of the DDL messages; default: each table's own topic. */
  ddlTopic?: pulumi.Input<string>;
  initialSync?: pulumi.Input<boolean>;
  startPosition?: pulumi.Input<StartPosition>;
  paused?: pulumi.Input<boolean>;
  /** Admin credentials: the Connector creates the account and grants what it needs (and revokes it on delete). */
  manageGrants?: Inputs<ManageGrantsArgs>;
  deployTimeoutSeconds?: pulumi.Input<number>;
  /** Keep the topics the connector made (heartbeats, dead letters, DDL, auto-added tables) when it is deleted. */
  retainOnDelete?: pulumi.Input<boolean>;
}

export class Connector extends ForwardingResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly consumerGroup: pulumi.Output<string>;
  declare readonly transactionalId: pulumi.Output<string>;
  /** The live status: RUNNING, FAILED (with reason, errorCode, fix) or PAUSED; refresh updates it. */
  declare readonly status: pulumi.Output<ConnectorStatus>;
  declare readonly revision: pulumi.Output<string>;

  constructor(name: string, args: ConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    const { resourceGroup, manageGrants, ...rest } = args;
    super(
      "connector/provider",
      "Connector",
      name,
      {
        ...rest,
        name: args.name ?? name,
        owner: resourceOwner(name, opts),
        groupName: resourceGroup.groupName,
        groupKey: pulumi.secret(resourceGroup.groupKey),
        kafka: withSecretFields(resourceGroup.kafka, KAFKA_SECRET_PATHS),
        source: withSecretFields(args.source, SOURCE_SECRET_PATHS),
        manageGrants: manageGrants ? pulumi.output(manageGrants).apply((m) => ({ ...m, adminPassword: pulumi.secret(m.adminPassword) })) : undefined,
        consumerGroup: undefined,
        transactionalId: undefined,
        status: undefined,
        revision: undefined,
        grants: undefined,
        stateVersion: undefined,
      },
      {
        ...opts,
        // The group's runtime must be up before the deploy waits for it to report RUNNING.
        dependsOn: withGroup(opts?.dependsOn, resourceGroup),
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "groupKey", "manageGrants"],
      },
    );
    warnIfPlainConfig(this, `Connector ${name}:`, "source.password", pulumi.output(args.source).apply((s) => s.password));
    warnIfPlainConfig(this, `Connector ${name}:`, "source.tls.key", pulumi.output(args.source).apply((s) => s.tls?.key));
    if (manageGrants) warnIfPlainConfig(this, `Connector ${name}:`, "manageGrants.adminPassword", pulumi.output(manageGrants).apply((m) => m.adminPassword));
  }
}

/**
 * The caller's dependsOn plus the group (a ResourceGroup: all its children), and for a TopicSet
 * in it, the TopicSet's member resources: on destroy the connector is then stopped before they
 * delete its topics.
 */
function withGroup(dependsOn: pulumi.CustomResourceOptions["dependsOn"], group: ConnectorGroupRef): pulumi.CustomResourceOptions["dependsOn"] {
  const extra: pulumi.Input<pulumi.Resource>[] = pulumi.Resource.isInstance(group) ? [group] : [];
  if (dependsOn === undefined) return extra.length > 0 ? extra : undefined;
  if (Array.isArray(dependsOn)) return [...dependsOn, ...dependsOn.flatMap(membersOf), ...extra];
  if (pulumi.Resource.isInstance(dependsOn)) return [dependsOn, ...membersOf(dependsOn), ...extra];
  // An Output or Promise of resources: Pulumi flattens nested dependsOn entries, so nest it.
  return [dependsOn as pulumi.Input<pulumi.Resource>, ...extra];
}

/** A TopicSet's members (an Output of resources, which dependsOn accepts nested). */
function membersOf(resource: pulumi.Input<pulumi.Resource>): pulumi.Input<pulumi.Resource>[] {
  const members = (resource as { members?: unknown }).members;
  return pulumi.Output.isInstance(members) ? [members as unknown as pulumi.Input<pulumi.Resource>] : [];
}
