/**
 * Secured endpoints, as production has them:
 *   - the source is an RDS for MySQL instance with SSL enabled: TLS verify-identity against the
 *     CA bundle downloaded from the RDS console (a file path in stack config, read here);
 *   - Kafka is an ApsaraMQ for Kafka instance's SSL endpoint (port 9093): SASL_SSL with
 *     SCRAM-SHA-256 (or PLAIN), its CA file, and the hostname check off, as ApsaraMQ's own client
 *     guides set it (its certificates do not name the brokers' addresses).
 * Passwords are per-stack secrets:
 *   pulumi config set --secret sourcePassword <password>
 *   pulumi config set --secret kafkaPassword <password>
 * In your program: import { Connector, ResourceGroup, TopicSet } from "pulumi-mysql-kafka-cdc".
 */
import fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { Connector, ResourceGroup, TopicSet } from "../../provider";

const config = new pulumi.Config();
const region = config.get("region") ?? "cn-hangzhou";

const kafka = {
  // e.g. alikafka-post-cn-xxx-1.alikafka.aliyuncs.com:9093,...
  brokers: config.require("kafkaBrokers").split(","),
  region,
  tls: {
    // ApsaraMQ's CA ("only-4096-ca-cert" from its documentation), as PEM text.
    ca: fs.readFileSync(config.require("kafkaCaFile"), "utf8"),
    verifyHostname: config.getBoolean("kafkaVerifyHostname") ?? false,
  },
  sasl: {
    mechanism: (config.get("kafkaMechanism") ?? "scram-sha-256") as "plain" | "scram-sha-256" | "scram-sha-512",
    username: config.require("kafkaUser"),
    password: config.requireSecret("kafkaPassword"),
  },
};

const source = {
  // The RDS endpoint, e.g. rm-xxx.mysql.rds.aliyuncs.com: verify-identity checks the server's
  // certificate names it. Reached by an IP address instead, give the name as serverName.
  host: config.require("sourceHost"),
  port: config.getNumber("sourcePort") ?? 3306,
  database: config.require("sourceDatabase"),
  user: config.require("sourceUser"),
  password: config.requireSecret("sourcePassword"),
  region,
  rdsInstanceId: config.get("rdsInstanceId"),
  tls: {
    mode: "verify-identity" as const,
    // The RDS CA bundle (ApsaraDB-CA-Chain.pem from the RDS console), as PEM text.
    ca: fs.readFileSync(config.require("sourceCaFile"), "utf8"),
    serverName: config.get("sourceServerName"),
  },
};
const tables = (config.get("tables") ?? "orders").split(",");
const topicPrefix = config.get("topicPrefix") ?? "secured";

const group = new ResourceGroup("secured", { region, kafka, runtime: { local: {} } });
const topics = new TopicSet("secured", { kafka, source, tables, topicPrefix });
const connector = new Connector("secured-orders", { resourceGroup: group, source, tables, topicPrefix }, { dependsOn: [topics] });

export const connectorStatus = connector.status;
export const topicNames = topics.topics;
