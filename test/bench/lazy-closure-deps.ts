/**
 * Preloaded (`node --require`) into every node process the bench's Pulumi engine starts: the
 * program and the dynamic provider. It defers two modules @pulumi/pulumi loads eagerly for
 * function serialization only, TypeScript (its parser) and @npmcli/arborist (package
 * discovery): each node process spent about 0.5 s of CPU loading them, about a quarter of an
 * engine command's CPU on this project's machines, and this package never serializes a function
 * (provider/dynamic.ts writes the `__provider` text itself).
 *
 * Deferred, not stubbed: the first use of either module loads the real one, so the SDK behaves as
 * it does for users (test/bench/lazy-closure-deps.test.ts serializes a function through it). Only
 * these two requires, from these two SDK files, are deferred; the SDK's layout is an internal we
 * rely on here, so the hook checks it at load and says so on stderr when it no longer matches.
 */
import fs from "node:fs";
import Module from "node:module";
import path from "node:path";

/** SDK file (relative to @pulumi/pulumi's directory) → the module it requires that is deferred. */
export const DEFERRED_REQUIRES: Record<string, string> = {
  "typescript-shim.js": "typescript",
  [path.join("runtime", "closure", "codePaths.js")]: "@npmcli/arborist",
};

/** The SDK major version the layout above was read from. */
const SDK_MAJOR = 3;

/** Requests deferred so far in this process, for the test. */
export const deferred: string[] = [];

type Load = (request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown;
type Resolve = (request: string, parent: NodeJS.Module | undefined) => string;

/** An object standing for a CommonJS module's exports that loads the module at its first use. */
function lazyExports(load: () => object): object {
  let real: object | undefined;
  const target = (): object => (real ??= load());
  return new Proxy(
    {},
    {
      // __importStar(require(x)) returns an ES module's exports as they are: no key copied yet.
      get: (_, key) => (key === "__esModule" && real === undefined ? true : Reflect.get(target(), key)),
      has: (_, key) => Reflect.has(target(), key),
      set: (_, key, value) => Reflect.set(target(), key, value),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

function sdkDirectory(): string | undefined {
  try {
    return path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd(), __dirname] }));
  } catch {
    return undefined;
  }
}

/** Why the hook cannot apply to the installed SDK, or undefined when it can. */
export function layoutProblem(sdkDir: string | undefined): string | undefined {
  if (!sdkDir || !fs.existsSync(path.join(sdkDir, "package.json"))) return "@pulumi/pulumi is not installed";
  const version = (JSON.parse(fs.readFileSync(path.join(sdkDir, "package.json"), "utf8")) as { version: string }).version;
  if (Number(version.split(".")[0]) !== SDK_MAJOR) return `@pulumi/pulumi ${version} is not major ${SDK_MAJOR}`;
  for (const [file, request] of Object.entries(DEFERRED_REQUIRES)) {
    const full = path.join(sdkDir, file);
    if (!fs.existsSync(full) || !fs.readFileSync(full, "utf8").includes(`require("${request}")`)) {
      return `@pulumi/pulumi ${version}'s ${file} no longer requires ${request}`;
    }
  }
  return undefined;
}

function install(): void {
  const sdkDir = sdkDirectory();
  const problem = layoutProblem(sdkDir);
  if (problem || !sdkDir) {
    process.stderr.write(`warning: test/bench/lazy-closure-deps: ${problem}; TypeScript and arborist load eagerly (slower, not wrong)\n`);
    return;
  }
  const byFile = new Map(Object.entries(DEFERRED_REQUIRES).map(([file, request]) => [path.join(sdkDir, file), request]));
  const moduleInternals = Module as unknown as { _load: Load; _resolveFilename: Resolve };
  const load = moduleInternals._load;
  const resolvable = (request: string, parent: NodeJS.Module) => {
    try {
      return Boolean(moduleInternals._resolveFilename(request, parent));
    } catch {
      return false; // the SDK's own fallback (typescript-shim's vendored copy) then runs as it would
    }
  };
  moduleInternals._load = function (this: unknown, request, parent, isMain) {
    const from = parent?.filename;
    if (from !== undefined && parent && byFile.get(from) === request && resolvable(request, parent)) {
      deferred.push(request);
      return lazyExports(() => load.call(this, request, parent, isMain) as object);
    }
    return load.call(this, request, parent, isMain);
  };
}

install();
