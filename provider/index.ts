/**
 * pulumi-mysql-kafka-cdc: what a Pulumi program imports.
 *
 * The resources (ResourceGroup, Connector, TopicSet) land with the provider work; until then this
 * entry point only identifies the package, so programs and tooling can already depend on it.
 */
export const packageName = "pulumi-mysql-kafka-cdc";
