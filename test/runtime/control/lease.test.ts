import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AssignerProtocol } from "kafkajs";
import { chooseHolder, leaseAssigner, leaseGroupId } from "../../../runtime/control/lease";

describe("lease holder choice", () => {
  const members = [
    { memberId: "m-c", workerId: "worker-b" },
    { memberId: "m-a", workerId: "worker-a" },
    { memberId: "m-b", workerId: "worker-c" },
  ];

  test("rank mod members, in worker order: n connectors on n workers land one on each", () => {
    assert.deepEqual([0, 1, 2, 3].map((rank) => chooseHolder(members, rank)?.workerId), ["worker-a", "worker-b", "worker-c", "worker-a"]);
  });

  test("the member order given does not matter; equal worker ids are ordered by member id", () => {
    assert.equal(chooseHolder([...members].reverse(), 1)?.workerId, "worker-b");
    const twins = [{ memberId: "m-2", workerId: "w" }, { memberId: "m-1", workerId: "w" }];
    assert.equal(chooseHolder(twins, 0)?.memberId, "m-1");
  });

  test("no members, no holder; a rank of -1 (a connector not yet known) still picks one", () => {
    assert.equal(chooseHolder([], 0), undefined);
    assert.equal(chooseHolder(members, -1)?.workerId, "worker-c");
  });

  test("the group is connect-<connector>", () => {
    assert.equal(leaseGroupId("orders"), "connect-orders");
  });
});

describe("lease assigner", () => {
  const assigner = (worker: string, rank: number) => leaseAssigner(worker, () => rank)({} as never);
  const metadata = (worker: string, topic: string, rank: number) => assigner(worker, rank).protocol({ topics: [topic] }).metadata;
  const decode = (assignments: { memberId: string; memberAssignment: Buffer }[]) =>
    Object.fromEntries(assignments.map((a) => [a.memberId, AssignerProtocol.MemberAssignment.decode(a.memberAssignment)?.assignment]));

  test("gives partition 0 of the leases topic to the member the rank picks, by the worker ids in the members' metadata", async () => {
    const members = [
      { memberId: "m1", memberMetadata: metadata("worker-b", "cdc-g-leases", 1) },
      { memberId: "m2", memberMetadata: metadata("worker-a", "cdc-g-leases", 1) },
    ];
    assert.deepEqual(decode(await assigner("worker-a", 1).assign({ members, topics: ["cdc-g-leases"] })), { m1: { "cdc-g-leases": [0] }, m2: {} });
  });

  test("connectors of the same name in two resource groups share connect-<name> but each leases topic gets its own holder", async () => {
    const members = [
      { memberId: "g1-a", memberMetadata: metadata("worker-a", "cdc-g1-leases", 0) },
      { memberId: "g2-a", memberMetadata: metadata("worker-a", "cdc-g2-leases", 1) },
      { memberId: "g2-b", memberMetadata: metadata("worker-b", "cdc-g2-leases", 1) },
    ];
    // kafkajs passes the leader's own subscription only; every member's topic is assigned anyway.
    const assignments = await assigner("worker-a", 0).assign({ members, topics: ["cdc-g1-leases"] });
    assert.deepEqual(decode(assignments), { "g1-a": { "cdc-g1-leases": [0] }, "g2-a": {}, "g2-b": { "cdc-g2-leases": [0] } });
  });
});
