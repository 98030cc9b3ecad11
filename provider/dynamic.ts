/**
 * How the dynamic providers find their code. Pulumi serializes each provider object into the state
 * and runs that text later (read and delete run the copy in the state), so the serialized part must
 * be tiny and capture no clients or credentials: each method only loads the implementation module
 * by name here, inside the method, and calls it.
 *
 * This file is serialized by value (it is a local module of the program's closure): keep it free
 * of imports.
 */

/** The npm package name: how a user's program (and its state) finds the implementation. */
const PACKAGE_NAME = "pulumi-mysql-kafka-cdc";
/** Where this copy lives (dist/provider), used when the package is not installed by name (this repo's own examples and tests). */
const PROVIDER_DIR = __dirname;

/** Loads dist/provider/<relative>.js, by package name first, then from this copy. */
export function loadProviderModule<T>(relative: string): T {
  const candidates = [`${PACKAGE_NAME}/dist/provider/${relative}`, `${PROVIDER_DIR}/${relative}`];
  for (const candidate of candidates) {
    let resolved: string;
    try {
      resolved = require.resolve(candidate, { paths: [process.cwd()] });
    } catch {
      continue;
    }
    return require(resolved) as T;
  }
  throw new Error(`cannot find ${candidates.join(" or ")}: install ${PACKAGE_NAME} in the Pulumi project (npm install ${PACKAGE_NAME})`);
}

/** The implementation module of a dynamic resource: the provider methods, by their names. */
type ProviderModule = Required<Omit<import("@pulumi/pulumi").dynamic.ResourceProvider, "delete" | "configure">> & {
  del: NonNullable<import("@pulumi/pulumi").dynamic.ResourceProvider["delete"]>;
};

/**
 * The object Pulumi serializes for a dynamic resource: every method loads dist/provider/<relative>
 * and calls the method of the same name there (`del` for delete). Nothing else is captured.
 */
export function forwardingProvider(relative: string): import("@pulumi/pulumi").dynamic.ResourceProvider {
  const impl = () => loadProviderModule<ProviderModule>(relative);
  return {
    check: (olds, news) => impl().check(olds, news),
    diff: (id, olds, news) => impl().diff(id, olds, news),
    create: (inputs) => impl().create(inputs),
    update: (id, olds, news) => impl().update(id, olds, news),
    read: (id, props) => impl().read(id, props),
    delete: (id, props) => impl().del(id, props),
  };
}
