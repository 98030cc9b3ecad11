/**
 * The plain (resolved) shapes of the resources' inputs. The resource classes accept the same shapes
 * with every field a pulumi.Input (see Inputs<T>); the dynamic providers receive these.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { KafkaSasl, KafkaTls } from "../runtime/contract/kafka-security";
import type { TlsMode } from "../runtime/contract/tls";

/** Deeply turns a plain shape into the shape a Pulumi program may give (Inputs and Outputs). */
export type Inputs<T> = T extends string | number | boolean
  ? pulumi.Input<T>
  : T extends (infer E)[]
    ? pulumi.Input<Inputs<E>[]>
    : T extends object
      ? pulumi.Input<{ [K in keyof T]: Inputs<T[K]> }>
      : pulumi.Input<T>;

/** A VPC as the network checks see it; wire it from @pulumi/alicloud outputs (vpc.id, vpc.cidrBlock). */
export interface VpcArgs {
  vpcId: string;
  /** IPv4 CIDR block, e.g. "172.16.0.0/12". */
  cidrBlock: string;
  /** Region id, e.g. "cn-hangzhou". */
  region: string;
}

/** The Kafka instance the connectors write to. */
export interface KafkaArgs {
  /** Bootstrap servers, host:port. */
  brokers: string[];
  /** The instance id, for display (e.g. "alikafka_post-cn-..."). */
  instanceId?: string;
  /** The instance's region; it must be one the connector supports. */
  region?: string;
  /** The instance's VPC (for the network checks). */
  vpc?: VpcArgs;
  /** The instance's declared capacity; TopicSet checks what exists plus what it creates against it. */
  limits?: { maxTopics?: number; maxPartitions?: number };
  /**
   * TLS to the brokers (SSL or SASL_SSL endpoints): true checks them against the CAs Node trusts;
   * { ca } against the cluster's CA (e.g. ApsaraMQ's published CA file, with verifyHostname false).
   */
  tls?: boolean | KafkaTls;
  /** SASL login: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. The password is kept secret. */
  sasl?: KafkaSasl;
}

/** TLS to the source (see runtime/contract/tls.ts for the modes). */
export interface SourceTlsArgs {
  /** Default "required", or "verify-identity" when a CA is given ("verify-ca" for an IP address without serverName). */
  mode?: TlsMode;
  /** The CA bundle (PEM text), e.g. the RDS CA file: fs.readFileSync("ApsaraDB-CA-Chain.pem", "utf8"). */
  ca?: string;
  /** A client certificate (PEM), for an account created REQUIRE X509; with its key. */
  cert?: string;
  /** The client certificate's private key (PEM); kept secret. */
  key?: string;
  /** The name the server's certificate holds, when host is an address or another name. */
  serverName?: string;
}

/** The source database, as the Connector and TopicSet read it. */
export interface SourceArgs {
  host: string;
  /** Default 3306. */
  port?: number;
  database: string;
  /** The account the connector reads with. */
  user: string;
  /** A secret: give it with config.requireSecret or pulumi.secret. */
  password: string;
  /** The source's region (default: the Kafka region). */
  region?: string;
  /** The RDS instance id, for display. */
  rdsInstanceId?: string;
  /** Offset used to read DATETIME/DATE values, e.g. "+08:00". Default "+00:00". */
  timezone?: string;
  /** TLS to the server; without it, "required" (encrypted, the server not verified). Give { mode: "disabled" } for none. */
  tls?: SourceTlsArgs;
}

/** A CEN (Cloud Enterprise Network) instance as the cross-region check sees it. */
export interface CenArgs {
  cenId: string;
  /** Ids of the VPCs attached to the CEN. */
  attachedVpcIds: string[];
  /** Cross-region bandwidth packages: the two regions and the bandwidth in Mbps. */
  bandwidths: { regions: string[]; mbps: number }[];
}

/** One source network the group must reach: its VPC, and the ENI bound in it (same region). */
export interface SourceNetworkArgs {
  vpc: VpcArgs;
}

/** ENI bindings of the group (at most 2). */
export interface EniBindingArgs {
  vpcId: string;
  vswitchId?: string;
}

export interface LocalRuntimeArgs {
  /** Directory for the runtime's pid file and log (default: $CDC_CACHE_DIR or ~/.cache/mysql-kafka-cdc, then local-runtime/<group>). */
  workDir?: string;
  /** Port of /healthz and /metrics (default: a free port picked at start). */
  httpPort?: number;
  /** Log level of the runtime (default info). */
  logLevel?: "debug" | "info" | "warn" | "error";
}

export interface KubernetesRuntimeArgs {
  namespace: string;
  /** The runtime image (built from runtime/Dockerfile). */
  image: string;
  /** At least 2 for failover (default 2). */
  replicas?: number;
  /** Port of /healthz and /metrics inside the pod (default 8080). */
  httpPort?: number;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** Extra labels on every object. */
  labels?: Record<string, string>;
}

export type RuntimeTargetArgs = { local: LocalRuntimeArgs; kubernetes?: undefined } | { kubernetes: KubernetesRuntimeArgs; local?: undefined };

/** Pulumi's marker for a value not known during preview (inputs that depend on outputs). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value, or anything inside it, is not known yet (preview). */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** A check failure, as pulumi.dynamic.CheckFailure: the property and what is wrong with it. */
export interface CheckFailure {
  property: string;
  reason: string;
}
