/**
 * The pure network and limits checks of a ResourceGroup, run before anything is deployed.
 *
 * The model is the vendor's managed MySQL source connector: a DataWorks exclusive resource group
 * (4 vCPU / 8 GB) in the Kafka instance's region, running at most 3 connectors and bound to at most
 * 2 VPCs through ENIs. A source in the group's region is reached through an ENI bound in its VPC; a
 * source in another region only through a CEN with both VPCs attached and cross-region bandwidth.
 * The vendor console would silently create a CEN with minimal bandwidth instead, which later shows
 * up as connection errors, so these checks fail and never suggest (or fall back to) that.
 */
import { containsUnknown, UNKNOWN, type CenArgs, type CheckFailure, type EniBindingArgs, type SourceNetworkArgs, type VpcArgs } from "../types";

export const SUPPORTED_REGIONS: readonly string[] = [
  "cn-shenzhen",
  "cn-chengdu",
  "cn-beijing",
  "cn-zhangjiakou",
  "cn-hangzhou",
  "cn-shanghai",
  "ap-southeast-1",
];
export const MAX_ENI_BINDINGS = 2;
export const MAX_CONNECTORS_PER_GROUP = 3;

export interface GroupNetworkInput {
  /** The Kafka instance's region = the group's region. */
  region: string;
  /** The Kafka instance's VPC. */
  kafkaVpc?: VpcArgs;
  /** Each source database's VPC. */
  sources: SourceNetworkArgs[];
  eniBindings?: EniBindingArgs[];
  cen?: CenArgs;
}

type Add = (property: string, reason: string) => void;
type Cidr = { base: number; prefix: number };

const EXAMPLE_CIDR = "10.0.0.0/16";

/**
 * Every failure at once (never stop at the first). Property paths name the input: "region",
 * "kafka.vpc", "sources[1].vpc.cidrBlock", "eniBindings", "cen", "cen.attachedVpcIds", "cen.bandwidths" ...
 * A value not known yet (preview) skips the checks that depend on it: it is checked again at update.
 */
export function checkGroupNetwork(input: GroupNetworkInput): CheckFailure[] {
  const failures: CheckFailure[] = [];
  // Several sources can lead to the same failure (two sources in one VPC): report it once.
  const add: Add = (property, reason) => {
    if (!failures.some((f) => f.property === property && f.reason === reason)) failures.push({ property, reason });
  };
  const { region, kafkaVpc, cen } = input;
  // A whole list not known yet (preview) is the UNKNOWN string, not an array: nothing to check in it.
  const sources = Array.isArray(input.sources) ? input.sources : [];
  const eniBindings = Array.isArray(input.eniBindings) ? input.eniBindings : [];
  const eniBindingsKnown = !containsUnknown(input.eniBindings);

  if (!containsUnknown(region) && !SUPPORTED_REGIONS.includes(region)) {
    add(
      "region",
      (region ? `Region "${region}" is not supported by the MySQL source connector's resource group. ` : "The region is not set. ") +
        `Deploy the Kafka instance in one of the supported regions: ${SUPPORTED_REGIONS.join(", ")}.`,
    );
  }

  let kafkaCidr: Cidr | undefined;
  if (kafkaVpc) {
    kafkaCidr = checkCidr("kafka.vpc.cidrBlock", kafkaVpc.cidrBlock, add);
    // The cross-region checks take `region` as the Kafka side: a VPC elsewhere would make them wrong.
    if (known(kafkaVpc.region) && known(region) && kafkaVpc.region !== region) {
      add(
        "kafka.vpc.region",
        `The Kafka VPC "${kafkaVpc.vpcId}" is in ${kafkaVpc.region} but the Kafka instance is in ${region}; ` +
          `an instance lives in its VPC's region. Set kafka.vpc to the VPC the Kafka instance is deployed in.`,
      );
    }
  }

  checkEniBindings(eniBindings, add);

  const crossRegion: VpcArgs[] = [];
  sources.forEach((source, i) => {
    const path = `sources[${i}].vpc`;
    const vpc = source?.vpc;
    if (!vpc) {
      add(path, `sources[${i}] has no VPC. Set sources[${i}].vpc to the source database's VPC ({ vpcId, cidrBlock, region }).`);
      return;
    }
    const cidr = checkCidr(`${path}.cidrBlock`, vpc.cidrBlock, add);

    if (known(vpc.region) && known(region)) {
      if (vpc.region === region) {
        const bound = eniBindings.some((b) => b?.vpcId === vpc.vpcId);
        if (known(vpc.vpcId) && eniBindingsKnown && !bound) {
          add(
            path,
            `Source VPC "${vpc.vpcId}" is in the group's region ${region}, so the group reaches it through an ENI ` +
              `bound in that VPC, but eniBindings has no entry for it. Add { vpcId: "${vpc.vpcId}" } to eniBindings.`,
          );
        }
      } else {
        crossRegion.push(vpc);
      }
    }

    // The same VPC on both sides is one network, not an overlap.
    if (cidr && kafkaCidr && kafkaVpc && known(vpc.vpcId) && known(kafkaVpc.vpcId) && vpc.vpcId !== kafkaVpc.vpcId && overlaps(cidr, kafkaCidr)) {
      add(
        `${path}.cidrBlock`,
        `Source VPC "${vpc.vpcId}" (${vpc.cidrBlock}) overlaps the Kafka VPC "${kafkaVpc.vpcId}" (${kafkaVpc.cidrBlock}); ` +
          `the group cannot route to both. Use VPCs with non-overlapping CIDR blocks for the source database and the Kafka instance.`,
      );
    }
  });

  checkCrossRegion(region, kafkaVpc, crossRegion, cen, add);
  return failures;
}

/** The count limit and duplicates: each binding takes one of the group's few ENI slots. */
function checkEniBindings(eniBindings: EniBindingArgs[], add: Add): void {
  if (eniBindings.length > MAX_ENI_BINDINGS) {
    add(
      "eniBindings",
      `eniBindings has ${eniBindings.length} entries, but a resource group supports at most ${MAX_ENI_BINDINGS} ENI bindings. ` +
        `Split the sources across a second ResourceGroup, each with at most ${MAX_ENI_BINDINGS} bindings.`,
    );
  }
  const counts = new Map<string, number>();
  for (const binding of eniBindings) {
    if (binding && known(binding.vpcId)) counts.set(binding.vpcId, (counts.get(binding.vpcId) ?? 0) + 1);
  }
  for (const [vpcId, count] of counts) {
    if (count > 1) {
      add("eniBindings", `eniBindings binds VPC "${vpcId}" ${count} times; a VPC takes one binding. Keep one entry for "${vpcId}".`);
    }
  }
}

/** Cross-region sources: the Kafka VPC, a CEN with both VPCs attached, and bandwidth for each region pair. */
function checkCrossRegion(region: string, kafkaVpc: VpcArgs | undefined, cross: VpcArgs[], cen: CenArgs | undefined, add: Add): void {
  if (cross.length === 0 || (cen as unknown) === UNKNOWN) return;
  const sourceRegions = distinct(cross.map((vpc) => vpc.region));
  const sourceIds = distinct(cross.map((vpc) => vpc.vpcId).filter(known));

  if (!kafkaVpc) {
    add(
      "kafka.vpc",
      `Source VPC(s) ${quoteAll(sourceIds)} are outside the Kafka instance's region ${region}; checking the CEN that ` +
        `connects them needs the Kafka instance's VPC. Set kafka.vpc to { vpcId, cidrBlock, region } of that VPC.`,
    );
  }

  if (!cen) {
    const pairs = sourceRegions.map((r) => `${r} -> ${region}`).join(", ");
    add(
      "cen",
      `A CEN is needed for ${pairs}: set cen to a CEN instance with the source and Kafka VPCs attached and cross-region ` +
        `bandwidth between those regions. The provider will not auto-create a CEN with minimal bandwidth, which causes connection errors.`,
    );
    return;
  }

  const attached = cen.attachedVpcIds ?? [];
  if (!containsUnknown(attached)) {
    const wanted = kafkaVpc && known(kafkaVpc.vpcId) ? [...sourceIds, kafkaVpc.vpcId] : sourceIds;
    const missing = distinct(wanted).filter((id) => !attached.includes(id));
    if (missing.length > 0) {
      add(
        "cen.attachedVpcIds",
        `CEN "${cen.cenId}" does not have VPC(s) ${quoteAll(missing)} attached; a cross-region source is reachable only ` +
          `when both its VPC and the Kafka VPC are attached. Attach them to the CEN and list them in cen.attachedVpcIds.`,
      );
    }
  }

  const bandwidths = cen.bandwidths ?? [];
  if (containsUnknown(bandwidths)) return;
  for (const sourceRegion of sourceRegions) {
    const entries = bandwidths.filter((b) => isPair(b?.regions, sourceRegion, region));
    if (entries.length === 0) {
      add(
        "cen.bandwidths",
        `CEN "${cen.cenId}" has no cross-region bandwidth between ${sourceRegion} and ${region}. Buy a bandwidth package ` +
          `for that region pair and add { regions: ["${sourceRegion}", "${region}"], mbps } to cen.bandwidths.`,
      );
    } else if (!entries.some((b) => Number.isFinite(b.mbps) && b.mbps > 0)) {
      add(
        "cen.bandwidths",
        `CEN "${cen.cenId}" has ${entries[0]!.mbps} Mbps between ${sourceRegion} and ${region}, so no traffic crosses ` +
          `the regions. Assign bandwidth (mbps > 0) to that region pair.`,
      );
    }
  }
}

/** Parses the block of `property`, reporting it if malformed; the parsed block, if well-formed. */
function checkCidr(property: string, text: string, add: Add): Cidr | undefined {
  if (!known(text)) return undefined;
  const cidr = parseCidr(text);
  if (!cidr) {
    add(property, `CIDR block "${text}" is malformed; expected an IPv4 CIDR block such as "${EXAMPLE_CIDR}".`);
  }
  return cidr;
}

// Octets without leading zeros: "010" reads as octal in some tools, so it is rejected, not guessed.
const CIDR_PATTERN = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\/(0|[1-9]\d?)$/;

/**
 * Parses an IPv4 CIDR ("10.0.0.0/8"); undefined if malformed. `base` is the network address as an
 * unsigned 32-bit number, host bits cleared ("10.1.2.3/8" gives the base of 10.0.0.0).
 */
export function parseCidr(text: string): { base: number; prefix: number } | undefined {
  if (typeof text !== "string") return undefined;
  const match = CIDR_PATTERN.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base: (address & mask(prefix)) >>> 0, prefix };
}

/** Whether two IPv4 CIDR blocks share an address; false if either is malformed (that is reported apart). */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x !== undefined && y !== undefined && overlaps(x, y);
}

/** Two blocks overlap iff they agree on the bits of the shorter prefix (one contains the other). */
function overlaps(a: Cidr, b: Cidr): boolean {
  const m = mask(Math.min(a.prefix, b.prefix));
  return ((a.base & m) >>> 0) === ((b.base & m) >>> 0);
}

function mask(prefix: number): number {
  // A shift by 32 is a shift by 0 in JavaScript, so /0 is special-cased.
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function isPair(regions: string[] | undefined, a: string, b: string): boolean {
  if (!Array.isArray(regions) || regions.length !== 2) return false;
  return (regions[0] === a && regions[1] === b) || (regions[0] === b && regions[1] === a);
}

function known<T>(value: T): value is NonNullable<T> {
  return value !== undefined && value !== null && !containsUnknown(value);
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function quoteAll(ids: string[]): string {
  return ids.map((id) => `"${id}"`).join(", ");
}
