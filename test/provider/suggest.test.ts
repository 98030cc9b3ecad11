import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { closest, didYouMean, editDistance } from "../../provider/suggest";

describe("suggestions", () => {
  test("edit distance counts a swap of two letters as one edit", () => {
    assert.equal(editDistance("tabels", "tables"), 1);
    assert.equal(editDistance("compresion", "compression"), 1);
    assert.equal(editDistance("abc", "abc"), 0);
    assert.equal(editDistance("", "abc"), 3);
  });

  test("the closest known name within a slip's distance, or none", () => {
    assert.equal(closest("retention.mss", ["retention.ms", "retention.bytes"]), "retention.ms");
    assert.equal(closest("TABLES", ["tables"]), "tables");
    assert.equal(closest("xyz", ["tables", "source"]), undefined);
    assert.equal(didYouMean("eniBinding", ["eniBindings", "cen"]), "; did you mean eniBindings?");
    assert.equal(didYouMean("q", ["tables"]), "");
  });
});
