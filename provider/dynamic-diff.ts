/**
 * Detailed diffs for dynamic resources. @pulumi/pulumi's dynamic provider host forwards only
 * `changes`, `replaces` and `deleteBeforeReplace` of a diff to the engine: no detailedDiff (so
 * `pulumi preview --json` has `"detailedDiff": null` and tools cannot tell which property
 * changes), no stables (so every output of an updated resource is unknown in preview).
 *
 * This is the one place that relies on the host's internals. The host does, in one synchronous
 * run: `if (result.changes === true) resp.setChanges(...)`. A result made by withDetailedDiff
 * reads its detail into `pending` when `changes` is read, and the patched
 * DiffResponse.prototype.setChanges, called right after, writes it into that response. Guarded:
 * only inside the host of @pulumi/pulumi PINNED_VERSION, only when the message API is there;
 * otherwise a note says once that detailed diffs are not shown, and diffs work as before.
 */
import type * as pulumi from "@pulumi/pulumi";
import { note } from "./diagnostics";

const PINNED_VERSION = "3.248.0";

export type PropertyDiffKind = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

/** The proto enum pulumirpc.PropertyDiff.Kind. */
const KIND_IDS: Record<PropertyDiffKind, number> = { add: 0, "add-replace": 1, delete: 2, "delete-replace": 3, update: 4, "update-replace": 5 };

interface Detail {
  detailed: Record<string, PropertyDiffKind>;
  stables: string[];
  /** Whether the properties are inputs (they are, except outputs such as a Connector's status). */
  outputs: string[];
}

export type DetailedDiffState = "installed" | "not-in-host" | "other-version" | "unsupported";

let state: DetailedDiffState | undefined;
let pending: Detail | undefined;

interface ProtoMessage {
  setChanges(value: number): void;
  setDiffsList(value: string[]): void;
  setStablesList(value: string[]): void;
  setHasdetaileddiff(value: boolean): void;
  getDetaileddiffMap(): { set(key: string, value: unknown): void };
}

/** Patches the host's DiffResponse once per process (see the header). */
export function installDetailedDiff(): DetailedDiffState {
  if (state) return state;
  const host = require.main;
  if (!host?.filename?.replace(/\\/g, "/").endsWith("cmd/dynamic-provider/index.js")) return (state = "not-in-host");
  let version: string | undefined;
  let proto: { DiffResponse?: { prototype: ProtoMessage }; PropertyDiff?: new () => { setKind(k: number): void; setInputdiff(v: boolean): void } } | undefined;
  try {
    version = (host.require("../../package.json") as { version: string }).version;
    proto = host.require("../../proto/provider_pb");
  } catch {
    proto = undefined;
  }
  if (version !== PINNED_VERSION) state = "other-version";
  else if (!proto?.DiffResponse || !proto.PropertyDiff || typeof proto.DiffResponse.prototype.setChanges !== "function" || typeof proto.DiffResponse.prototype.getDetaileddiffMap !== "function") state = "unsupported";
  if (state) {
    note(`note: pulumi-mysql-kafka-cdc cannot give the engine detailed diffs with @pulumi/pulumi ${version ?? "(unknown)"} (it supports ${PINNED_VERSION}): previews list changed resources without their changed properties`);
    return state;
  }
  const Response = (proto as { DiffResponse: { prototype: ProtoMessage } }).DiffResponse;
  const PropertyDiff = (proto as { PropertyDiff: new () => { setKind(k: number): void; setInputdiff(v: boolean): void } }).PropertyDiff;
  const original = Response.prototype.setChanges;
  Response.prototype.setChanges = function (this: ProtoMessage, value: number) {
    original.call(this, value);
    const detail = pending;
    pending = undefined;
    if (!detail) return;
    const map = this.getDetaileddiffMap();
    for (const [path, kind] of Object.entries(detail.detailed)) {
      const diff = new PropertyDiff();
      diff.setKind(KIND_IDS[kind]);
      diff.setInputdiff(!detail.outputs.includes(path));
      map.set(path, diff);
    }
    this.setHasdetaileddiff(true);
    // The top-level properties, as the engine's "[diff: ~a,b]" shows them.
    this.setDiffsList([...new Set(Object.keys(detail.detailed).map((p) => p.split(/[.[]/)[0]))]);
    if (detail.stables.length > 0) this.setStablesList(detail.stables);
  };
  return (state = "installed");
}

/**
 * The diff result with its per-property detail for the engine: `detailed` maps each changed
 * property path ("source.password", "tables") to its kind; `stables` are outputs that keep their
 * values through the update (shown as known in preview). `outputs` lists detailed paths that are
 * outputs rather than inputs. Values never travel: a secret shows as changed, never shown.
 */
export function withDetailedDiff(
  result: pulumi.dynamic.DiffResult,
  detailed: Record<string, PropertyDiffKind>,
  options: { stables?: string[]; outputs?: string[] } = {},
): pulumi.dynamic.DiffResult {
  installDetailedDiff();
  const detail: Detail = { detailed, stables: options.stables ?? [], outputs: options.outputs ?? [] };
  const { changes, ...rest } = result;
  return {
    ...rest,
    get changes() {
      if (state === "installed") pending = detail;
      return changes;
    },
  };
}
