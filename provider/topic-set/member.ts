/**
 * One table's membership in a TopicSet (a child resource per table): it deletes the table's
 * topic when the table leaves the set or the set is destroyed. Being its own resource is what
 * orders the deletion: the engine deletes removed resources at the end of an update, after every
 * create and update, so the Connector has stopped writing the topic by then (deleting it in the
 * TopicSet's own update, which comes first, stalled the connector). Creating and updating it do
 * nothing: the TopicSet makes the topics.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { KafkaSecurity } from "../../runtime/contract/kafka-security";
import { withAdmin } from "../kafka";
import { note } from "../diagnostics";
import type { TopicOwnership } from "./ownership";

export interface MemberInputs {
  brokers: string[];
  /** The cluster's TLS and SASL (a secret: the SASL password, the TLS key), to delete the topic with; absent for a plaintext cluster. */
  kafkaSecurity?: KafkaSecurity;
  topicPrefix: string;
  table: string;
  topic: string;
  /** From the TopicSet's check: made by it, or adopted. */
  ownership: TopicOwnership;
  retainOnDelete?: boolean;
  deleteAdoptedTopics?: boolean;
}

export type MemberOutputs = MemberInputs;

/** What the member's delete does with its topic, and why. */
export function deletion(m: MemberInputs): { delete: boolean; why: string } {
  if (m.retainOnDelete) return { delete: false, why: "retainOnDelete" };
  if (m.ownership === "adopted" && !m.deleteAdoptedTopics) return { delete: false, why: "it existed before the TopicSet (adopted); deleteAdoptedTopics deletes such topics" };
  return { delete: true, why: "" };
}

export async function check(_olds: MemberInputs | undefined, news: MemberInputs): Promise<pulumi.dynamic.CheckResult<MemberInputs>> {
  return { inputs: news, failures: [] };
}

export async function diff(_id: string, olds: MemberOutputs, news: MemberInputs): Promise<pulumi.dynamic.DiffResult> {
  const changed = (["brokers", "kafkaSecurity", "topicPrefix", "ownership", "retainOnDelete", "deleteAdoptedTopics"] as const).filter((k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null));
  // Another topic is another member: the old one is deleted (its topic with it) at the end.
  const replaces = olds.topic !== news.topic ? ["topic"] : [];
  return { changes: changed.length + replaces.length > 0, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: MemberInputs): Promise<pulumi.dynamic.CreateResult<MemberOutputs>> {
  return { id: inputs.topic, outs: inputs };
}

export async function update(_id: string, _olds: MemberOutputs, news: MemberInputs): Promise<pulumi.dynamic.UpdateResult<MemberOutputs>> {
  return { outs: news };
}

export async function read(id: string, props: MemberOutputs): Promise<pulumi.dynamic.ReadResult<MemberOutputs>> {
  return { id, props };
}

export async function del(_id: string, props: MemberOutputs): Promise<void> {
  const decision = deletion(props);
  if (!decision.delete) {
    note(`TopicSet ${props.topicPrefix}: kept topic ${props.topic} (${decision.why})`);
    return;
  }
  await withAdmin({ brokers: props.brokers, ...props.kafkaSecurity }, (admin) => admin.deleteTopics([props.topic]));
  note(`TopicSet ${props.topicPrefix}: deleted topic ${props.topic}`);
}
