/** What preview says about a TopicSet change, one line per topic, each true of what up will do. */
import { keyMoveShare } from "./ownership";
import type { TopicChanges } from "./plan";

function partitionsText(n: number): string {
  return `${n} partition${n === 1 ? "" : "s"}`;
}

/** The lines of an in-place update. */
export function describeTopicChanges(prefix: string, c: TopicChanges, partitionCheckSeconds: number): string[] {
  const lines: string[] = [];
  const say = (text: string) => lines.push(`TopicSet ${prefix}: ${text}`);
  for (const t of c.create) say(`will create topic ${t.topic} (${partitionsText(t.partitions)})`);
  for (const t of c.adopt) say(`topic ${t.topic} already exists: the TopicSet adopts it as it is (its records stay; it gets at least ${partitionsText(t.partitions)}); a destroy or removing its table keeps it unless deleteAdoptedTopics`);
  for (const t of c.takeBack) say(`will take back topic ${t.topic}, kept when its table was removed (retainOnDelete)`);
  for (const t of c.grow) {
    const moved = Math.round(keyMoveShare(t.from, t.partitions) * 100);
    say(
      `will raise ${t.topic} from ${t.from} to ${t.partitions} partitions; running connectors use them within about ${partitionCheckSeconds} s, without a restart. ` +
        `With primary-key-hash partitioning about ${moved} % of keys then map to another partition, so a consumer may read a key's later changes before its earlier ones (table-hash moves the table; partition-0 moves nothing)`,
    );
  }
  for (const t of c.remove) say(`will delete topic ${t} at the end of the update, after the connectors stopped writing it`);
  for (const t of c.retain) say(`will keep topic ${t} of a removed table (retainOnDelete)`);
  for (const t of c.keepAdopted) say(`will keep topic ${t} of a removed table: it existed before the TopicSet (adopted); deleteAdoptedTopics deletes such topics`);
  for (const t of c.reconfigure) say(`will set the configs of ${t} to topicConfigs`);
  return lines;
}

/** The lines of a replacement (a new prefix): what happens to the old topics. */
export function describePrefixChange(oldPrefix: string, newPrefix: string, removed: { remove: string[]; keep: string[] }): string[] {
  const lines = [`TopicSet ${oldPrefix}: the prefix becomes ${newPrefix}: the ${newPrefix}_* topics are made first, the connectors move to them, and the old topics are dealt with at the end of the update`];
  if (removed.remove.length > 0) lines.push(`TopicSet ${oldPrefix}: will delete ${removed.remove.join(", ")} with their records at the end of the update; consumers must have read them by then`);
  if (removed.keep.length > 0) lines.push(`TopicSet ${oldPrefix}: will keep ${removed.keep.join(", ")} (retainOnDelete or adopted)`);
  return lines;
}
