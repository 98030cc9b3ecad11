/**
 * Which of a TopicSet's topics it made and which it adopted (they existed before it, made by
 * someone else), decided in check before anything is created and carried in the inputs from one
 * update to the next. A removed table's topic is deleted at the end of the update by its member
 * resource (./member), with the member's own last state: an adopted topic is kept unless
 * deleteAdoptedTopics, a made one is kept with retainOnDelete. Topics kept that way are
 * remembered, so a table added back takes its topic back instead of adopting it.
 */
import { tableTopic } from "../../runtime/contract/names";
import type { CheckFailure } from "../types";
import type { TopicSetInputs } from "./plan";

export type TopicOwnership = "created" | "adopted";

export interface OwnershipPlan {
  ownership: Record<string, TopicOwnership>;
  /** Topics this TopicSet made and kept when their table was removed (retainOnDelete). */
  retained: string[];
  /** Topics that exist and become this TopicSet's now, made by someone else. */
  adopting: string[];
  /** Kept topics of tables added back. */
  takingBack: string[];
}

/** Decides ownership per table; `live` is every topic of the cluster now. */
export function planOwnership(olds: TopicSetInputs | undefined, news: TopicSetInputs, live: ReadonlySet<string>): OwnershipPlan {
  const samePrefix = olds?.topicPrefix === news.topicPrefix;
  const wasRetained = new Set(samePrefix ? olds?.retained ?? [] : []);
  const ownership = new Map<string, TopicOwnership>();
  const adopting: string[] = [];
  const takingBack: string[] = [];
  for (const table of news.tables) {
    const topic = tableTopic(news.topicPrefix, table);
    const before = samePrefix && olds?.ownership && Object.hasOwn(olds.ownership, table) ? olds.ownership[table] : undefined;
    // State from before ownership was kept: the tables it listed were its own topics.
    const legacy = samePrefix && olds && !olds.ownership && olds.tables.includes(table);
    if (before) ownership.set(table, before);
    else if (legacy || !live.has(topic)) ownership.set(table, "created");
    else if (wasRetained.has(topic)) {
      ownership.set(table, "created");
      takingBack.push(topic);
    } else {
      ownership.set(table, "adopted");
      adopting.push(topic);
    }
  }
  const current = new Set(news.tables.map((t) => tableTopic(news.topicPrefix, t)));
  const retained = new Set([...wasRetained].filter((t) => !current.has(t)));
  if (olds && samePrefix && olds.retainOnDelete) {
    for (const table of olds.tables) {
      const topic = tableTopic(olds.topicPrefix, table);
      if (!current.has(topic) && (olds.ownership?.[table] ?? "created") === "created") retained.add(topic);
    }
  }
  // A kept topic deleted by hand since is forgotten: adding its table back makes it anew.
  return { ownership: Object.fromEntries(ownership), retained: [...retained].filter((t) => live.has(t)).sort(), adopting, takingBack };
}

/**
 * A removed table's topic is deleted or kept by its member resource with the member's last
 * state, so retainOnDelete and deleteAdoptedTopics must not change in the update that removes
 * tables (the removed ones would follow the old value): refused, with the two steps to take.
 */
export function deletionRuleChange(olds: TopicSetInputs | undefined, news: TopicSetInputs): CheckFailure[] {
  if (!olds || olds.topicPrefix !== news.topicPrefix) return [];
  const removed = olds.tables.filter((t) => !news.tables.includes(t));
  if (removed.length === 0) return [];
  const failures: CheckFailure[] = [];
  for (const property of ["retainOnDelete", "deleteAdoptedTopics"] as const) {
    if (!!olds[property] === !!news[property]) continue;
    failures.push({
      property,
      reason: `changes in the same update that removes tables ${removed.join(", ")}, whose topics would still follow the old ${property} (${!!olds[property]}): run pulumi up with the new ${property} first, then remove the tables`,
    });
  }
  return failures;
}

/**
 * The share of keys whose partition changes when a topic goes from `from` to `to` partitions
 * under hash-modulo partitioning (primary-key-hash): over lcm(from, to) consecutive hashes,
 * those with the same remainder for both counts stay.
 */
export function keyMoveShare(from: number, to: number): number {
  if (from === to) return 0;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const lcm = (from / gcd(from, to)) * to;
  let stay = 0;
  for (let h = 0; h < lcm; h++) if (h % from === h % to) stay++;
  return 1 - stay / lcm;
}
