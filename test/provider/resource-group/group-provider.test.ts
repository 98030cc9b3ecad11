import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { check } from "../../../provider/resource-group/group-provider";
import type { GroupCoreInputs } from "../../../provider/resource-group/group-plan";

// During preview, inputs wired from other resources' outputs (e.g. @pulumi/alicloud) are unknown.
describe("ResourceGroup core check with inputs not known yet", () => {
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  test("unknown region, brokers, spec and replication factor give no false failure", async () => {
    const news = { name: "grp", region: UNKNOWN, kafka: { brokers: UNKNOWN, region: "cn-hangzhou" }, spec: UNKNOWN, replicationFactor: UNKNOWN } as unknown as GroupCoreInputs;
    assert.deepEqual((await check(undefined, news)).failures, []);
  });

  test("a known bad value next to unknown ones is still reported", async () => {
    const news = { name: "Bad_Name", region: UNKNOWN, kafka: { brokers: ["k:9092"] } } as unknown as GroupCoreInputs;
    assert.deepEqual((await check(undefined, news)).failures?.map((f) => f.property), ["name"]);
  });
});
