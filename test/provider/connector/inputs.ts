/** Connector inputs and outputs for the provider's unit tests. */
import { CONNECTOR_STATE_VERSION, validateConnectorInputs, type ConnectorInputs, type ConnectorOutputs } from "../../../provider/connector/plan";
import type { CheckFailure } from "../../../provider/types";
import type { EncryptedSecret } from "../../../runtime/contract/secrets";

export const GROUP_KEY = Buffer.alloc(32, 7).toString("base64");
export const ENCRYPTED: EncryptedSecret = { alg: "A256GCM", iv: "aXYtaXYtaXYtaXY=", data: "ZGF0YQ==", tag: "dGFnLXRhZy10YWctdGFn" };
export const OWNER = "cdc/dev/orders";

export function inputs(overrides: Partial<ConnectorInputs> = {}, source: Partial<ConnectorInputs["source"]> = {}): ConnectorInputs {
  return {
    name: "orders-cdc",
    groupName: "grp",
    groupKey: GROUP_KEY,
    kafka: { brokers: ["127.0.0.1:9092"] },
    source: { host: "db", port: 3306, database: "shop", user: "cdc", password: "s3cret-pass", ...source },
    tables: ["orders"],
    topicPrefix: "shop",
    owner: OWNER,
    ...overrides,
  };
}

export function outputs(overrides: Partial<ConnectorInputs> = {}, source: Partial<ConnectorInputs["source"]> = {}, extra: Partial<ConnectorOutputs> = {}): ConnectorOutputs {
  return {
    ...inputs(overrides, source),
    consumerGroup: "connect-orders-cdc",
    transactionalId: "cdc-grp-orders-cdc",
    revision: "rev-1",
    status: { state: "RUNNING", worker: "w-1", at: "2024-01-01T00:00:00.000Z" },
    stateVersion: CONNECTOR_STATE_VERSION,
    ...extra,
  };
}

export function validate(overrides: Partial<ConnectorInputs> = {}, source: Partial<ConnectorInputs["source"]> = {}): CheckFailure[] {
  return validateConnectorInputs(inputs(overrides, source));
}
