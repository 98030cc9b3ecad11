/**
 * ResourceGroup core's pure logic: validateGroupInputs (its own rules plus the network checks) and
 * diffGroupCore (only a new name replaces).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_GROUP_SPEC,
  diffGroupCore,
  GROUP_STATE_VERSION,
  validateGroupInputs,
  type GroupCoreInputs,
  type GroupCoreOutputs,
} from "../../../provider/resource-group/group-plan";
import { groupTopics } from "../../../runtime/contract/names";
import type { CheckFailure } from "../../../provider/types";
import { props } from "../failures";

function inputs(overrides: Partial<GroupCoreInputs> = {}): GroupCoreInputs {
  return { name: "grp", region: "cn-hangzhou", kafka: { brokers: ["127.0.0.1:9092"] }, ...overrides };
}

function outputs(overrides: Partial<GroupCoreInputs> = {}): GroupCoreOutputs {
  const i = inputs(overrides);
  return { ...i, groupKey: Buffer.alloc(32, 3).toString("base64"), topics: groupTopics(i.name), stateVersion: GROUP_STATE_VERSION };
}

function validate(overrides: Partial<GroupCoreInputs>): CheckFailure[] {
  return validateGroupInputs(inputs(overrides));
}


describe("constants", () => {
  test("the vendor's group spec and the state version", () => {
    assert.deepEqual(DEFAULT_GROUP_SPEC, { cpu: 4, memoryGb: 8 });
    assert.equal(GROUP_STATE_VERSION, 1);
  });
});

describe("validateGroupInputs", () => {
  test("valid inputs have no failures", () => {
    assert.deepEqual(validateGroupInputs(inputs()), []);
    assert.deepEqual(
      validate({
        kafka: { brokers: ["a:9092"], region: "cn-hangzhou", vpc: { vpcId: "vpc-k", cidrBlock: "192.168.0.0/16", region: "cn-hangzhou" } },
        sources: [{ vpc: { vpcId: "vpc-s", cidrBlock: "10.0.0.0/16", region: "cn-hangzhou" } }],
        eniBindings: [{ vpcId: "vpc-s" }],
        spec: { cpu: 4, memoryGb: 8 },
        replicationFactor: 3,
      }),
      [],
    );
  });

  describe("name", () => {
    test("the connector-name rules, explaining that it names the internal topics", () => {
      assert.deepEqual(validate({ name: "" }), [
        { property: "name", reason: '"" is empty; give 1 to 48 characters (it is part of the internal topic names cdc-<name>-configs ...)' },
      ]);
      assert.deepEqual(validate({ name: undefined as unknown as string }), [
        { property: "name", reason: '"" is empty; give 1 to 48 characters (it is part of the internal topic names cdc-<name>-configs ...)' },
      ]);
      assert.deepEqual(validate({ name: "My_Grp" }), [
        {
          property: "name",
          reason: '"My_Grp" contains "M", "_", "G"; use only digits, lowercase letters and hyphens (it is part of the internal topic names cdc-<name>-configs ...)',
        },
      ]);
      assert.deepEqual(validate({ name: "-grp" }), [
        {
          property: "name",
          reason: '"-grp" starts with a hyphen; start it with a digit or a lowercase letter (it is part of the internal topic names cdc-<name>-configs ...)',
        },
      ]);
      const long = "g".repeat(49);
      assert.deepEqual(validate({ name: long }), [
        { property: "name", reason: `"${long}" is 49 characters long; the limit is 48 (it is part of the internal topic names cdc-<name>-configs ...)` },
      ]);
    });

    test("valid names", () => {
      for (const name of ["g", "0", "grp-1", "g".repeat(48)]) assert.deepEqual(validate({ name }), [], name);
    });
  });

  test("kafka.brokers: at least one", () => {
    const reason = 'must list at least one bootstrap server, e.g. ["10.0.0.5:9092"]';
    assert.deepEqual(validate({ kafka: { brokers: [] } }), [{ property: "kafka.brokers", reason }]);
    assert.deepEqual(validate({ kafka: undefined as unknown as GroupCoreInputs["kafka"] }), [{ property: "kafka.brokers", reason }]);
  });

  test("kafka.region must be the group's region", () => {
    assert.deepEqual(validate({ kafka: { brokers: ["a:9092"], region: "cn-beijing" } }), [
      {
        property: "kafka.region",
        reason: "is cn-beijing but the group's region is cn-hangzhou: the resource group runs in the Kafka instance's region; give the same region",
      },
    ]);
    assert.deepEqual(validate({ kafka: { brokers: ["a:9092"], region: "cn-hangzhou" } }), []);
    assert.deepEqual(validate({ kafka: { brokers: ["a:9092"] } }), []);
  });

  describe("spec", () => {
    test("cpu: more than 0, at most 64", () => {
      for (const cpu of [0.1, 0.5, 4, 64]) assert.deepEqual(validate({ spec: { cpu, memoryGb: 8 } }), [], String(cpu));
      for (const cpu of [0, -1, 65]) {
        assert.deepEqual(validate({ spec: { cpu, memoryGb: 8 } }), [{ property: "spec.cpu", reason: `must be a number of vCPUs from 0.1 to 64, got ${cpu}` }]);
      }
      assert.deepEqual(validate({ spec: { cpu: "4" as unknown as number, memoryGb: 8 } }), [
        { property: "spec.cpu", reason: 'must be a number of vCPUs from 0.1 to 64, got "4"' },
      ]);
      assert.deepEqual(validate({ spec: { cpu: NaN, memoryGb: 8 } }), [{ property: "spec.cpu", reason: "must be a number of vCPUs from 0.1 to 64, got null" }]);
    });

    test("memoryGb: 0.25 to 512", () => {
      for (const memoryGb of [0.25, 1, 512]) assert.deepEqual(validate({ spec: { cpu: 4, memoryGb } }), [], String(memoryGb));
      for (const memoryGb of [0.2, 0, 513]) {
        assert.deepEqual(validate({ spec: { cpu: 4, memoryGb } }), [
          { property: "spec.memoryGb", reason: `must be a number of GB from 0.25 to 512, got ${memoryGb}` },
        ]);
      }
    });

    test("both at once; a missing field is reported", () => {
      assert.deepEqual(props(validate({ spec: { cpu: 0, memoryGb: 1000 } })), ["spec.cpu", "spec.memoryGb"]);
      assert.deepEqual(validate({ spec: { cpu: 2 } as GroupCoreInputs["spec"] }), [
        { property: "spec.memoryGb", reason: "must be a number of GB from 0.25 to 512, got undefined" },
      ]);
    });
  });

  test("replicationFactor: a whole number from 1 to 32", () => {
    assert.deepEqual(validate({ replicationFactor: 1 }), []);
    assert.deepEqual(validate({ replicationFactor: 32 }), []);
    for (const rf of [0, 33, 2.5]) {
      assert.deepEqual(validate({ replicationFactor: rf }), [{ property: "replicationFactor", reason: `must be a whole number from 1 to 32, got ${rf}` }]);
    }
  });

  describe("network failures are included", () => {
    test("an unsupported region", () => {
      assert.deepEqual(validate({ region: "us-east-1" }), [
        {
          property: "region",
          reason:
            'Region "us-east-1" is not supported by the MySQL source connector\'s resource group. Deploy the Kafka instance in one of the supported regions: cn-shenzhen, cn-chengdu, cn-beijing, cn-zhangjiakou, cn-hangzhou, cn-shanghai, ap-southeast-1.',
        },
      ]);
    });

    test("a source VPC without an ENI binding, a malformed CIDR, too many bindings", () => {
      const failures = validate({
        kafka: { brokers: ["a:9092"], vpc: { vpcId: "vpc-k", cidrBlock: "192.168.0.0/33", region: "cn-hangzhou" } },
        sources: [{ vpc: { vpcId: "vpc-s", cidrBlock: "10.0.0.0/16", region: "cn-hangzhou" } }],
        eniBindings: [{ vpcId: "a" }, { vpcId: "b" }, { vpcId: "c" }],
      });
      assert.deepEqual(props(failures), ["kafka.vpc.cidrBlock", "eniBindings", "sources[0].vpc"]);
    });

    test("a cross-region source without a CEN", () => {
      const failures = validate({
        kafka: { brokers: ["a:9092"], vpc: { vpcId: "vpc-k", cidrBlock: "192.168.0.0/16", region: "cn-hangzhou" } },
        sources: [{ vpc: { vpcId: "vpc-r", cidrBlock: "10.0.0.0/16", region: "cn-beijing" } }],
      });
      assert.deepEqual(props(failures), ["cen"]);
      assert.match(failures[0]!.reason, /^A CEN is needed for cn-beijing -> cn-hangzhou:/);
    });

    test("the group's own failures come first, then the network's", () => {
      const failures = validate({ name: "", region: "mars-1", kafka: { brokers: [], region: "cn-hangzhou" }, replicationFactor: 0 });
      assert.deepEqual(props(failures), ["name", "kafka.brokers", "kafka.region", "replicationFactor", "region"]);
    });
  });
});

describe("diffGroupCore", () => {
  test("the same inputs: no changes (groupKey, topics and stateVersion are outputs only)", () => {
    assert.deepEqual(diffGroupCore(outputs(), inputs()), { changes: false, replaces: [] });
    const full: Partial<GroupCoreInputs> = {
      kafka: { brokers: ["a:9092", "b:9092"], region: "cn-hangzhou" },
      sources: [{ vpc: { vpcId: "vpc-s", cidrBlock: "10.0.0.0/16", region: "cn-hangzhou" } }],
      eniBindings: [{ vpcId: "vpc-s" }],
      spec: { cpu: 4, memoryGb: 8 },
      replicationFactor: 3,
    };
    assert.deepEqual(diffGroupCore(outputs(full), inputs(full)), { changes: false, replaces: [] });
  });

  test("key order and undefined fields do not count as changes", () => {
    const olds = outputs({ spec: { cpu: 4, memoryGb: 8 } });
    const news: GroupCoreInputs = { spec: { memoryGb: 8, cpu: 4 }, kafka: { brokers: ["127.0.0.1:9092"] }, region: "cn-hangzhou", name: "grp", cen: undefined };
    assert.deepEqual(diffGroupCore(olds, news), { changes: false, replaces: [] });
  });

  test("another provider text (__provider: a new version or install path of the package) is no change", () => {
    const olds = { ...outputs(), __provider: "exports.handler = /* old copy */ () => ({})" } as GroupCoreOutputs;
    const news = { ...inputs(), __provider: "exports.handler = /* new copy */ () => ({})" } as GroupCoreInputs;
    assert.deepEqual(diffGroupCore(olds, news), { changes: false, replaces: [] });
    assert.deepEqual(diffGroupCore(olds, { ...news, replicationFactor: 2 } as GroupCoreInputs), { changes: true, replaces: [] });
  });

  test("a new name replaces", () => {
    assert.deepEqual(diffGroupCore(outputs(), inputs({ name: "grp2" })), { changes: true, replaces: ["name"] });
  });

  test("other inputs change in place", () => {
    const cases: Partial<GroupCoreInputs>[] = [
      { spec: { cpu: 8, memoryGb: 16 } },
      { replicationFactor: 3 },
      { region: "cn-shanghai" },
      { eniBindings: [{ vpcId: "vpc-s" }] },
      { sources: [{ vpc: { vpcId: "vpc-s", cidrBlock: "10.0.0.0/16", region: "cn-hangzhou" } }] },
      { kafka: { brokers: ["127.0.0.1:9092"], instanceId: "alikafka-1" } },
    ];
    for (const c of cases) assert.deepEqual(diffGroupCore(outputs(), inputs(c)), { changes: true, replaces: [] }, JSON.stringify(c));
  });

  test("new brokers are a change", () => {
    assert.equal(diffGroupCore(outputs(), inputs({ kafka: { brokers: ["10.0.0.5:9092"] } })).changes, true);
  });

  test("a rename together with other changes replaces only on name", () => {
    assert.deepEqual(diffGroupCore(outputs(), inputs({ name: "grp2", replicationFactor: 2 })), { changes: true, replaces: ["name"] });
  });
});
