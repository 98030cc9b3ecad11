/** Reading check failures in the provider's unit tests. */
import assert from "node:assert/strict";
import type { CheckFailure } from "../../provider/types";

/** The properties that failed, in order. */
export function props(failures: CheckFailure[]): string[] {
  return failures.map((f) => f.property);
}

/** The reason of the only failure on `property` (asserts there is exactly one). */
export function reasonOf(failures: CheckFailure[], property: string): string {
  const found = failures.filter((f) => f.property === property);
  assert.equal(found.length, 1, `one failure on ${property}: ${JSON.stringify(failures)}`);
  return found[0]!.reason;
}
