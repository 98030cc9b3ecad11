/**
 * How the dynamic resources find their code. A dynamic resource's state holds its provider as
 * CommonJS text in the input `__provider`; @pulumi/pulumi's dynamic provider host evaluates that
 * text (require-from-string) and calls `exports.handler()` for the provider object, and read and
 * delete run the copy in the state. So the text must be tiny and capture no clients or
 * credentials: each method only loads the implementation module by name, inside the method.
 *
 * The text is written here, not made by `pulumi.dynamic.Resource`: that serializes a closure
 * (TypeScript parsing, an inspector session), about 0.1 s of each program run on the quickstart's
 * preview; the text it made also named this copy's path, as this one does.
 * This is the one place that relies on the host's protocol (the `__provider` input, the
 * `pulumi-nodejs:dynamic/<module>:<type>` type, `exports.handler`); it is guarded by the
 * installed @pulumi/pulumi's major version (another major is refused with a message that says so).
 */
import * as pulumi from "@pulumi/pulumi";

/** The npm package name: how a user's program (and its state) finds the implementation. */
const PACKAGE_NAME = "pulumi-mysql-kafka-cdc";
/** Where this copy lives (dist/provider), used when the package is not installed by name (this repo's own examples and tests). */
const PROVIDER_DIR = __dirname;
/** The @pulumi/pulumi major whose dynamic provider host reads `__provider` as described above (every 3.x). */
const HOST_MAJOR = 3;

/** The provider methods the text forwards, and the implementation module's name for each. */
const METHODS = { check: "check", diff: "diff", create: "create", update: "update", read: "read", delete: "del" } as const;

/** Where the implementation of dist/provider/<relative>.js is looked for: the package by name, then this copy. */
export function providerModuleCandidates(relative: string): string[] {
  return [`${PACKAGE_NAME}/dist/provider/${relative}`, `${PROVIDER_DIR}/${relative}`];
}

/**
 * The `__provider` text of a resource implemented by dist/provider/<relative>.js. Evaluated as a
 * module by the host, its `handler()` returns an object whose methods load that module (resolved
 * from the project directory first) and call the method of the same name (`del` for delete).
 */
export function providerModuleText(relative: string): string {
  const candidates = JSON.stringify(providerModuleCandidates(relative));
  const install = JSON.stringify(`install ${PACKAGE_NAME} in the Pulumi project (npm install ${PACKAGE_NAME})`);
  const methods = Object.entries(METHODS)
    .map(([method, exported]) => `    ${method}: (...args) => load().${exported}(...args),`)
    .join("\n");
  return `// ${PACKAGE_NAME} dynamic provider: loads ${relative} inside each method (no client, no credential here).
exports.handler = function () {
  const candidates = ${candidates};
  function load() {
    for (const candidate of candidates) {
      let resolved;
      try {
        resolved = require.resolve(candidate, { paths: [process.cwd()] });
      } catch {
        continue;
      }
      return require(resolved);
    }
    throw new Error("cannot find " + candidates.join(" or ") + ": " + ${install});
  }
  return {
${methods}
  };
};
`;
}

let hostMajor: number | undefined;
/** The installed @pulumi/pulumi's major version (the program's copy, which the host is part of). */
function installedPulumiMajor(): number {
  hostMajor ??= Number((require("@pulumi/pulumi/package.json") as { version: string }).version.split(".")[0]);
  return hostMajor;
}

/**
 * A dynamic resource implemented by dist/provider/<relative>.js, of type
 * `pulumi-nodejs:dynamic/mysql-kafka-cdc:index:<type>` (the type pulumi.dynamic.Resource gave it,
 * so states made before this class match).
 */
export class ForwardingResource extends pulumi.CustomResource {
  constructor(relative: string, type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    const major = installedPulumiMajor();
    if (major !== HOST_MAJOR) {
      throw new Error(`${PACKAGE_NAME} needs @pulumi/pulumi ${HOST_MAJOR}.x, whose dynamic provider host it speaks to; this project has ${major}.x: install @pulumi/pulumi@${HOST_MAJOR}`);
    }
    super(`pulumi-nodejs:dynamic/mysql-kafka-cdc:index:${type}`, name, { ...props, __provider: providerModuleText(relative) }, opts);
  }
}
