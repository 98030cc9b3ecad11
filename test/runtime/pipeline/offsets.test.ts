import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeOffsetRecord } from "../../../runtime/contract/records";
import { offsetWrite } from "../../../runtime/pipeline/offsets";
import { Position } from "../../../runtime/position";

// The offset record a checkpoint writes: its event time is left out while unknown (a first start,
// before any source transaction), never written as null or as the runtime's clock.
test("an unknown event time is left out of the offset record; a known one is kept", () => {
  const position = Position.of("binlog.000002", 4, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
  const unknown = offsetWrite("offsets", "c1", { position, sequence: 7n, eventTime: NaN });
  const record = JSON.parse(unknown.value.toString("utf8"));
  assert.equal("eventTime" in record, false);
  assert.equal(decodeOffsetRecord(unknown.value)?.eventTime, undefined);
  assert.deepEqual(decodeOffsetRecord(unknown.value)?.position.toJSON(), position.toJSON());
  const known = offsetWrite("offsets", "c1", { position, sequence: 7n, eventTime: 1700000000000 });
  assert.equal(decodeOffsetRecord(known.value)?.eventTime, 1700000000000);
});
