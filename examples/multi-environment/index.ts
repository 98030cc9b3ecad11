/**
 * One program for every environment: each stack's Pulumi.<stack>.yaml says where the source and
 * Kafka are, which tables to stream and where the runtime runs (local for dev, Kubernetes for
 * prod). The source password is a per-stack secret read with config.requireSecret.
 * In your program: import { Connector, ResourceGroup, TopicSet } from "pulumi-mysql-kafka-cdc".
 */
import * as pulumi from "@pulumi/pulumi";
import { Connector, ResourceGroup, TopicSet, type ResourceGroupRuntimeArgs } from "../../provider";

const config = new pulumi.Config();
const region = config.require("region");
const kafkaVpcId = config.get("kafkaVpcId");
const sourceVpcId = config.get("sourceVpcId");

const kafka = {
  brokers: config.require("kafkaBrokers").split(","),
  region,
  ...(kafkaVpcId ? { vpc: { vpcId: kafkaVpcId, cidrBlock: config.require("kafkaCidr"), region } } : {}),
  limits: { maxTopics: config.getNumber("maxTopics"), maxPartitions: config.getNumber("maxPartitions") },
};
const source = {
  host: config.require("sourceHost"),
  port: config.requireNumber("sourcePort"),
  database: config.require("sourceDatabase"),
  user: config.require("sourceUser"),
  password: config.requireSecret("sourcePassword"),
  region,
  rdsInstanceId: config.get("rdsInstanceId"),
};
const tables = config.require("tables").split(",");
const topicPrefix = config.require("topicPrefix");

const runtime: ResourceGroupRuntimeArgs =
  config.require("runtime") === "kubernetes"
    ? { kubernetes: { namespace: config.require("namespace"), image: config.require("image"), replicas: config.getNumber("replicas") ?? 2 } }
    : { local: {} };

const group = new ResourceGroup(`cdc-${pulumi.getStack()}`, {
  region,
  kafka,
  ...(sourceVpcId
    ? { sources: [{ vpc: { vpcId: sourceVpcId, cidrBlock: config.require("sourceCidr"), region } }], eniBindings: [{ vpcId: sourceVpcId }] }
    : {}),
  runtime,
});
const topics = new TopicSet("shop", { kafka, source, tables, topicPrefix });
const connector = new Connector(`shop-${pulumi.getStack()}`, { resourceGroup: group, source, tables, topicPrefix }, { dependsOn: [topics] });

export const connectorStatus = connector.status;
export const topicNames = topics.topics;
