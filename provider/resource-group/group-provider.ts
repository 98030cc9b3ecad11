/**
 * The group core's dynamic provider methods: check runs the static and network checks; create
 * makes the group's key and its internal topics; delete removes the topics once no connector is
 * left in the configs topic.
 */
import type * as pulumi from "@pulumi/pulumi";
import { groupTopics, INTERNAL_TOPIC_CONFIGS, type GroupTopics } from "../../runtime/contract/names";
import { generateGroupKey } from "../../runtime/contract/secrets";
import { CdcError } from "../../runtime/errors";
import { readTopicToEnd } from "../../runtime/sink/topic-reader";
import { withAdmin } from "../kafka";
import { kafkaSecurityNotes } from "../kafka-inputs";
import { engineFailures, kafkaFailure, knownFailures, note } from "../diagnostics";
import { GROUP_CORE_SHAPE, unknownPropertyFailures } from "../properties";
import { topicSettingsFailures } from "../topic-validation";
import { containsUnknown } from "../types";
import { diffGroupCore, GROUP_STATE_VERSION, validateGroupInputs, type GroupCoreInputs, type GroupCoreOutputs } from "./group-plan";

export async function check(_olds: GroupCoreInputs | undefined, news: GroupCoreInputs): Promise<pulumi.dynamic.CheckResult<GroupCoreInputs>> {
  const failures = knownFailures(news, [...(news.argumentFailures ?? []), ...unknownPropertyFailures(news, GROUP_CORE_SHAPE, "ResourceGroup"), ...validateGroupInputs(news)]);
  if (failures.length === 0 && !containsUnknown(news.kafka)) for (const line of kafkaSecurityNotes(news.kafka, `resource group ${news.name}`)) note(line);
  // The cluster is logged in to now (TLS, SASL) rather than in up, and the internal topics'
  // replication factor judged by the broker.
  if (failures.length === 0 && !containsUnknown(news.kafka)) {
    try {
      const rf = news.replicationFactor;
      failures.push(
        ...(await withAdmin(news.kafka, async (admin) =>
          rf === undefined ? [] : topicSettingsFailures(admin, { partitions: 1, replicationFactor: rf, configs: INTERNAL_TOPIC_CONFIGS.configs }, "replicationFactor", "replicationFactor"),
        )),
      );
    } catch (error) {
      failures.push(kafkaFailure(error));
    }
  }
  return { inputs: news, failures: engineFailures(news, failures) };
}

export async function diff(_id: string, olds: GroupCoreOutputs, news: GroupCoreInputs): Promise<pulumi.dynamic.DiffResult> {
  if (containsUnknown(news)) return { changes: true, replaces: olds.name !== news.name ? ["name"] : [] };
  return { ...diffGroupCore(olds, news), deleteBeforeReplace: false };
}

async function ensureTopics(inputs: GroupCoreInputs): Promise<GroupTopics> {
  const topics = groupTopics(inputs.name);
  await withAdmin(inputs.kafka, (admin) =>
    admin.ensureTopics(
      (Object.keys(topics) as (keyof GroupTopics)[]).map((k) => ({ topic: topics[k], partitions: 1, replicationFactor: inputs.replicationFactor, configs: INTERNAL_TOPIC_CONFIGS[k] })),
    ),
  );
  return topics;
}

export async function create(inputs: GroupCoreInputs): Promise<pulumi.dynamic.CreateResult<GroupCoreOutputs>> {
  const topics = await ensureTopics(inputs);
  return { id: inputs.name, outs: { ...inputs, groupKey: generateGroupKey(), topics, stateVersion: GROUP_STATE_VERSION } };
}

export async function update(_id: string, olds: GroupCoreOutputs, news: GroupCoreInputs): Promise<pulumi.dynamic.UpdateResult<GroupCoreOutputs>> {
  // The key is kept: connectors' passwords are encrypted with it.
  const topics = await ensureTopics(news);
  return { outs: { ...news, groupKey: olds.groupKey, topics, stateVersion: GROUP_STATE_VERSION } };
}

export async function read(id: string, props: GroupCoreOutputs): Promise<pulumi.dynamic.ReadResult<GroupCoreOutputs>> {
  return { id, props: { ...props, topics: props.topics ?? groupTopics(props.name), stateVersion: GROUP_STATE_VERSION } };
}

export async function del(_id: string, props: GroupCoreOutputs): Promise<void> {
  const topics = props.topics ?? groupTopics(props.name);
  await withAdmin(props.kafka, async (admin, kafka) => {
    const { missing } = await admin.partitionCounts([topics.configs]);
    if (missing.length === 0) {
      const live = [...(await readTopicToEnd(kafka, topics.configs))].filter(([, v]) => v !== null).map(([k]) => k);
      if (live.length > 0) {
        throw new CdcError(
          "GROUP_HAS_CONNECTORS",
          `resource group ${props.name} still has connectors ${live.join(", ")} in ${topics.configs}; delete those Connectors first (they may belong to another stack).`,
        );
      }
    }
    await admin.deleteTopics(Object.values(topics));
  });
}
