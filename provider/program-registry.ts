/**
 * What the program being previewed or deployed declares, as far as its checks have run: every
 * dynamic resource of a program is checked by the same provider process, so its checks can see
 * each other's. The cluster only holds what earlier updates deployed; two connectors given one
 * name in the same program (or four in one group, or two TopicSets with one prefix) are caught
 * here, in preview, instead of half-way through up.
 *
 * Checks run concurrently: each resource is entered before its own check awaits anything, so of
 * two clashing resources at least the second one checked fails.
 */

export interface DeclaredConnector {
  owner: string;
  name: string;
  groupName: string;
  topicPrefix: string;
  source: { host: string; port?: number; database: string };
  serverId: number;
}

const connectors = new Map<string, DeclaredConnector>();
const topicSets = new Map<string, DeclaredTopicSet>();

export interface DeclaredTopicSet {
  owner: string;
  topicPrefix: string;
  tables: string[];
  topicConfigs?: Record<string, string>;
}

/** Enters (or updates) a connector of the program; returns the other connectors the program declares. */
export function declareConnector(connector: DeclaredConnector): DeclaredConnector[] {
  connectors.set(connector.owner, connector);
  return [...connectors.values()].filter((c) => c.owner !== connector.owner);
}

/** Enters a TopicSet of the program; returns the owner of another TopicSet with the same prefix, if any. */
export function declareTopicSet(topicSet: DeclaredTopicSet): string | undefined {
  topicSets.set(topicSet.owner, topicSet);
  return [...topicSets.values()].find((t) => t.owner !== topicSet.owner && t.topicPrefix === topicSet.topicPrefix)?.owner;
}

/** The max.message.bytes the program's TopicSets of this prefix give their topics (in topicConfigs), per topic. */
export function declaredTopicSizes(topicPrefix: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const t of topicSets.values()) {
    const bytes = Number(t.topicConfigs?.["max.message.bytes"]);
    if (t.topicPrefix !== topicPrefix || !Number.isFinite(bytes)) continue;
    for (const table of t.tables) sizes.set(`${topicPrefix}_${table}`, bytes);
  }
  return sizes;
}
