/**
 * TopicSet: one Kafka topic per source table, named <topicPrefix>_<table>, with 6 partitions for a
 * table with a primary key and 1 without (or the counts given). See ./plan for the rules. Each
 * table also gets a member resource (./member) whose deletion, at the end of an update, deletes
 * the table's topic once the connectors stopped writing it.
 */
import * as pulumi from "@pulumi/pulumi";
import { tableTopic } from "../../runtime/contract/names";
import { ForwardingResource } from "../dynamic";
import { resourceOwner } from "../owner";
import { kafkaSecurityOf } from "../../runtime/contract/kafka-security";
import { KAFKA_SECRET_PATHS, SOURCE_SECRET_PATHS, withSecretFields } from "../secret-fields";
import { warnIfPlainConfig, warnIfPlainKafkaSecrets } from "../secret-inputs";
import type { Inputs, KafkaArgs, SourceArgs } from "../types";
import type { TopicOwnership } from "./ownership";

export interface TopicSetArgs {
  kafka: Inputs<KafkaArgs>;
  topicPrefix: pulumi.Input<string>;
  tables: pulumi.Input<pulumi.Input<string>[]>;
  /** Where to look up primary keys; not needed when partitions are given for every table. */
  source?: Inputs<SourceArgs>;
  partitions?: pulumi.Input<number | Record<string, pulumi.Input<number>>>;
  replicationFactor?: pulumi.Input<number>;
  topicConfigs?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Keep topics of removed tables, and all topics on destroy. */
  retainOnDelete?: pulumi.Input<boolean>;
  /** Delete adopted topics too (those that existed before the TopicSet) when their table goes; default: keep them. */
  deleteAdoptedTopics?: pulumi.Input<boolean>;
}

/** A table's membership in a TopicSet: deleting it deletes the table's topic (see ./member). */
class TopicSetMember extends ForwardingResource {
  constructor(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super("topic-set/member", "TopicSetMember", name, args, opts);
  }
}

export class TopicSet extends ForwardingResource {
  declare readonly topicPrefix: pulumi.Output<string>;
  declare readonly tables: pulumi.Output<string[]>;
  /** Per table, the topic as it exists: { topic, partitions }. */
  declare readonly topics: pulumi.Output<Record<string, { topic: string; partitions: number }>>;
  declare readonly plannedPartitions: pulumi.Output<Record<string, number>>;
  /** Per table, whether the TopicSet made its topic or adopted one that existed. */
  declare readonly ownership: pulumi.Output<Record<string, TopicOwnership>>;
  /** The tables' member resources: a Connector given this TopicSet in dependsOn depends on them too. */
  readonly members: pulumi.Output<pulumi.Resource[]>;

  constructor(name: string, args: TopicSetArgs, opts?: pulumi.CustomResourceOptions) {
    const source = withSecretFields(args.source, SOURCE_SECRET_PATHS);
    const kafka = withSecretFields(args.kafka, KAFKA_SECRET_PATHS);
    super(
      "topic-set/provider",
      "TopicSet",
      name,
      { ...args, kafka, source, owner: resourceOwner(name, opts), topics: undefined, plannedPartitions: undefined, ownership: undefined, retained: undefined, stateVersion: undefined },
      opts,
    );
    if (args.source) {
      warnIfPlainConfig(this, `TopicSet ${name}:`, "source.password", pulumi.output(args.source).apply((s) => s.password));
      warnIfPlainConfig(this, `TopicSet ${name}:`, "source.tls.key", pulumi.output(args.source).apply((s) => s.tls?.key));
    }
    warnIfPlainKafkaSecrets(this, `TopicSet ${name}:`, args.kafka);
    // The members delete topics with the cluster's login: kept secret as a whole (no one reads it).
    const brokers = pulumi.unsecret(pulumi.output(args.kafka).apply((k) => k.brokers));
    const kafkaSecurity = pulumi.secret(pulumi.output(args.kafka).apply((k) => kafkaSecurityOf(k)));
    this.members = pulumi.all([args.tables, args.topicPrefix]).apply(([tables, prefix]) =>
      tables.map(
        (table) =>
          new TopicSetMember(
            `${name}-${table}`,
            {
              brokers,
              kafkaSecurity,
              topicPrefix: prefix,
              table,
              topic: tableTopic(prefix, table),
              ownership: this.ownership.apply((o) => o?.[table] ?? "created"),
              retainOnDelete: args.retainOnDelete ?? false,
              deleteAdoptedTopics: args.deleteAdoptedTopics ?? false,
            },
            { parent: this },
          ),
      ),
    );
  }
}
