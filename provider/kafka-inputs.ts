/** Checks of the `kafka` input the three resources share. */
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
