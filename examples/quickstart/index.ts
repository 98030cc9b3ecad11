/**
 * The quickstart program (the root Pulumi.yaml runs it; `npm run quickstart` starts the bench's
 * MariaDB and Kafka, creates the demo database `shop`, sets this stack's config and runs it).
 *
 * A resource group whose runtime is a local background process, the topics of two tables, and a
 * connector streaming their changes into them. Both ends are secured as production ones are: the
 * source over TLS, its certificate verified against the bench's CA and its name (localhost), and
 * Kafka over SASL_SSL with SCRAM-SHA-256 (the passwords are stack secrets).
 */
import fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { Connector, ResourceGroup, TopicSet } from "../../provider";

const config = new pulumi.Config();
const kafka = {
  brokers: config.require("kafkaBrokers").split(","),
  region: "cn-hangzhou",
  tls: { ca: fs.readFileSync(config.require("kafkaCaFile"), "utf8") },
  sasl: { mechanism: "scram-sha-256" as const, username: config.require("kafkaUser"), password: config.requireSecret("kafkaPassword") },
};
const source = {
  host: "127.0.0.1",
  port: config.requireNumber("mysqlPort"),
  database: config.get("database") ?? "shop",
  user: config.require("user"),
  password: config.requireSecret("password"),
  // The server's certificate names localhost; the connection goes to 127.0.0.1.
  tls: { mode: "verify-identity" as const, ca: fs.readFileSync(config.require("mysqlCaFile"), "utf8"), serverName: "localhost" },
};
const tables = ["orders", "order_items"];

const group = new ResourceGroup("quickstart", { region: "cn-hangzhou", kafka, runtime: { local: {} } });
const topics = new TopicSet("shop", { kafka, source, tables, topicPrefix: "shop" });
const connector = new Connector("shop-orders", { resourceGroup: group, source, tables, topicPrefix: "shop" }, { dependsOn: [topics] });

export const connectorStatus = connector.status;
export const topicNames = topics.topics;
export const runtimeUrl = group.runtimeUrl;
export const runtimeLog = group.runtimeLogFile;
