/**
 * Beyond the vendor: `pulumi refresh` warns when a connector's lag approaches the source's binlog
 * retention, before the binlog it still needs is purged (which would be fatal: BINLOG_PURGED).
 */
import { fetchSettings } from "../../runtime/source/prechecks";
import { sourceLogin } from "../source-inputs";
import type { ConnectorInputs } from "./plan";

/** Warn from this share of the retention on. */
export const LAG_WARNING_SHARE = 0.5;

/** Pure: the warning for a lag against a retention (seconds; 0 = binlogs never purged), or undefined. */
export function judgeLag(lagSeconds: number, retentionSeconds: number): string | undefined {
  if (retentionSeconds <= 0 || lagSeconds < retentionSeconds * LAG_WARNING_SHARE) return undefined;
  const hours = (s: number) => `${(s / 3600).toFixed(1)} h`;
  return `it is ${hours(lagSeconds)} behind the source, ${Math.round((lagSeconds / retentionSeconds) * 100)}% of the binlog retention (${hours(retentionSeconds)}); ` +
    "if it falls further behind, the binlog it needs is purged and it fails with BINLOG_PURGED. Raise the retention (7 days recommended) or find why it is slow (throttle, runtime resources).";
}

/** Reads the source's retention and judges the lag; undefined when fine or unknown. */
export async function lagWarning(inputs: ConnectorInputs, lagSeconds: number | undefined): Promise<string | undefined> {
  if (lagSeconds === undefined) return undefined;
  let retentionSeconds: number;
  try {
    const s = inputs.source;
    retentionSeconds = (await fetchSettings({ ...sourceLogin(s), port: s.port ?? 3306, database: s.database, tables: inputs.tables })).retentionSeconds;
  } catch {
    return undefined;
  }
  return judgeLag(lagSeconds, retentionSeconds);
}
