/** Kafka access for the dynamic providers: one client per call, through the runtime's adapters, over the cluster's declared TLS and SASL. */
import type { Kafka } from "kafkajs";
import { kafkaSecurityOf } from "../runtime/contract/kafka-security";
import { createKafka } from "../runtime/sink/kafka-client";
import { KafkaAdmin } from "../runtime/sink/admin";
import { unsupportedBrokerProblem } from "../runtime/sink/broker-api-versions";
import { CdcError } from "../runtime/errors";
import { kafkaFailure } from "./diagnostics";
import type { CheckFailure } from "./types";
import type { KafkaArgs } from "./types";

/** What the provider needs to reach a cluster: its brokers and, when secured, its tls and sasl. */
export type KafkaAccess = Pick<KafkaArgs, "brokers" | "tls" | "sasl">;

export function providerKafka(kafka: KafkaAccess, purpose: string): Kafka {
  return createKafka({ brokers: kafka.brokers, clientId: `pulumi-mysql-kafka-cdc-${purpose}`, security: kafkaSecurityOf(kafka) });
}

/** Runs fn with a connected admin client and always disconnects it. */
export async function withAdmin<T>(kafka: KafkaAccess, fn: (admin: KafkaAdmin, kafka: Kafka) => Promise<T>): Promise<T> {
  const client = providerKafka(kafka, "admin");
  const admin = await KafkaAdmin.connect(client);
  try {
    return await fn(admin, client);
  } finally {
    await admin.disconnect();
  }
}

/** check's failure for a cluster too old for the connector (runtime/sink/broker-features.ts); none when it qualifies or cannot be reached. */
export async function brokerVersionFailures(kafka: KafkaAccess): Promise<CheckFailure[]> {
  const problem = await unsupportedBrokerProblem(kafka.brokers, kafkaSecurityOf(kafka));
  return problem ? [kafkaFailure(new CdcError("KAFKA_BROKER_UNSUPPORTED", `${problem}.`))] : [];
}
