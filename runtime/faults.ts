/**
 * Fault injection for crash tests (never set in production): CDC_FAULTS="point:N[,point:N]" kills
 * the process with SIGKILL the Nth time it reaches a named point, exactly as `kill -9` would, but at
 * a chosen instant. Points:
 *   before-commit   data of a Kafka transaction sent, the commit not yet made
 *   after-commit    a Kafka transaction committed
 */
const plan = new Map<string, number>();
const hits = new Map<string, number>();

for (const part of (process.env.CDC_FAULTS ?? "").split(",")) {
  const m = /^\s*([a-z-]+):(\d+)\s*$/.exec(part);
  if (m) plan.set(m[1], Number(m[2]));
}

export function faultPoint(name: "before-commit" | "after-commit"): void {
  const at = plan.get(name);
  if (at === undefined) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (n === at) process.kill(process.pid, "SIGKILL");
}
