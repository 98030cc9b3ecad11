/**
 * Cross-region: the source database is in cn-beijing, the Kafka instance (and so the resource
 * group) in cn-hangzhou. The group reaches the source only through a CEN (Cloud Enterprise
 * Network) with both VPCs attached and bandwidth for the region pair; the checks run in preview.
 *
 *   pulumi config set scenario passes   # a CEN with both VPCs and cn-beijing <-> cn-hangzhou bandwidth
 *   pulumi config set scenario fails    # the same CEN without the bandwidth package: preview fails with
 *     cen.bandwidths: no cross-region bandwidth between cn-beijing and cn-hangzhou ...
 *
 * The networks are plain inputs: in a real program wire them from @pulumi/alicloud outputs, e.g.
 * `{ vpcId: vpc.id, cidrBlock: vpc.cidrBlock, region: "cn-beijing" }` and the CEN's
 * `alicloud.cen.Instance` / `InstanceAttachment` / `BandwidthPackage` outputs.
 * In your program: import { ResourceGroup } from "pulumi-mysql-kafka-cdc".
 */
import * as pulumi from "@pulumi/pulumi";
import { ResourceGroup } from "../../provider";

const config = new pulumi.Config();
const scenario = config.get("scenario") ?? "passes";

const kafkaVpc = { vpcId: "vpc-kafka-hz", cidrBlock: "172.16.0.0/16", region: "cn-hangzhou" };
const sourceVpc = { vpcId: "vpc-rds-bj", cidrBlock: "192.168.0.0/16", region: "cn-beijing" };
const cen = {
  cenId: "cen-shop",
  attachedVpcIds: [kafkaVpc.vpcId, sourceVpc.vpcId],
  bandwidths: scenario === "passes" ? [{ regions: ["cn-beijing", "cn-hangzhou"], mbps: 10 }] : [],
};

const group = new ResourceGroup("cross-region", {
  region: "cn-hangzhou",
  kafka: { brokers: config.require("kafkaBrokers").split(","), region: "cn-hangzhou", vpc: kafkaVpc },
  sources: [{ vpc: sourceVpc }],
  cen,
  runtime: { local: {} },
});

export const groupName = group.groupName;
