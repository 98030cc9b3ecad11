/** What the dynamic providers tell the user: preview/up lines and check failures. */
import { CdcError } from "../runtime/errors";
import { containsUnknown, type CheckFailure } from "./types";

/** Says something in the preview/up output (a dynamic provider's stdout becomes a diagnostic). */
export function note(message: string): void {
  console.log(message);
}

/** A check failure on `property` from an error (a CdcError's message carries its code and fix). */
export function failureOf(property: string, error: unknown): CheckFailure {
  return { property, reason: error instanceof CdcError ? error.message : String((error as Error)?.message ?? error) };
}

/** The input at a failure's property path ("source.port", "tables[2]"). */
function valueAt(inputs: unknown, property: string): unknown {
  return property
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : v), inputs);
}

/**
 * Drops failures about inputs not known yet: during preview an input that depends on another
 * resource's output is Pulumi's unknown marker, which static rules would misjudge.
 */
export function knownFailures(inputs: unknown, failures: CheckFailure[]): CheckFailure[] {
  return failures.filter((f) => !containsUnknown(valueAt(inputs, f.property)));
}
