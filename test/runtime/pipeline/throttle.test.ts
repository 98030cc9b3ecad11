import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Throttle } from "../../../runtime/pipeline/throttle";

/** Simulates a reader that takes events of `perEvent` rows as fast as the throttle lets it, for `ms`. */
function simulate(throttle: Throttle, perEvent: number, bytesPerRow: number, ms: number): { rows: number; bytes: number } {
  let now = 0;
  let rows = 0;
  while (now < ms) {
    rows += perEvent;
    now += throttle.take(perEvent, perEvent * bytesPerRow, now) || 0.1; // a reader needs some time per event
  }
  return { rows, bytes: rows * bytesPerRow };
}

describe("Throttle", () => {
  test("no limits: never waits", () => {
    const t = new Throttle({}, 0);
    assert.equal(t.limited, false);
    assert.equal(t.take(1_000_000, 1e9, 0), 0);
  });

  test("2,000 rows/s holds within 2 % over 10 s, whatever the event size", () => {
    for (const perEvent of [1, 37, 500, 3000]) {
      const { rows } = simulate(new Throttle({ rowsPerSecond: 2000 }, 0), perEvent, 100, 10_000);
      assert.ok(Math.abs(rows - 20_000) <= 20_000 * 0.02 + perEvent, `${perEvent} rows an event: ${rows} rows in 10 s`);
    }
  });

  test("bytes per second limit, and the stricter of two limits wins", () => {
    const { bytes } = simulate(new Throttle({ bytesPerSecond: 1_000_000 }, 0), 100, 1000, 10_000);
    assert.ok(Math.abs(bytes - 10_000_000) <= 10_000_000 * 0.02 + 100_000, `${bytes} bytes in 10 s`);
    const both = simulate(new Throttle({ rowsPerSecond: 100_000, bytesPerSecond: 500_000 }, 0), 50, 1000, 10_000);
    assert.ok(Math.abs(both.rows - 5_000) <= 5_000 * 0.02 + 50, `${both.rows} rows`);
  });

  test("a big event goes into debt: the wait pays it back at the rate", () => {
    const t = new Throttle({ rowsPerSecond: 1000 }, 0);
    // burst 100 rows; 1,100 rows taken: 1,000 rows of debt = 1 s
    assert.equal(t.take(1100, 0, 0), 1000);
    assert.equal(t.take(0, 0, 1000), 0);
  });
});
