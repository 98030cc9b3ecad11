import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bitValue, doubleText, float32Text, integerJson, offsetMinutes, parseTemporal, yearValue } from "../../../runtime/format/values";

describe("float32Text", () => {
  test("the widened float32 of 0.1 prints as 0.1", () => {
    assert.equal(float32Text(0.10000000149011612), "0.1");
  });

  test("other float32 values print in their shortest form", () => {
    assert.equal(float32Text(3.4028234663852886e38), "3.4028235e+38");
    assert.equal(float32Text(1.5), "1.5");
    assert.equal(float32Text(-0.25), "-0.25");
    assert.equal(float32Text(0), "0");
    assert.equal(float32Text(Math.fround(3.14159)), "3.14159");
    assert.equal(float32Text(Math.fround(-123.456)), "-123.456");
    assert.equal(float32Text(16777216), "16777216");
    assert.equal(float32Text(Math.fround(1e-45)), "1e-45");
  });

  test("the result reads back as the same float32", () => {
    for (const v of [0.1, 0.2, 0.3, 1 / 3, 2.5e-8, 123456.789, -7.77e20]) {
      const f = Math.fround(v);
      assert.equal(Math.fround(Number(float32Text(f))), f, String(v));
    }
  });

  test("non-finite values are null", () => {
    assert.equal(float32Text(Number.NaN), "null");
    assert.equal(float32Text(Number.POSITIVE_INFINITY), "null");
    assert.equal(float32Text(Number.NEGATIVE_INFINITY), "null");
  });
});

describe("doubleText", () => {
  test("keeps the double and maps non-finite to null", () => {
    assert.equal(doubleText(0.1), "0.1");
    assert.equal(doubleText(-1.7976931348623157e308), "-1.7976931348623157e+308");
    assert.equal(doubleText(Number.NaN), "null");
  });
});

describe("integerJson", () => {
  test("keeps every digit of 64-bit values given as strings", () => {
    assert.equal(integerJson("18446744073709551615"), "18446744073709551615");
    assert.equal(integerJson("-9223372036854775808"), "-9223372036854775808");
    assert.equal(integerJson("9223372036854775807"), "9223372036854775807");
  });

  test("numbers and bigints", () => {
    assert.equal(integerJson(0), "0");
    assert.equal(integerJson(-42), "-42");
    assert.equal(integerJson(9007199254740991), "9007199254740991");
    assert.equal(integerJson(18446744073709551615n), "18446744073709551615");
  });

  test("a fractional number is truncated toward zero", () => {
    assert.equal(integerJson(7.9), "7");
    assert.equal(integerJson(-7.9), "-7");
  });
});

describe("parseTemporal", () => {
  test("a DATETIME with microseconds is subMillisecond", () => {
    assert.deepEqual(parseTemporal("2024-01-02 03:04:05.123456", 0), {
      epochMs: Date.UTC(2024, 0, 2, 3, 4, 5, 123),
      subMillisecond: true,
    });
    assert.deepEqual(parseTemporal("2024-01-02 03:04:05.000001", 0), { epochMs: Date.UTC(2024, 0, 2, 3, 4, 5, 0), subMillisecond: true });
  });

  test("trailing zero microseconds are not subMillisecond", () => {
    assert.deepEqual(parseTemporal("2024-01-02 03:04:05.123000", 0), { epochMs: Date.UTC(2024, 0, 2, 3, 4, 5, 123), subMillisecond: false });
  });

  test("short fractions are milliseconds", () => {
    assert.equal(parseTemporal("2024-01-02 03:04:05.1", 0).epochMs, Date.UTC(2024, 0, 2, 3, 4, 5, 100));
    assert.equal(parseTemporal("2024-01-02 03:04:05.12", 0).epochMs, Date.UTC(2024, 0, 2, 3, 4, 5, 120));
  });

  test("dates without a time are midnight", () => {
    assert.deepEqual(parseTemporal("2021-03-02", 0), { epochMs: 1614643200000, subMillisecond: false });
    assert.deepEqual(parseTemporal("1970-01-01", 0), { epochMs: 0, subMillisecond: false });
  });

  test("zero dates and zero parts have no epoch value", () => {
    assert.deepEqual(parseTemporal("0000-00-00 00:00:00", 0), { epochMs: null, subMillisecond: false });
    assert.deepEqual(parseTemporal("0000-00-00", 0), { epochMs: null, subMillisecond: false });
    assert.deepEqual(parseTemporal("2024-00-10", 0), { epochMs: null, subMillisecond: false });
    assert.deepEqual(parseTemporal("2024-05-00", 0), { epochMs: null, subMillisecond: false });
    assert.deepEqual(parseTemporal("0000-00-00 00:00:00.000001", 0), { epochMs: null, subMillisecond: true });
  });

  test("invalid calendar dates (ALLOW_INVALID_DATES) have no epoch value", () => {
    assert.deepEqual(parseTemporal("2024-02-30", 0), { epochMs: null, subMillisecond: false });
    assert.deepEqual(parseTemporal("2023-02-29", 0), { epochMs: null, subMillisecond: false });
    assert.deepEqual(parseTemporal("2024-04-31 10:00:00", 0), { epochMs: null, subMillisecond: false });
    assert.equal(parseTemporal("2024-02-29", 0).epochMs, Date.UTC(2024, 1, 29));
  });

  test("the offset east of UTC is subtracted", () => {
    // 08:00 at +08:00 is midnight UTC.
    assert.equal(parseTemporal("2024-01-01 08:00:00", offsetMinutes("+08:00")).epochMs, Date.UTC(2024, 0, 1, 0, 0, 0));
    assert.equal(parseTemporal("2024-01-01 00:00:00", offsetMinutes("-05:30")).epochMs, Date.UTC(2024, 0, 1, 5, 30, 0));
    assert.equal(parseTemporal("1970-01-01", 480).epochMs, -28_800_000);
  });

  test("years below 100 are not moved to the 1900s", () => {
    assert.equal(parseTemporal("0099-12-31", 0).epochMs, Date.parse("0099-12-31T00:00:00Z"));
    assert.equal(parseTemporal("0001-01-01 00:00:00", 0).epochMs, Date.parse("0001-01-01T00:00:00Z"));
  });

  test("a T separator is accepted, other text is not a date", () => {
    assert.equal(parseTemporal("2024-01-01T08:00:00", 0).epochMs, Date.UTC(2024, 0, 1, 8));
    assert.deepEqual(parseTemporal("garbage", 0), { epochMs: null, subMillisecond: false });
    assert.deepEqual(parseTemporal("2024-01-01 08:00", 0), { epochMs: null, subMillisecond: false });
    assert.deepEqual(parseTemporal("2024-01-01 08:00:00.1234567", 0), { epochMs: null, subMillisecond: false });
  });
});

describe("offsetMinutes", () => {
  test("parses signed offsets", () => {
    assert.equal(offsetMinutes("+08:00"), 480);
    assert.equal(offsetMinutes("-05:30"), -330);
    assert.equal(offsetMinutes("+00:00"), 0);
    assert.equal(offsetMinutes("+14:00"), 840);
  });

  test("rejects other text", () => {
    assert.throws(() => offsetMinutes("8:00"), { name: "TypeError", message: "not a UTC offset: 8:00" });
    assert.throws(() => offsetMinutes("UTC"), TypeError);
  });
});

describe("yearValue and bitValue", () => {
  test("YEAR 0000 (decoded by zongji as 1900) is 0", () => {
    assert.equal(yearValue(1900), 0);
    assert.equal(yearValue(1901), 1901);
    assert.equal(yearValue(2155), 2155);
  });

  test("bitValue reads big-endian bytes", () => {
    assert.equal(bitValue(Buffer.from([0x01])), 1n);
    assert.equal(bitValue(Buffer.from([0x00])), 0n);
    assert.equal(bitValue(Buffer.from([0x01, 0x00])), 256n);
    assert.equal(bitValue(Buffer.from([0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01])), 9223372036854775809n);
    assert.equal(bitValue(Buffer.alloc(8, 0xff)), 18446744073709551615n);
    assert.equal(bitValue(Buffer.alloc(0)), 0n);
  });
});
