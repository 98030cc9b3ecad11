/**
 * An implementation module for test/provider/dynamic.test.ts: each method returns its own name
 * and arguments, so the test sees which method the provider text called.
 */
const echo = (method: string) => async (...args: unknown[]) => ({ method, args });

export const check = echo("check");
export const diff = echo("diff");
export const create = echo("create");
export const update = echo("update");
export const read = echo("read");
export const del = echo("del");
