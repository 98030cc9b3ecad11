import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  checkGroupNetwork,
  cidrsOverlap,
  MAX_CONNECTORS_PER_GROUP,
  MAX_ENI_BINDINGS,
  parseCidr,
  SUPPORTED_REGIONS,
  type GroupNetworkInput,
} from "../../../provider/resource-group/network";
import { UNKNOWN, type CenArgs, type VpcArgs } from "../../../provider/types";
import { props, reasonOf } from "../failures";

// Kafka in Hangzhou; one source VPC beside it and one in Beijing, on non-overlapping blocks.
const kafkaVpc: VpcArgs = { vpcId: "vpc-kafka", cidrBlock: "192.168.0.0/16", region: "cn-hangzhou" };
const localVpc: VpcArgs = { vpcId: "vpc-local", cidrBlock: "10.0.0.0/16", region: "cn-hangzhou" };
const remoteVpc: VpcArgs = { vpcId: "vpc-remote", cidrBlock: "172.16.0.0/16", region: "cn-beijing" };
const goodCen: CenArgs = {
  cenId: "cen-1",
  attachedVpcIds: ["vpc-remote", "vpc-kafka"],
  bandwidths: [{ regions: ["cn-hangzhou", "cn-beijing"], mbps: 10 }],
};

function check(overrides: Partial<GroupNetworkInput>) {
  return checkGroupNetwork({ region: "cn-hangzhou", kafkaVpc, sources: [], ...overrides });
}

/** The failures' property paths, in order: each test asserts exactly which inputs are named. */
function paths(input: Partial<GroupNetworkInput>): string[] {
  return props(check(input));
}

function reason(input: Partial<GroupNetworkInput>, property: string): string {
  return reasonOf(check(input), property);
}

describe("limits", () => {
  test("the vendor's resource group limits", () => {
    assert.equal(MAX_ENI_BINDINGS, 2);
    assert.equal(MAX_CONNECTORS_PER_GROUP, 3);
    assert.deepEqual(SUPPORTED_REGIONS, ["cn-shenzhen", "cn-chengdu", "cn-beijing", "cn-zhangjiakou", "cn-hangzhou", "cn-shanghai", "ap-southeast-1"]);
  });
});

describe("valid setups", () => {
  test("same region: the source VPC has an ENI binding", () => {
    assert.deepEqual(check({ sources: [{ vpc: localVpc }], eniBindings: [{ vpcId: "vpc-local", vswitchId: "vsw-1" }] }), []);
  });

  test("cross region: CEN with both VPCs attached and bandwidth (region order ignored)", () => {
    assert.deepEqual(check({ sources: [{ vpc: remoteVpc }], cen: goodCen }), []);
  });

  test("both kinds of source in one group, and no Kafka VPC needed when all sources are local", () => {
    assert.deepEqual(check({ sources: [{ vpc: localVpc }, { vpc: remoteVpc }], eniBindings: [{ vpcId: "vpc-local" }], cen: goodCen }), []);
    assert.deepEqual(check({ kafkaVpc: undefined, sources: [{ vpc: localVpc }], eniBindings: [{ vpcId: "vpc-local" }] }), []);
  });

  test("every supported region passes", () => {
    for (const region of SUPPORTED_REGIONS) {
      assert.deepEqual(checkGroupNetwork({ region, sources: [] }), [], region);
    }
  });
});

describe("rule 1: region", () => {
  test("an unsupported region lists the supported ones", () => {
    const r = reason({ region: "us-west-1", kafkaVpc: undefined }, "region");
    assert.match(r, /^Region "us-west-1" is not supported/);
    assert.ok(r.includes("Deploy the Kafka instance in one of the supported regions: " + SUPPORTED_REGIONS.join(", ") + "."));
  });

  test("an empty region", () => {
    assert.match(reason({ region: "", kafkaVpc: undefined }, "region"), /^The region is not set\. Deploy the Kafka instance/);
  });

  test("a Kafka VPC in another region than the instance", () => {
    const r = reason({ kafkaVpc: { ...kafkaVpc, region: "cn-shanghai" } }, "kafka.vpc.region");
    assert.ok(r.includes('The Kafka VPC "vpc-kafka" is in cn-shanghai but the Kafka instance is in cn-hangzhou'));
  });
});

describe("rule 2: malformed CIDR blocks", () => {
  for (const bad of ["10.0.0.0", "10.0.0/16", "256.0.0.0/8", "10.0.0.0/33", "010.0.0.0/8", "10.0.0.0/08", " 10.0.0.0/8", "a.b.c.d/8", ""]) {
    test(`"${bad}" is rejected`, () => {
      assert.equal(parseCidr(bad), undefined);
    });
  }

  test("source and Kafka blocks are named by path, with the expected form", () => {
    const input = { kafkaVpc: { ...kafkaVpc, cidrBlock: "192.168.0/16" }, sources: [{ vpc: localVpc }, { vpc: { ...localVpc, cidrBlock: "10.0.0.0/40" } }], eniBindings: [{ vpcId: "vpc-local" }] };
    assert.deepEqual(paths(input), ["kafka.vpc.cidrBlock", "sources[1].vpc.cidrBlock"]);
    assert.equal(reason(input, "sources[1].vpc.cidrBlock"), 'CIDR block "10.0.0.0/40" is malformed; expected an IPv4 CIDR block such as "10.0.0.0/16".');
    assert.ok(reason(input, "kafka.vpc.cidrBlock").startsWith('CIDR block "192.168.0/16" is malformed'));
  });
});

describe("parseCidr", () => {
  test("base and prefix; host bits cleared", () => {
    assert.deepEqual(parseCidr("10.0.0.0/8"), { base: 0x0a000000, prefix: 8 });
    assert.deepEqual(parseCidr("255.255.255.255/32"), { base: 0xffffffff, prefix: 32 });
    assert.deepEqual(parseCidr("10.1.2.3/8"), { base: 0x0a000000, prefix: 8 });
    assert.deepEqual(parseCidr("203.0.113.7/0"), { base: 0, prefix: 0 });
  });
});

describe("cidrsOverlap", () => {
  const cases: [string, string, boolean][] = [
    ["10.0.0.0/16", "10.0.0.0/16", true], // identical
    ["10.0.0.0/8", "10.20.30.0/24", true], // containment
    ["10.20.30.0/24", "10.0.0.0/8", true], // containment, other order
    ["10.0.0.0/24", "10.0.1.0/24", false], // adjacent
    ["10.0.0.0/25", "10.0.0.128/25", false], // adjacent halves
    ["10.0.0.5/32", "10.0.0.0/24", true], // one address inside
    ["10.0.0.5/32", "10.0.0.6/32", false], // two different addresses
    ["10.0.0.5/32", "10.0.0.5/32", true],
    ["0.0.0.0/0", "172.16.0.0/12", true], // /0 holds everything
    ["172.16.0.0/12", "172.32.0.0/12", false], // just past the end of 172.16/12
    ["10.0.0.0/16", "not-a-cidr", false], // malformed is reported apart
  ];
  for (const [a, b, expected] of cases) {
    test(`${a} vs ${b}: ${expected}`, () => {
      assert.equal(cidrsOverlap(a, b), expected);
      assert.equal(cidrsOverlap(b, a), expected);
    });
  }
});

describe("rule 3: same-region sources need an ENI binding", () => {
  test("a missing binding names the VPC and the fix", () => {
    const input = { sources: [{ vpc: localVpc }], eniBindings: [{ vpcId: "vpc-other" }] };
    assert.deepEqual(paths(input), ["sources[0].vpc"]);
    const r = reason(input, "sources[0].vpc");
    assert.ok(r.startsWith('Source VPC "vpc-local" is in the group\'s region cn-hangzhou'));
    assert.ok(r.endsWith('Add { vpcId: "vpc-local" } to eniBindings.'));
  });

  test("no eniBindings at all", () => {
    assert.deepEqual(paths({ sources: [{ vpc: localVpc }] }), ["sources[0].vpc"]);
  });

  test("a source without a VPC", () => {
    const r = reason({ sources: [{} as never] }, "sources[0].vpc");
    assert.match(r, /Set sources\[0\]\.vpc to the source database's VPC/);
  });
});

describe("rule 4: eniBindings", () => {
  test("more than the limit gives the count, the limit and a second group", () => {
    const vpcs = ["a", "b", "c"].map((x): VpcArgs => ({ vpcId: `vpc-${x}`, cidrBlock: `10.${x.charCodeAt(0)}.0.0/16`, region: "cn-hangzhou" }));
    const input = { sources: vpcs.map((vpc) => ({ vpc })), eniBindings: vpcs.map((v) => ({ vpcId: v.vpcId })) };
    assert.deepEqual(paths(input), ["eniBindings"]);
    const r = reason(input, "eniBindings");
    assert.ok(r.includes("eniBindings has 3 entries, but a resource group supports at most 2 ENI bindings"));
    assert.ok(r.includes("second ResourceGroup"));
  });

  test("duplicate vpcIds, each named once with its count", () => {
    const input = { sources: [{ vpc: localVpc }], eniBindings: [{ vpcId: "vpc-local" }, { vpcId: "vpc-local" }] };
    assert.deepEqual(check(input), [
      { property: "eniBindings", reason: 'eniBindings binds VPC "vpc-local" 2 times; a VPC takes one binding. Keep one entry for "vpc-local".' },
    ]);
  });
});

describe("rule 5: cross-region sources", () => {
  const remote = { sources: [{ vpc: remoteVpc }] };

  test("the Kafka VPC is required", () => {
    const input = { ...remote, kafkaVpc: undefined, cen: goodCen };
    assert.deepEqual(paths(input), ["kafka.vpc"]);
    assert.ok(reason(input, "kafka.vpc").includes('Source VPC(s) "vpc-remote" are outside the Kafka instance\'s region cn-hangzhou'));
  });

  test("a CEN is required, and never auto-created", () => {
    assert.deepEqual(paths(remote), ["cen"]);
    const r = reason(remote, "cen");
    assert.ok(r.startsWith("A CEN is needed for cn-beijing -> cn-hangzhou:"));
    assert.ok(r.includes("The provider will not auto-create a CEN with minimal bandwidth"));
  });

  test("one CEN failure lists every region pair once", () => {
    const shanghai: VpcArgs = { vpcId: "vpc-sh", cidrBlock: "172.17.0.0/16", region: "cn-shanghai" };
    const input = { sources: [{ vpc: remoteVpc }, { vpc: shanghai }, { vpc: { ...remoteVpc, vpcId: "vpc-remote2", cidrBlock: "172.18.0.0/16" } }] };
    assert.ok(reason(input, "cen").startsWith("A CEN is needed for cn-beijing -> cn-hangzhou, cn-shanghai -> cn-hangzhou:"));
  });

  test("both VPCs must be attached; the missing ones are named", () => {
    const r = reason({ ...remote, cen: { ...goodCen, attachedVpcIds: [] } }, "cen.attachedVpcIds");
    assert.ok(r.startsWith('CEN "cen-1" does not have VPC(s) "vpc-remote", "vpc-kafka" attached'));
    assert.ok(reason({ ...remote, cen: { ...goodCen, attachedVpcIds: ["vpc-remote"] } }, "cen.attachedVpcIds").includes('VPC(s) "vpc-kafka" attached'));
  });

  test("bandwidth for another pair, or not exactly the pair, does not count", () => {
    for (const regions of [["cn-hangzhou", "cn-shanghai"], ["cn-beijing"], ["cn-beijing", "cn-hangzhou", "cn-shanghai"]]) {
      const input = { ...remote, cen: { ...goodCen, bandwidths: [{ regions, mbps: 10 }] } };
      assert.deepEqual(paths(input), ["cen.bandwidths"], regions.join());
      const r = reason(input, "cen.bandwidths");
      assert.ok(r.startsWith('CEN "cen-1" has no cross-region bandwidth between cn-beijing and cn-hangzhou.'));
      assert.ok(r.includes('add { regions: ["cn-beijing", "cn-hangzhou"], mbps } to cen.bandwidths'));
    }
  });

  test("a 0 Mbps entry has its own message", () => {
    const r = reason({ ...remote, cen: { ...goodCen, bandwidths: [{ regions: ["cn-beijing", "cn-hangzhou"], mbps: 0 }] } }, "cen.bandwidths");
    assert.ok(r.startsWith('CEN "cen-1" has 0 Mbps between cn-beijing and cn-hangzhou'));
    assert.ok(r.includes("mbps > 0"));
  });

  test("a positive entry beside a 0 Mbps one is enough", () => {
    const bandwidths = [{ regions: ["cn-beijing", "cn-hangzhou"], mbps: 0 }, { regions: ["cn-hangzhou", "cn-beijing"], mbps: 2 }];
    assert.deepEqual(check({ ...remote, cen: { ...goodCen, bandwidths } }), []);
  });
});

describe("rule 6: overlapping source and Kafka blocks", () => {
  test("an overlap names both blocks", () => {
    const input = { sources: [{ vpc: { ...remoteVpc, cidrBlock: "192.168.10.0/24" } }], cen: goodCen };
    assert.deepEqual(paths(input), ["sources[0].vpc.cidrBlock"]);
    const r = reason(input, "sources[0].vpc.cidrBlock");
    assert.ok(r.startsWith('Source VPC "vpc-remote" (192.168.10.0/24) overlaps the Kafka VPC "vpc-kafka" (192.168.0.0/16)'));
    assert.ok(r.includes("non-overlapping CIDR blocks"));
  });

  test("the same VPC for source and Kafka is one network, not an overlap", () => {
    assert.deepEqual(check({ sources: [{ vpc: kafkaVpc }], eniBindings: [{ vpcId: "vpc-kafka" }] }), []);
  });

  test("adjacent blocks do not overlap; /0 overlaps everything; a /32 inside does", () => {
    const local = (cidrBlock: string) => ({ sources: [{ vpc: { ...localVpc, cidrBlock } }], eniBindings: [{ vpcId: "vpc-local" }] });
    assert.deepEqual(check(local("192.169.0.0/16")), []);
    assert.deepEqual(paths(local("0.0.0.0/0")), ["sources[0].vpc.cidrBlock"]);
    assert.deepEqual(paths(local("192.168.255.255/32")), ["sources[0].vpc.cidrBlock"]);
  });
});

describe("all failures at once", () => {
  test("every rule reports in one pass, in input order", () => {
    const failures = checkGroupNetwork({
      region: "eu-central-1",
      sources: [
        { vpc: { vpcId: "vpc-a", cidrBlock: "10.0.0.0/16", region: "eu-central-1" } },
        { vpc: { vpcId: "vpc-b", cidrBlock: "bad", region: "eu-central-1" } },
        { vpc: { vpcId: "vpc-c", cidrBlock: "10.2.0.0/16", region: "cn-beijing" } },
      ],
      eniBindings: [{ vpcId: "vpc-x" }, { vpcId: "vpc-x" }, { vpcId: "vpc-y" }],
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["region", "eniBindings", "eniBindings", "sources[0].vpc", "sources[1].vpc.cidrBlock", "sources[1].vpc", "kafka.vpc", "cen"],
    );
    assert.ok(failures[4]!.reason.includes('"bad" is malformed'));
    assert.ok(failures[7]!.reason.includes("cn-beijing -> eu-central-1"));
  });

  test("deterministic: the same input gives the same failures", () => {
    const input = { sources: [{ vpc: remoteVpc }, { vpc: localVpc }], cen: { ...goodCen, attachedVpcIds: [], bandwidths: [] } };
    assert.deepEqual(check(input), check(input));
    assert.deepEqual(paths(input), ["sources[1].vpc", "cen.attachedVpcIds", "cen.bandwidths"]);
  });
});

describe("values not known yet (preview)", () => {
  test("checks that depend on an unknown value are skipped", () => {
    assert.deepEqual(check({ region: UNKNOWN, sources: [{ vpc: { ...localVpc, region: UNKNOWN } }] }), []);
    assert.deepEqual(check({ sources: [{ vpc: { ...localVpc, cidrBlock: UNKNOWN } }], eniBindings: UNKNOWN as never }), []);
    assert.deepEqual(check({ sources: [{ vpc: remoteVpc }], cen: { cenId: "cen-1", attachedVpcIds: UNKNOWN as never, bandwidths: [UNKNOWN as never] } }), []);
  });
});
