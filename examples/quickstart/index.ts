/**
 * The quickstart program (the root Pulumi.yaml runs it; `npm run quickstart` starts the bench's
 * MariaDB and Kafka, creates the demo database `shop`, sets this stack's config and runs it).
 *
 * A resource group whose runtime is a local background process, the topics of two tables, and a
 * connector streaming their changes into them.
 */
import * as pulumi from "@pulumi/pulumi";
import { Connector, ResourceGroup, TopicSet } from "../../provider";

const config = new pulumi.Config();
const kafka = { brokers: config.require("kafkaBrokers").split(","), region: "cn-hangzhou" };
const source = {
  host: "127.0.0.1",
  port: config.requireNumber("mysqlPort"),
  database: config.get("database") ?? "shop",
  user: config.require("user"),
  password: config.requireSecret("password"),
};
const tables = ["orders", "order_items"];

const group = new ResourceGroup("quickstart", { region: "cn-hangzhou", kafka, runtime: { local: {} } });
const topics = new TopicSet("shop", { kafka, source, tables, topicPrefix: "shop" });
const connector = new Connector("shop-orders", { resourceGroup: group, source, tables, topicPrefix: "shop" }, { dependsOn: [topics] });

export const connectorStatus = connector.status;
export const topicNames = topics.topics;
export const runtimeUrl = group.runtimeUrl;
export const runtimeLog = group.runtimeLogFile;
