/**
 * The Kubernetes runtime component under Pulumi's mocks: every object it registers is recorded with
 * its inputs, so the tests assert the manifests that would reach the cluster.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { before, beforeEach, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";

interface Registered {
  type: string;
  name: string;
  inputs: any;
  provider?: string;
}
const registered: Registered[] = [];

// Set before the module under test is loaded, as Pulumi's testing guide does.
const mocksReady = pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
      // Emulates the Kubernetes provider's auto-naming, so references to generated names can be checked.
      const state = args.type.startsWith("kubernetes:") && !args.inputs.metadata?.name
        ? { ...args.inputs, metadata: { ...args.inputs.metadata, name: `${args.name}-1a2b3c4d` } }
        : args.inputs;
      return { id: `${args.name}_id`, state };
    },
    call: (args) => args.inputs,
  },
  "project",
  "stack",
  false,
);
const { KubernetesRuntime }: typeof import("../../../provider/resource-group/kubernetes") = require("../../../provider/resource-group/kubernetes");
const { Provider: K8sProvider }: typeof import("@pulumi/kubernetes") = require("@pulumi/kubernetes");

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r));
const KEY = Buffer.alloc(32, 7).toString("base64");

function baseArgs() {
  return {
    groupName: "orders",
    groupKey: pulumi.secret(KEY),
    brokers: ["10.0.0.5:9092", "10.0.0.6:9092"],
    spec: { cpu: 4, memoryGb: 8 },
    runtime: { namespace: "cdc", image: "registry.example.com/cdc-runtime:1.0.0" },
  };
}

/** Creates the component and waits until every child it registered reached the mock. */
async function create(name: string, args: ConstructorParameters<typeof KubernetesRuntime>[1], opts?: pulumi.ComponentResourceOptions) {
  const component = new KubernetesRuntime(name, args, opts);
  await value(pulumi.all([component.secret.urn, component.deployment.urn, component.podDisruptionBudget.urn]));
  const of = (type: string) => {
    const found = registered.filter((r) => r.type === type && r.name.startsWith(name));
    assert.equal(found.length, 1, `one ${type} registered for ${name}`);
    return found[0];
  };
  return {
    component,
    secret: of("kubernetes:core/v1:Secret"),
    deployment: of("kubernetes:apps/v1:Deployment"),
    pdb: of("kubernetes:policy/v1:PodDisruptionBudget"),
    container: () => of("kubernetes:apps/v1:Deployment").inputs.spec.template.spec.containers[0],
  };
}

const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e]));

describe("KubernetesRuntime", () => {
  before(() => mocksReady);
  beforeEach(() => (registered.length = 0));

  test("registers the component and its three children under it", async () => {
    const { component, secret, deployment, pdb } = await create("defaults", baseArgs());
    assert.ok(registered.some((r) => r.type === "mysql-kafka-cdc:index:KubernetesRuntime" && r.name === "defaults"));
    assert.equal(secret.name, "defaults-group-key");
    assert.equal(deployment.inputs.metadata.name, "cdc-orders");
    assert.equal(deployment.inputs.metadata.namespace, "cdc");
    assert.equal(pdb.inputs.metadata.namespace, "cdc");
    assert.equal(await value(component.namespace), "cdc");
    assert.equal(await value(component.deploymentName), "cdc-orders");
    const urn = await value(component.deployment.urn);
    assert.match(urn, /mysql-kafka-cdc:index:KubernetesRuntime\$kubernetes:apps\/v1:Deployment::defaults-runtime$/);
  });

  test("defaults: 2 replicas, port 8080, rolling one pod at a time, the image's own entrypoint", async () => {
    const { deployment, container } = await create("rollout", baseArgs());
    const spec = deployment.inputs.spec;
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
    assert.equal(spec.template.spec.terminationGracePeriodSeconds, 30);
    const c = container();
    assert.equal(c.image, "registry.example.com/cdc-runtime:1.0.0");
    assert.equal(c.command, undefined);
    assert.equal(c.args, undefined);
    assert.deepEqual(c.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    assert.deepEqual(spec.template.metadata.annotations, {
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "8080",
      "prometheus.io/path": "/metrics",
    });
  });

  test("probes hit /healthz on the named port; liveness is more lenient than readiness", async () => {
    const c = (await create("probes", baseArgs())).container();
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) assert.deepEqual(probe.httpGet, { path: "/healthz", port: "http" });
    const budget = (p: any) => p.initialDelaySeconds + p.periodSeconds * p.failureThreshold;
    assert.ok(budget(c.livenessProbe) > budget(c.readinessProbe), "liveness tolerates longer failures");
    assert.ok(c.livenessProbe.failureThreshold > c.readinessProbe.failureThreshold);
    assert.ok(c.readinessProbe.periodSeconds > 0 && c.readinessProbe.initialDelaySeconds > 0);
  });

  test("resources: requests and limits are the group's spec", async () => {
    assert.deepEqual((await create("spec", baseArgs())).container().resources, {
      requests: { cpu: "4", memory: "8Gi" },
      limits: { cpu: "4", memory: "8Gi" },
    });
    const small = { ...baseArgs(), spec: pulumi.output({ cpu: 0.5, memoryGb: 1.5 }) };
    assert.deepEqual((await create("small", small)).container().resources.limits, { cpu: "0.5", memory: "1.5Gi" });
  });

  test("environment: brokers, group, port, host, log level, worker id, the secrets file's path; no secret", async () => {
    const { component, deployment, container } = await create("env", baseArgs());
    const env = envOf(container());
    assert.deepEqual(Object.keys(env).sort(), ["CDC_GROUP", "CDC_HTTP_HOST", "CDC_HTTP_PORT", "CDC_KAFKA_BROKERS", "CDC_LOG_LEVEL", "CDC_SECRETS_FILE", "CDC_WORKER_ID"]);
    assert.equal(env.CDC_KAFKA_BROKERS.value, "10.0.0.5:9092,10.0.0.6:9092");
    assert.equal(env.CDC_GROUP.value, "orders");
    assert.equal(env.CDC_HTTP_PORT.value, "8080");
    assert.equal(env.CDC_HTTP_HOST.value, "0.0.0.0");
    assert.equal(env.CDC_LOG_LEVEL.value, "info");
    assert.deepEqual(env.CDC_WORKER_ID.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
    assert.equal(env.CDC_SECRETS_FILE.value, "/etc/cdc-secrets/secrets.json");
    // The Secret reaches the pod as a read-only file in /etc/cdc-secrets, readable by its group only.
    const secretName = await value(component.secret.metadata.name);
    assert.equal(secretName, "env-group-key-1a2b3c4d");
    const pod = deployment.inputs.spec.template.spec;
    assert.deepEqual(pod.volumes.find((v: any) => v.name === "secrets"), { name: "secrets", secret: { secretName, defaultMode: 0o440 } });
    assert.deepEqual(container().volumeMounts.find((m: any) => m.name === "secrets"), { name: "secrets", mountPath: "/etc/cdc-secrets", readOnly: true });
    assert.equal(pod.securityContext.fsGroup, 1000);
    assert.ok(!JSON.stringify(deployment.inputs).includes(KEY), "the key never appears in the Deployment");
    assert.equal(await pulumi.isSecret(component.deployment.spec), false, "the Deployment is not tainted by the key");
  });

  test("the Secret holds the key in the runtime's secrets file, and keeps it secret", async () => {
    const { component, secret } = await create("secret", { ...baseArgs(), groupKey: KEY });
    assert.equal(secret.inputs.type, "Opaque");
    // The engine receives stringData wrapped as a secret (Pulumi's wire form), so it is encrypted in state.
    assert.deepEqual(secret.inputs.stringData, {
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: { "secrets.json": `${JSON.stringify({ groupKey: KEY })}\n` },
    });
    assert.equal(secret.inputs.metadata.namespace, "cdc");
    // Even a plain key given by the caller comes out as a secret.
    assert.equal(await pulumi.isSecret(component.secret.stringData), true);
    assert.deepEqual(await value(component.secret.stringData), { "secrets.json": `${JSON.stringify({ groupKey: KEY })}\n` });
  });

  test("the Kafka login (SASL password, TLS key) is in the Secret only, never in the Deployment", async () => {
    const kafkaSecurity = { tls: { ca: "CA-PEM", cert: "CERT-PEM", key: "KEY-PEM-k8s-secret" }, sasl: { mechanism: "scram-sha-256" as const, username: "cdc", password: "sasl-pw-k8s-secret" } };
    const { secret, deployment } = await create("login", { ...baseArgs(), kafkaSecurity: pulumi.secret(kafkaSecurity) });
    const file = JSON.parse(secret.inputs.stringData.value["secrets.json"]);
    assert.deepEqual(file, { groupKey: KEY, kafka: kafkaSecurity });
    const spec = JSON.stringify(deployment.inputs);
    for (const secretValue of ["KEY-PEM-k8s-secret", "sasl-pw-k8s-secret", KEY]) assert.ok(!spec.includes(secretValue), "no secret in the Deployment");
    assert.equal(envOf(deployment.inputs.spec.template.spec.containers[0]).CDC_KAFKA_BROKERS.value, "10.0.0.5:9092,10.0.0.6:9092");
  });

  test("labels: the selector's labels are on the pods, the PDB selects the same pods, extra labels everywhere", async () => {
    const args = { ...baseArgs(), runtime: { ...baseArgs().runtime, labels: { team: "data", "app.kubernetes.io/name": "hijack" } } };
    const { secret, deployment, pdb } = await create("labels", args);
    const selector = { "app.kubernetes.io/name": "mysql-kafka-cdc-runtime", "app.kubernetes.io/instance": "orders" };
    const labels = { team: "data", ...selector };
    assert.deepEqual(deployment.inputs.spec.selector, { matchLabels: selector });
    assert.deepEqual(deployment.inputs.spec.template.metadata.labels, labels);
    for (const [key, v] of Object.entries(selector)) assert.equal(deployment.inputs.spec.template.metadata.labels[key], v);
    for (const object of [secret, deployment, pdb]) assert.deepEqual(object.inputs.metadata.labels, labels);
    assert.deepEqual(pdb.inputs.spec, { minAvailable: 1, selector: { matchLabels: selector } });
    for (const constraint of deployment.inputs.spec.template.spec.topologySpreadConstraints) {
      assert.equal(constraint.whenUnsatisfiable, "ScheduleAnyway");
      assert.deepEqual(constraint.labelSelector, { matchLabels: selector });
    }
    assert.deepEqual(
      deployment.inputs.spec.template.spec.topologySpreadConstraints.map((c: any) => c.topologyKey),
      ["kubernetes.io/hostname", "topology.kubernetes.io/zone"],
    );
  });

  test("security: non-root uid 1000, read-only root, no privilege escalation, no capabilities", async () => {
    const { deployment, container } = await create("security", baseArgs());
    const pod = deployment.inputs.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.runAsUser, 1000);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(container().securityContext, {
      runAsNonRoot: true,
      runAsUser: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  test("given values (as Outputs too): replicas, port, pull policy, log level", async () => {
    const args = {
      ...baseArgs(),
      groupName: pulumi.output("billing"),
      logLevel: "debug",
      runtime: pulumi.output({ namespace: "prod", image: "img:2", replicas: 3, httpPort: 9090, imagePullPolicy: "Always" as const }),
    };
    const { deployment, pdb, container } = await create("given", args);
    assert.equal(deployment.inputs.spec.replicas, 3);
    assert.equal(deployment.inputs.metadata.name, "cdc-billing");
    assert.equal(pdb.inputs.metadata.namespace, "prod");
    const c = container();
    assert.equal(c.imagePullPolicy, "Always");
    assert.equal(c.ports[0].containerPort, 9090);
    assert.equal(envOf(c).CDC_HTTP_PORT.value, "9090");
    assert.equal(envOf(c).CDC_LOG_LEVEL.value, "debug");
    assert.equal(deployment.inputs.spec.template.metadata.annotations["prometheus.io/port"], "9090");
  });

  test("replicas below 2 are rejected, naming the setting", () => {
    for (const replicas of [1, 0, 2.5]) {
      assert.throws(
        () => new KubernetesRuntime(`one-${replicas}`, { ...baseArgs(), runtime: { ...baseArgs().runtime, replicas } }),
        (error: Error) => {
          assert.match(error.message, /^runtime\.kubernetes\.replicas must be a whole number of at least 2 /);
          assert.match(error.message, new RegExp(`got ${replicas}\\.$`));
          return true;
        },
      );
    }
    assert.throws(() => new KubernetesRuntime("nocpu", { ...baseArgs(), spec: { cpu: 0, memoryGb: 8 } }), /spec\.cpu must be a positive number; got 0/);
    assert.equal(registered.length, 0, "nothing was registered");
  });

  test("replicas below 2 given as an Output fail the deployment with the same message", () => {
    // The check then runs inside apply, so the failure surfaces as the Deployment's serialization error,
    // an unhandled rejection that would end this test process: it is watched in a child process instead.
    const script = `
      const pulumi = require("@pulumi/pulumi");
      process.on("unhandledRejection", (error) => { console.log(JSON.stringify(error.message)); process.exit(0); });
      pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false).then(() => {
        const { KubernetesRuntime } = require(${JSON.stringify(require.resolve("../../../provider/resource-group/kubernetes"))});
        new KubernetesRuntime("late", { groupName: "g", groupKey: "k", brokers: ["b:9092"], spec: { cpu: 1, memoryGb: 1 },
          runtime: pulumi.output({ namespace: "n", image: "i", replicas: 1 }) });
      });`;
    const child = spawnSync(process.execPath, ["-e", script], { cwd: __dirname, encoding: "utf8", timeout: 60_000 });
    const message = JSON.parse(child.stdout.split("\n")[0]);
    assert.match(message, /runtime\.kubernetes\.replicas must be a whole number of at least 2 .*got 1\./);
  });

  test("a Kubernetes provider given to the component reaches every child", async () => {
    const provider = new K8sProvider("cluster");
    await create("withprovider", baseArgs(), { providers: [provider] });
    const providerRef = `${await value(provider.urn)}::cluster_id`;
    const children = registered.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith("withprovider"));
    assert.equal(children.length, 3);
    for (const child of children) assert.equal(child.provider, providerRef, child.type);
  });
});
