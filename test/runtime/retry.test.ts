import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { DEFAULT_BACKOFF, backoffMs, sleep } from "../../runtime/retry";

const zero = () => 0;
const one = () => 1;
const half = () => 0.5;

describe("backoffMs", () => {
  test("default options: 1 s base, 60 s cap", () => {
    assert.deepEqual(DEFAULT_BACKOFF, { baseMs: 1000, maxMs: 60_000 });
  });

  test("random 0 gives half the ceiling, random 1 the full ceiling", () => {
    assert.equal(backoffMs(0, DEFAULT_BACKOFF, zero), 500);
    assert.equal(backoffMs(0, DEFAULT_BACKOFF, one), 1000);
    assert.equal(backoffMs(1, DEFAULT_BACKOFF, zero), 1000);
    assert.equal(backoffMs(1, DEFAULT_BACKOFF, one), 2000);
    assert.equal(backoffMs(3, DEFAULT_BACKOFF, zero), 4000);
    assert.equal(backoffMs(3, DEFAULT_BACKOFF, half), 6000);
    assert.equal(backoffMs(3, DEFAULT_BACKOFF, one), 8000);
    assert.equal(backoffMs(5, DEFAULT_BACKOFF, one), 32_000);
  });

  test("the ceiling is capped at maxMs", () => {
    assert.equal(backoffMs(6, DEFAULT_BACKOFF, zero), 30_000);
    assert.equal(backoffMs(6, DEFAULT_BACKOFF, one), 60_000);
    assert.equal(backoffMs(100, DEFAULT_BACKOFF, one), 60_000);
    assert.equal(backoffMs(10_000, DEFAULT_BACKOFF, zero), 30_000);
    assert.ok(Number.isFinite(backoffMs(Number.MAX_SAFE_INTEGER, DEFAULT_BACKOFF, one)));
  });

  test("custom options and rounding to whole ms", () => {
    assert.equal(backoffMs(2, { baseMs: 100, maxMs: 250 }, one), 250);
    assert.equal(backoffMs(2, { baseMs: 100, maxMs: 250 }, zero), 125);
    assert.equal(backoffMs(0, { baseMs: 3, maxMs: 1000 }, zero), 2); // 1.5 rounds to 2
    assert.equal(backoffMs(1, { baseMs: 100, maxMs: 1000 }, () => 0.25), 125);
  });

  test("with Math.random the delay stays within 50–100% of the ceiling", () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** attempt);
      for (let i = 0; i < 20; i++) {
        const ms = backoffMs(attempt);
        assert.ok(ms >= ceiling / 2 && ms <= ceiling, `attempt ${attempt}: ${ms}`);
      }
    }
  });
});

describe("sleep", () => {
  test("waits about the given time", async () => {
    const start = performance.now();
    await sleep(50);
    assert.ok(performance.now() - start >= 45);
  });

  test("ends early when the signal aborts", async () => {
    const controller = new AbortController();
    const start = performance.now();
    setTimeout(() => controller.abort(), 20);
    await sleep(30_000, controller.signal);
    const elapsed = performance.now() - start;
    assert.ok(elapsed >= 15 && elapsed < 2000, `slept ${elapsed} ms`);
  });

  test("an already aborted signal returns at once", async () => {
    const start = performance.now();
    await sleep(30_000, AbortSignal.abort());
    assert.ok(performance.now() - start < 1000);
  });

  test("a sleep removes its abort listener when it ends", async () => {
    const controller = new AbortController();
    const pending = sleep(20, controller.signal);
    assert.equal(getEventListeners(controller.signal, "abort").length, 1);
    await pending;
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });
});
