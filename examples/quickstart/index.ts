/**
 * The quickstart program (the root Pulumi.yaml runs it; `npm run quickstart` drives it).
 *
 * Placeholder until the provider lands: it checks that the test bench's MariaDB and Kafka (started
 * by the quickstart script) answer, through a small dynamic resource, and exports their endpoints.
 * The provider work replaces it with a ResourceGroup (local runtime), a TopicSet and a Connector.
 */
import * as pulumi from "@pulumi/pulumi";

interface EndpointCheckInputs {
  mysqlHost: string;
  mysqlPort: number;
  kafkaBrokers: string[];
}

// Dynamic providers are serialized into the state: they capture no clients; modules are required
// inside the methods.
const endpointCheckProvider: pulumi.dynamic.ResourceProvider<EndpointCheckInputs> = {
  async create(inputs) {
    const net: typeof import("node:net") = require("node:net");
    const reachable = (host: string, port: number) =>
      new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host, port }, () => {
          socket.destroy();
          resolve();
        });
        socket.on("error", (error) => reject(new Error(`${host}:${port} does not answer (${error.message}); run npm run services -- start`)));
      });
    await reachable(inputs.mysqlHost, inputs.mysqlPort);
    for (const broker of inputs.kafkaBrokers) {
      const [host, port] = broker.split(":");
      await reachable(host, Number(port));
    }
    return { id: `${inputs.mysqlHost}:${inputs.mysqlPort}`, outs: { ...inputs, checkedAt: new Date().toISOString() } };
  },
};

class EndpointCheck extends pulumi.dynamic.Resource {
  declare readonly checkedAt: pulumi.Output<string>;
  constructor(name: string, args: { [K in keyof EndpointCheckInputs]: pulumi.Input<EndpointCheckInputs[K]> }) {
    super(endpointCheckProvider, name, { ...args, checkedAt: undefined }, {});
  }
}

const config = new pulumi.Config();
const mysqlPort = config.requireNumber("mysqlPort");
const kafkaBrokers = config.require("kafkaBrokers").split(",");
const check = new EndpointCheck("bench-endpoints", { mysqlHost: "127.0.0.1", mysqlPort, kafkaBrokers });

export const mysql = `127.0.0.1:${mysqlPort}`;
export const kafka = kafkaBrokers.join(",");
export const checkedAt = check.checkedAt;
