/**
 * kafkajs's own internals, loaded as fresh module instances so that the fast path installed in
 * this process (kafkajs-fast-path.ts) can never stand in for the originals the tests compare with.
 */
export function freshKafkajsModule<T>(request: string): T {
  const file = require.resolve(request);
  const cached = require.cache[file];
  delete require.cache[file];
  const module = require(file) as T;
  if (cached) require.cache[file] = cached;
  return module;
}
