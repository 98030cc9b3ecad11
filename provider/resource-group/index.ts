/**
 * ResourceGroup: the pool that runs connectors (the vendor's exclusive resource group: 4 vCPU /
 * 8 GB, at most 3 connectors, at most 2 VPC ENI bindings). It checks the networks in preview,
 * creates the group's internal topics and its key (a secret), and runs the runtime: a Kubernetes
 * Deployment or a supervised local process.
 */
import * as pulumi from "@pulumi/pulumi";
import type { GroupTopics } from "../../runtime/contract/names";
import { kafkaSecurityOf } from "../../runtime/contract/kafka-security";
import { ForwardingResource } from "../dynamic";
import { KAFKA_SECRET_PATHS, withSecretFields } from "../secret-fields";
import { warnIfPlainKafkaSecrets } from "../secret-inputs";
import type { CenArgs, EniBindingArgs, Inputs, KafkaArgs, KubernetesRuntimeArgs, LocalRuntimeArgs, SourceNetworkArgs } from "../types";
import { RESOURCE_GROUP_SHAPE, unknownPropertyFailures } from "../properties";
import { DEFAULT_GROUP_SPEC } from "./group-plan";
import { KubernetesRuntime } from "./kubernetes";

class GroupCore extends ForwardingResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly groupKey: pulumi.Output<string>;
  declare readonly topics: pulumi.Output<GroupTopics>;
  declare readonly kafka: pulumi.Output<KafkaArgs>;
  constructor(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super("resource-group/group-provider", "ResourceGroupCore", name, { ...args, groupKey: undefined, topics: undefined, stateVersion: undefined }, { ...opts, additionalSecretOutputs: ["groupKey"] });
  }
}

class LocalRuntime extends ForwardingResource {
  declare readonly url: pulumi.Output<string>;
  declare readonly logFile: pulumi.Output<string>;
  declare readonly pid: pulumi.Output<number>;
  constructor(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    const outputs = { pid: undefined, hostname: undefined, port: undefined, url: undefined, logFile: undefined, runDir: undefined, running: undefined, stateVersion: undefined };
    super("resource-group/local-runtime", "LocalRuntime", name, { ...args, ...outputs }, { ...opts, additionalSecretOutputs: ["groupKey", "kafkaSecurity"] });
  }
}

export type ResourceGroupRuntimeArgs = { local: Inputs<LocalRuntimeArgs> } | { kubernetes: Inputs<KubernetesRuntimeArgs> };

export interface ResourceGroupArgs {
  /** The group's name (default: the resource name): 1-48 digits, lowercase letters, hyphens. */
  name?: pulumi.Input<string>;
  /** The group's region = the Kafka instance's region; one of the supported regions. */
  region: pulumi.Input<string>;
  kafka: Inputs<KafkaArgs>;
  /** The source databases' networks, for the ENI/CEN/CIDR checks. */
  sources?: Inputs<SourceNetworkArgs[]>;
  /** VPC ENI bindings (at most 2); a same-region source needs one in its VPC. */
  eniBindings?: Inputs<EniBindingArgs[]>;
  /** The CEN that connects other regions' sources. */
  cen?: Inputs<CenArgs>;
  /** Default 4 vCPU / 8 GB. */
  spec?: Inputs<{ cpu: number; memoryGb: number }>;
  /** Replication factor of the internal topics (default: the broker's default). */
  replicationFactor?: pulumi.Input<number>;
  /** Where the runtime runs. */
  runtime: ResourceGroupRuntimeArgs;
  logLevel?: pulumi.Input<"debug" | "info" | "warn" | "error">;
}

export class ResourceGroup extends pulumi.ComponentResource {
  /** The group's name. A Connector depends on the whole group (its runtime included) before it deploys. */
  readonly groupName: pulumi.Output<string>;
  /** base64 of 32 random bytes (a secret): encrypts the connectors' passwords. */
  readonly groupKey: pulumi.Output<string>;
  readonly kafka: pulumi.Output<KafkaArgs>;
  readonly topics: pulumi.Output<GroupTopics>;
  /** The local runtime's http://127.0.0.1:<port> (/healthz, /metrics); undefined on Kubernetes. */
  readonly runtimeUrl: pulumi.Output<string | undefined>;
  readonly runtimeLogFile: pulumi.Output<string | undefined>;
  readonly kubernetes?: KubernetesRuntime;

  constructor(name: string, args: ResourceGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mysql-kafka-cdc:index:ResourceGroup", name, {}, opts);
    const spec = args.spec ?? DEFAULT_GROUP_SPEC;
    // What the core is not given (the runtime's arguments, misspelt ones) is judged here; its check reports it.
    const argumentFailures = unknownPropertyFailures({ ...args, kafka: undefined, sources: undefined, eniBindings: undefined, cen: undefined, spec: undefined }, RESOURCE_GROUP_SHAPE, "ResourceGroup");
    const runtimeArgs = (args.runtime ?? {}) as { local?: unknown; kubernetes?: unknown };
    const target = runtimeArgs.local ? "local" : runtimeArgs.kubernetes ? "kubernetes" : undefined;
    if (!target || (runtimeArgs.local && runtimeArgs.kubernetes)) {
      argumentFailures.push({ property: "runtime", reason: "must be { local: {...} } (a process on this machine) or { kubernetes: {...} } (a Deployment), one of them" });
    }
    warnIfPlainKafkaSecrets(this, `ResourceGroup ${name}:`, args.kafka);
    const core = new GroupCore(
      `${name}-core`,
      {
        name: args.name ?? name,
        region: args.region,
        kafka: withSecretFields(args.kafka, KAFKA_SECRET_PATHS),
        sources: args.sources,
        eniBindings: args.eniBindings,
        cen: args.cen,
        spec,
        replicationFactor: args.replicationFactor,
        argumentFailures,
      },
      { parent: this },
    );
    // The core's kafka output is secret as a whole (it holds the SASL password): the brokers are not.
    const brokers = pulumi.unsecret(core.kafka.apply((k) => k.brokers));
    const kafkaSecurity = pulumi.secret(core.kafka.apply((k) => kafkaSecurityOf(k)));
    if (target === "local" && "local" in args.runtime && args.runtime.local) {
      const local = pulumi.output(args.runtime.local);
      const runtime = new LocalRuntime(
        `${name}-runtime`,
        {
          groupName: core.name,
          groupKey: core.groupKey,
          brokers,
          kafkaSecurity,
          workDir: local.apply((l) => l.workDir),
          httpPort: local.apply((l) => l.httpPort),
          logLevel: args.logLevel ?? local.apply((l) => l.logLevel),
        },
        { parent: this },
      );
      this.runtimeUrl = runtime.url;
      this.runtimeLogFile = runtime.logFile;
    } else if (target === "kubernetes" && "kubernetes" in args.runtime && args.runtime.kubernetes) {
      this.kubernetes = new KubernetesRuntime(
        `${name}-runtime`,
        { groupName: core.name, groupKey: core.groupKey, brokers, kafkaSecurity, spec: pulumi.output(spec), runtime: args.runtime.kubernetes, logLevel: args.logLevel },
        { parent: this },
      );
      this.runtimeUrl = pulumi.output(undefined);
      this.runtimeLogFile = pulumi.output(undefined);
    } else {
      // The core's check refuses the group (argumentFailures): preview stops there.
      this.runtimeUrl = pulumi.output(undefined);
      this.runtimeLogFile = pulumi.output(undefined);
    }
    // Not tied to the runtime's outputs: a runtime update would make the name unknown in preview and
    // show every Connector as replaced. Connectors depend on the whole group (dependsOn) instead.
    this.groupName = core.name;
    this.groupKey = pulumi.secret(core.groupKey);
    this.kafka = withSecretFields(core.kafka, KAFKA_SECRET_PATHS);
    this.topics = core.topics;
    this.registerOutputs({ groupName: this.groupName, topics: this.topics, runtimeUrl: this.runtimeUrl });
  }
}
