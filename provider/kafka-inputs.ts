/** Checks of the `kafka` input the three resources share. */
import { kafkaSecurityProblems } from "../runtime/contract/kafka-security";
import { brokerAddressProblem } from "../runtime/contract/names";
import type { CheckFailure, KafkaArgs } from "./types";

/** kafka.brokers: at least one, each "host:port". */
export function brokerFailures(kafka: KafkaArgs | undefined, property = "kafka.brokers"): CheckFailure[] {
  const brokers = kafka?.brokers;
  if (!Array.isArray(brokers) || brokers.length === 0) return [{ property, reason: 'must list at least one bootstrap server, e.g. ["10.0.0.5:9092"]' }];
  return brokers.flatMap((b, i) => {
    const problem = brokerAddressProblem(b);
    return problem ? [{ property: `${property}[${i}]`, reason: problem }] : [];
  });
}

/** Every problem of a `kafka` input: its brokers, its TLS and SASL settings. */
export function kafkaFailures(kafka: KafkaArgs | undefined, property = "kafka"): CheckFailure[] {
  return [...brokerFailures(kafka, `${property}.brokers`), ...kafkaSecurityProblems(kafka, property).map((p) => ({ property: p.property, reason: p.message }))];
}

/** What preview says about a cluster's settings that are allowed but weaken it (each once per resource). */
export function kafkaSecurityNotes(kafka: KafkaArgs | undefined, resource: string): string[] {
  const notes: string[] = [];
  if (kafka?.sasl && (kafka.tls === undefined || kafka.tls === false) && kafka.sasl.allowWithoutTls === true) {
    notes.push(`warning: ${resource}: kafka.sasl.allowWithoutTls is set: the SASL ${kafka.sasl.mechanism} login and every record cross the network to ${kafka.brokers?.join(", ")} unencrypted (SASL_PLAINTEXT). Use a SASL_SSL endpoint with kafka.tls where the cluster has one`);
  }
  if (kafka?.tls && typeof kafka.tls === "object" && kafka.tls.verifyHostname === false) {
    notes.push(`warning: ${resource}: kafka.tls.verifyHostname is false: a broker's certificate is checked against the CA but not against the broker's name`);
  }
  return notes;
}
