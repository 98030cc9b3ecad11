/**
 * The Kubernetes target of a resource group's runtime: a Secret holding the group key and the Kafka
 * login (mounted as the runtime's CDC_SECRETS_FILE, never in the Deployment's spec), a Deployment of
 * the runtime image (runtime/Dockerfile) and a PodDisruptionBudget. The workers share the group's
 * connectors through Kafka leases (runtime/control/lease.ts): each connector runs on one replica,
 * connectors spread over the replicas, and another replica takes over from a dead one within the
 * lease session timeout, so two or more replicas give failover without any other state.
 *
 * A Kubernetes provider given to the component (opts.provider / opts.providers) reaches the children
 * because each is created with `{ parent: this }`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KafkaSecurity } from "../../runtime/contract/kafka-security";
import { serializeRuntimeSecrets } from "../../runtime/contract/runtime-secrets";
import type { Inputs, KubernetesRuntimeArgs } from "../types";
import { DEFAULT_GROUP_SPEC } from "./group-plan";

export interface KubernetesRuntimeComponentArgs {
  groupName: pulumi.Input<string>;
  /** The group's key, base64 of 32 bytes (a secret); it only ever reaches the pods through the Secret. */
  groupKey: pulumi.Input<string>;
  brokers: pulumi.Input<pulumi.Input<string>[]>;
  /** The cluster's TLS and SASL (a secret); like the key, it only reaches the pods through the Secret. */
  kafkaSecurity?: pulumi.Input<KafkaSecurity | undefined>;
  /** The group's spec; each pod requests (and is limited to) it. Default 4 vCPU / 8 GB. */
  spec: pulumi.Input<{ cpu: number; memoryGb: number }>;
  runtime: Inputs<KubernetesRuntimeArgs>;
  /** debug, info (default), warn or error. */
  logLevel?: pulumi.Input<string>;
}

export const DEFAULT_REPLICAS = 2;
export const DEFAULT_HTTP_PORT = 8080;
/** The image's USER node (uid/gid 1000); stated in the pod too so runAsNonRoot can be verified. */
const RUNTIME_UID = 1000;
/** Where the Secret is mounted, and its key: the runtime's CDC_SECRETS_FILE. */
const SECRETS_DIR = "/etc/cdc-secrets";
const SECRETS_KEY = "secrets.json";

/** Throws unless `replicas` can fail over: one pod would leave the group down during every restart. */
export function checkReplicas(replicas: number): number {
  if (!Number.isInteger(replicas) || replicas < 2) {
    throw new Error(`runtime.kubernetes.replicas must be a whole number of at least 2 so a worker can take over when another stops; got ${replicas}.`);
  }
  return replicas;
}

/** Throws unless the spec is usable as Kubernetes resource quantities. */
export function checkSpec(spec: { cpu: number; memoryGb: number }): { cpu: number; memoryGb: number } {
  for (const key of ["cpu", "memoryGb"] as const) {
    if (typeof spec[key] !== "number" || !Number.isFinite(spec[key]) || spec[key] <= 0) {
      throw new Error(`the resource group's spec.${key} must be a positive number; got ${JSON.stringify(spec[key])}.`);
    }
  }
  return spec;
}

/** A field of an input when it is already a plain value, so bad values fail at once rather than at deploy. */
function plainField(input: unknown, key: string): unknown {
  if (!input || typeof input !== "object" || pulumi.Output.isInstance(input) || input instanceof Promise) return undefined;
  return (input as Record<string, unknown>)[key];
}

export class KubernetesRuntime extends pulumi.ComponentResource {
  readonly secret: k8s.core.v1.Secret;
  readonly deployment: k8s.apps.v1.Deployment;
  readonly podDisruptionBudget: k8s.policy.v1.PodDisruptionBudget;
  readonly namespace: pulumi.Output<string>;
  readonly deploymentName: pulumi.Output<string>;

  /**
   * `name` also prefixes the Secret's generated Kubernetes name, so keep it a DNS label
   * (lowercase letters, digits and '-').
   */
  constructor(name: string, args: KubernetesRuntimeComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    // Plain values are checked before anything is registered; values that are Outputs are checked in apply below.
    const plainReplicas = plainField(args.runtime, "replicas");
    if (typeof plainReplicas === "number") checkReplicas(plainReplicas);
    if (plainField(args.spec, "cpu") !== undefined) checkSpec(args.spec as { cpu: number; memoryGb: number });
    super("mysql-kafka-cdc:index:KubernetesRuntime", name, {}, opts);

    const runtime = pulumi.output(args.runtime);
    const groupName = pulumi.output(args.groupName);
    const namespace = runtime.namespace;
    const httpPort = runtime.apply((r) => r.httpPort ?? DEFAULT_HTTP_PORT);
    const spec = pulumi.output(args.spec).apply((s) => checkSpec(s ?? DEFAULT_GROUP_SPEC));
    // The selector holds only labels fixed for the group's life: a Deployment's selector is immutable.
    const selector = groupName.apply((group) => ({ "app.kubernetes.io/name": "mysql-kafka-cdc-runtime", "app.kubernetes.io/instance": group }));
    // Extra labels go first so they cannot take over the selector's keys.
    const labels = pulumi.all([runtime, selector]).apply(([r, s]) => ({ ...(r.labels ?? {}), ...s }));
    const resources = spec.apply((s) => {
      // Requests equal limits (Guaranteed QoS): the group's spec is what the vendor's group is sized to.
      const quantities = { cpu: String(s.cpu), memory: `${s.memoryGb}Gi` };
      return { requests: quantities, limits: quantities };
    });

    // Auto-named, and Secrets are replaced rather than edited by default (enableSecretMutable): a new key
    // gives a new Secret name, which changes the pod template and so rolls the pods onto the new key.
    this.secret = new k8s.core.v1.Secret(
      `${name}-group-key`,
      {
        metadata: { namespace, labels },
        type: "Opaque",
        stringData: {
          [SECRETS_KEY]: pulumi.secret(pulumi.all([args.groupKey, args.kafkaSecurity]).apply(([groupKey, kafka]) => serializeRuntimeSecrets({ groupKey, kafka: kafka ?? undefined }))),
        },
      },
      { parent: this, additionalSecretOutputs: ["data", "stringData"] },
    );

    const probe = (timing: { initialDelaySeconds: number; periodSeconds: number; timeoutSeconds: number; failureThreshold: number }) => ({
      httpGet: { path: "/healthz", port: "http" },
      ...timing,
    });
    // Named from the group (already a DNS label, see groupNameProblem) so operators can find it.
    const deploymentName = groupName.apply((group) => `cdc-${group}`);

    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-runtime`,
      {
        metadata: { name: deploymentName, namespace, labels },
        spec: {
          replicas: runtime.apply((r) => checkReplicas(r.replicas ?? DEFAULT_REPLICAS)),
          selector: { matchLabels: selector },
          // One pod at a time, starting its replacement first, so a rollout never drops the group below
          // replicas - 1 workers and the leases move over at most once per pod.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
          template: {
            metadata: {
              labels,
              annotations: {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": httpPort.apply(String),
                "prometheus.io/path": "/metrics",
              },
            },
            spec: {
              // The runtime talks only to MySQL and Kafka: no API token, no service env vars.
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              // SIGTERM stops the worker (releasing its leases after the in-flight transaction) within this.
              terminationGracePeriodSeconds: 30,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: RUNTIME_UID,
                runAsGroup: RUNTIME_UID,
                fsGroup: RUNTIME_UID,
                seccompProfile: { type: "RuntimeDefault" },
              },
              // Preferred, not required: a single-node cluster still runs every replica.
              topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
                maxSkew: 1,
                topologyKey,
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
              })),
              containers: [
                {
                  name: "runtime",
                  image: runtime.image,
                  imagePullPolicy: runtime.imagePullPolicy,
                  // No command/args: the image's entrypoint (node dist/runtime/main.js) is the runtime.
                  env: [
                    { name: "CDC_KAFKA_BROKERS", value: pulumi.output(args.brokers).apply((b) => b.join(",")) },
                    { name: "CDC_GROUP", value: groupName },
                    { name: "CDC_HTTP_PORT", value: httpPort.apply(String) },
                    { name: "CDC_HTTP_HOST", value: "0.0.0.0" },
                    { name: "CDC_LOG_LEVEL", value: pulumi.output(args.logLevel ?? "info") },
                    // The pod name: unique per worker and what `kubectl` shows, so status records map to pods.
                    { name: "CDC_WORKER_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                    // The Secret, as a read-only file: no secret is in the pod's environment or spec.
                    { name: "CDC_SECRETS_FILE", value: `${SECRETS_DIR}/${SECRETS_KEY}` },
                  ],
                  ports: [{ name: "http", containerPort: httpPort, protocol: "TCP" }],
                  resources,
                  // /healthz is 503 until the configs present at start are applied (Kafka reachable):
                  // the startup probe gives that up to 5 minutes before liveness may restart the pod.
                  startupProbe: probe({ initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 }),
                  // Readiness reacts fast (30 s); liveness only restarts a pod unresponsive for 2 minutes.
                  readinessProbe: probe({ initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
                  livenessProbe: probe({ initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 }),
                  securityContext: {
                    runAsNonRoot: true,
                    runAsUser: RUNTIME_UID,
                    readOnlyRootFilesystem: true,
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                  },
                  // The root filesystem is read-only; Node and native modules may still want a scratch /tmp.
                  volumeMounts: [
                    { name: "tmp", mountPath: "/tmp" },
                    { name: "secrets", mountPath: SECRETS_DIR, readOnly: true },
                  ],
                },
              ],
              volumes: [
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                // Readable by the runtime's group only (the pod's fsGroup owns the files).
                { name: "secrets", secret: { secretName: this.secret.metadata.name, defaultMode: 0o440 } },
              ],
            },
          },
        },
      },
      { parent: this },
    );

    // Voluntary evictions (node drains, upgrades) keep one worker running; with 2+ replicas that still
    // lets a drain proceed one pod at a time.
    this.podDisruptionBudget = new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      {
        metadata: { name: deploymentName, namespace, labels },
        spec: { minAvailable: 1, selector: { matchLabels: selector } },
      },
      { parent: this },
    );

    this.namespace = this.deployment.metadata.namespace;
    this.deploymentName = this.deployment.metadata.name;
    this.registerOutputs({ namespace: this.namespace, deploymentName: this.deploymentName });
  }
}
