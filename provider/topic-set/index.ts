/**
 * TopicSet: one Kafka topic per source table, named <topicPrefix>_<table>, with 6 partitions for a
 * table with a primary key and 1 without (or the counts given). See ./plan for the rules.
 */
import * as pulumi from "@pulumi/pulumi";
import { forwardingProvider } from "../dynamic";
import { withSecretPassword, type Inputs, type KafkaArgs, type SourceArgs } from "../types";

// Serialized into the state: each method only loads the implementation (no clients, no credentials).
const topicSetProvider = forwardingProvider("topic-set/provider");

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
}

export class TopicSet extends pulumi.dynamic.Resource {
  declare readonly topicPrefix: pulumi.Output<string>;
  declare readonly tables: pulumi.Output<string[]>;
  /** Per table, the topic as it exists: { topic, partitions }. */
  declare readonly topics: pulumi.Output<Record<string, { topic: string; partitions: number }>>;
  declare readonly plannedPartitions: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: TopicSetArgs, opts?: pulumi.CustomResourceOptions) {
    const source = withSecretPassword(args.source);
    super(
      topicSetProvider,
      name,
      { ...args, source, topics: undefined, plannedPartitions: undefined, stateVersion: undefined },
      opts,
      "mysql-kafka-cdc:index",
      "TopicSet",
    );
  }
}
