/** Which Pulumi resource a record or a declaration belongs to. */
import * as pulumi from "@pulumi/pulumi";

/**
 * A resource's stack, project and name (and its parent's URN, when it has one): it stays the same
 * when the resource's inputs change, even those that replace it, which is how a replacement finds
 * the connector it replaces (connector/uniqueness.ts) and how a program's resources are told apart.
 */
export function resourceOwner(name: string, opts: pulumi.CustomResourceOptions | undefined): pulumi.Input<string> {
  const base = `${pulumi.getProject()}/${pulumi.getStack()}`;
  return opts?.parent ? opts.parent.urn.apply((parent) => `${base}/${parent}/${name}`) : `${base}/${name}`;
}
