/** Kafka access for the dynamic providers: one client per call, through the runtime's adapters. */
import type { Kafka } from "kafkajs";
import { createKafka } from "../runtime/sink/kafka-client";
import { KafkaAdmin } from "../runtime/sink/admin";

export function providerKafka(brokers: string[], purpose: string): Kafka {
  return createKafka({ brokers, clientId: `pulumi-mysql-kafka-cdc-${purpose}` });
}

/** Runs fn with a connected admin client and always disconnects it. */
export async function withAdmin<T>(brokers: string[], fn: (admin: KafkaAdmin, kafka: Kafka) => Promise<T>): Promise<T> {
  const kafka = providerKafka(brokers, "admin");
  const admin = await KafkaAdmin.connect(kafka);
  try {
    return await fn(admin, kafka);
  } finally {
    await admin.disconnect();
  }
}
