/** Kafka access for the dynamic providers: one client per call, through the runtime's adapters, over the cluster's declared TLS and SASL. */
import type { Kafka } from "kafkajs";
import { kafkaSecurityOf } from "../runtime/contract/kafka-security";
import { createKafka } from "../runtime/sink/kafka-client";
import { KafkaAdmin } from "../runtime/sink/admin";
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
