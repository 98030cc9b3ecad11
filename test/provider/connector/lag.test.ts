/**
 * judgeLag: the refresh warning when a connector's lag approaches the source's binlog retention.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { judgeLag, LAG_WARNING_SHARE } from "../../../provider/connector/lag";

const HOUR = 3600;
const DAY = 24 * HOUR;
const ADVICE =
  "if it falls further behind, the binlog it needs is purged and it fails with BINLOG_PURGED. Raise the retention (7 days recommended) or find why it is slow (throttle, runtime resources).";

describe("judgeLag", () => {
  test("warns from half the retention on", () => {
    assert.equal(LAG_WARNING_SHARE, 0.5);
  });

  test("a retention of 0 (binlogs never purged) never warns", () => {
    assert.equal(judgeLag(0, 0), undefined);
    assert.equal(judgeLag(30 * DAY, 0), undefined);
  });

  test("a negative (unknown) retention never warns", () => {
    assert.equal(judgeLag(30 * DAY, -1), undefined);
  });

  test("below half the retention: no warning", () => {
    assert.equal(judgeLag(0, DAY), undefined);
    assert.equal(judgeLag(12 * HOUR - 1, DAY), undefined);
    assert.equal(judgeLag(3 * DAY, 7 * DAY), undefined);
  });

  test("exactly half the retention: the warning, with hours and percentage", () => {
    assert.equal(judgeLag(12 * HOUR, DAY), `it is 12.0 h behind the source, 50% of the binlog retention (24.0 h); ${ADVICE}`);
  });

  test("above half", () => {
    assert.equal(judgeLag(18 * HOUR, DAY), `it is 18.0 h behind the source, 75% of the binlog retention (24.0 h); ${ADVICE}`);
    // 4 days of 7: 57.14% rounds to 57.
    assert.equal(judgeLag(4 * DAY, 7 * DAY), `it is 96.0 h behind the source, 57% of the binlog retention (168.0 h); ${ADVICE}`);
  });

  test("past the retention", () => {
    assert.equal(judgeLag(36 * HOUR, DAY), `it is 36.0 h behind the source, 150% of the binlog retention (24.0 h); ${ADVICE}`);
  });

  test("hours to one decimal, percentage rounded", () => {
    // 5400 s = 1.5 h of a 3 h retention; 5401 s of 10000 s is 54.01%.
    assert.match(judgeLag(5400, 3 * HOUR)!, /^it is 1\.5 h behind the source, 50% of the binlog retention \(3\.0 h\); /);
    assert.match(judgeLag(5401, 10000)!, /^it is 1\.5 h behind the source, 54% of the binlog retention \(2\.8 h\); /);
    assert.match(judgeLag(6000, 10000)!, /, 60% of the binlog retention \(2\.8 h\); /);
  });

  test("the message names the fatal error code", () => {
    assert.match(judgeLag(DAY, DAY)!, /BINLOG_PURGED/);
    assert.match(judgeLag(DAY, DAY)!, /100% of the binlog retention/);
  });
});
