/**
 * pulumi-mysql-kafka-cdc: what a Pulumi program imports.
 *
 *   const group = new ResourceGroup("cdc", { region: "cn-hangzhou", kafka, runtime: { local: {} } });
 *   const topics = new TopicSet("orders", { kafka, source, tables: ["orders"], topicPrefix: "shop" });
 *   new Connector("orders", { resourceGroup: group, source, tables: ["orders"], topicPrefix: "shop" }, { dependsOn: [topics] });
 */
export const packageName = "pulumi-mysql-kafka-cdc";
export { ResourceGroup, type ResourceGroupArgs, type ResourceGroupRuntimeArgs } from "./resource-group";
export { KubernetesRuntime, type KubernetesRuntimeComponentArgs } from "./resource-group/kubernetes";
export { TopicSet, type TopicSetArgs } from "./topic-set";
export { Connector, type ConnectorArgs, type ConnectorGroupRef } from "./connector";
export { SUPPORTED_REGIONS, MAX_CONNECTORS_PER_GROUP, MAX_ENI_BINDINGS } from "./resource-group/network";
export type * from "./types";
