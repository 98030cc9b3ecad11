/**
 * The runtime on Kubernetes: the ResourceGroup creates a Secret with the group key, a Deployment of
 * the runtime image (built from runtime/Dockerfile) with liveness/readiness probes on /healthz,
 * the group's spec as requests and limits, and 2+ replicas that share the connectors for failover.
 *
 *   docker build -f runtime/Dockerfile -t registry.example.com/mysql-kafka-cdc-runtime:0.1.0 .
 *   pulumi config set image registry.example.com/mysql-kafka-cdc-runtime:0.1.0
 *   pulumi config set kafkaBrokers 10.0.0.5:9092     # reachable from the pods
 *   pulumi config set --secret sourcePassword ...
 *   pulumi config set renderDirectory ./rendered     # optional: write YAML instead of applying
 *
 * With renderDirectory set, a kubernetes Provider with renderYamlToDirectory writes the manifests
 * there (apply them with kubectl) instead of talking to a cluster.
 * In your program: import { Connector, ResourceGroup, TopicSet } from "pulumi-mysql-kafka-cdc".
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Connector, ResourceGroup, TopicSet } from "../../provider";

const config = new pulumi.Config();
const renderDirectory = config.get("renderDirectory");
const k8sProvider = renderDirectory ? new k8s.Provider("render", { renderYamlToDirectory: renderDirectory }) : undefined;

const kafka = { brokers: config.require("kafkaBrokers").split(","), region: "cn-hangzhou" };
const source = {
  host: config.require("sourceHost"),
  database: config.require("sourceDatabase"),
  user: config.require("sourceUser"),
  password: config.requireSecret("sourcePassword"),
};
const tables = config.require("tables").split(",");

const group = new ResourceGroup(
  "k8s",
  {
    region: "cn-hangzhou",
    kafka,
    spec: { cpu: 2, memoryGb: 4 },
    runtime: { kubernetes: { namespace: config.get("namespace") ?? "cdc", image: config.require("image"), replicas: 2 } },
  },
  k8sProvider ? { providers: { kubernetes: k8sProvider } } : undefined,
);
const topics = new TopicSet("shop", { kafka, source, tables, topicPrefix: "shop" });
export const connectorStatus = new Connector("shop-k8s", { resourceGroup: group, source, tables, topicPrefix: "shop" }, { dependsOn: [topics] }).status;
export const deployment = group.kubernetes?.deploymentName;
