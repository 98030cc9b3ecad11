/**
 * Readers of single column values in a binlog row image, each writing the value's DataWorks JSON
 * text (the same text columns.ts writes from zongji's decoded value) into a ByteWriter. They
 * follow zongji's decoding (lib/common.js readMysqlValue) byte for byte; where zongji's output is
 * text that we then parse (dates, DECIMAL), they compute the final value from the bits directly.
 * test/runtime/format/dataworks-image.test.ts checks every reader against zongji on a real server.
 *
 * A reader returns the offset after the value. Temporal readers may also report the source's
 * exact text (the "exact" object of an image) through `exact`.
 */
import type { ByteWriter } from "./byte-writer";
import { epochFromParts, float32Text, doubleText } from "./values";

export type ExactSink = (text: string) => void;
export type ValueReader = (src: Buffer, o: number, out: ByteWriter, exact: ExactSink) => number;

const TWO_32 = 4294967296;

export function readTiny(unsigned: boolean): ValueReader {
  return unsigned
    ? (src, o, out) => (out.int(src[o]), o + 1)
    : (src, o, out) => (out.int((src[o] << 24) >> 24), o + 1);
}

export function readShort(unsigned: boolean): ValueReader {
  return unsigned
    ? (src, o, out) => (out.int(src[o] | (src[o + 1] << 8)), o + 2)
    : (src, o, out) => (out.int(((src[o] | (src[o + 1] << 8)) << 16) >> 16), o + 2);
}

export function readInt24(unsigned: boolean): ValueReader {
  return unsigned
    ? (src, o, out) => (out.int(src[o] | (src[o + 1] << 8) | (src[o + 2] << 16)), o + 3)
    : (src, o, out) => (out.int(((src[o] | (src[o + 1] << 8) | (src[o + 2] << 16)) << 8) >> 8), o + 3);
}

export function readLong(unsigned: boolean): ValueReader {
  return unsigned
    ? (src, o, out) => (out.int((src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)) >>> 0), o + 4)
    : (src, o, out) => (out.int(src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)), o + 4);
}

/** 64-bit integers: a Number while it is exact (|v| < 2^53), else every digit through BigInt. */
export function readLongLong(unsigned: boolean): ValueReader {
  return (src, o, out) => {
    const lo = (src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)) >>> 0;
    const hiBits = src[o + 4] | (src[o + 5] << 8) | (src[o + 6] << 16) | (src[o + 7] << 24);
    const hi = unsigned ? hiBits >>> 0 : hiBits;
    if (hi < 0x200000 && hi >= -0x200000) out.int(hi * TWO_32 + lo);
    else {
      const big = (BigInt(hiBits >>> 0) << 32n) | BigInt(lo);
      out.ascii((unsigned ? big : BigInt.asIntN(64, big)).toString());
    }
    return o + 8;
  };
}

export const readFloat: ValueReader = (src, o, out) => (out.ascii(float32Text(src.readFloatLE(o))), o + 4);
export const readDouble: ValueReader = (src, o, out) => (out.ascii(doubleText(src.readDoubleLE(o))), o + 8);

/** YEAR: one byte, years since 1900; 0 is the year 0000. */
export const readYear: ValueReader = (src, o, out) => (out.int(src[o] === 0 ? 0 : src[o] + 1900), o + 1);

const DECIMAL_BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/** A big-endian group of n bytes of a DECIMAL starting at `first`: its sign bit restored, negative values' bits unflipped. */
function decimalGroup(src: Buffer, first: number, at: number, n: number, flip: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + ((at + i === first ? src[at + i] ^ 0x80 : src[at + i]) ^ flip);
  return v;
}

/**
 * DECIMAL(precision, scale) in MySQL's binary form: groups of 9 digits in 4 big-endian bytes (the
 * leftover digits of each side in fewer), the sign in the first bit, negative values with every
 * bit flipped. Written as a JSON string of exact digits, as zongji's text: no leading zeros,
 * `scale` fraction digits.
 */
export function readDecimal(precision: number, scale: number): ValueReader {
  const integral = precision - scale;
  const fullIntegral = Math.floor(integral / 9);
  const fullFraction = Math.floor(scale / 9);
  const leadDigits = integral - fullIntegral * 9;
  const tailDigits = scale - fullFraction * 9;
  const leadBytes = DECIMAL_BYTES[leadDigits];
  const tailBytes = DECIMAL_BYTES[tailDigits];
  const size = leadBytes + fullIntegral * 4 + fullFraction * 4 + tailBytes;
  return (src, o, out) => {
    const negative = (src[o] & 0x80) === 0;
    const flip = negative ? 0xff : 0;
    let at = o;
    let digits = "";
    if (leadBytes > 0) {
      digits += String(decimalGroup(src, o, at, leadBytes, flip));
      at += leadBytes;
    }
    for (let i = 0; i < fullIntegral; i++, at += 4) digits += String(decimalGroup(src, o, at, 4, flip)).padStart(9, "0");
    let start = 0;
    while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
    let text = (negative ? "-" : "") + (digits.length === 0 ? "0" : digits.slice(start));
    if (scale > 0) {
      text += ".";
      for (let i = 0; i < fullFraction; i++, at += 4) text += String(decimalGroup(src, o, at, 4, flip)).padStart(9, "0");
      if (tailBytes > 0) text += String(decimalGroup(src, o, at, tailBytes, flip)).padStart(tailDigits, "0");
    }
    out.byte(0x22);
    out.ascii(text);
    out.byte(0x22);
    return o + size;
  };
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

function pad4(n: number): string {
  return n >= 1000 ? String(n) : String(n).padStart(4, "0");
}

/** Fraction digits of a DATETIME2/TIMESTAMP2/TIME2 value: ceil(fsp/2) big-endian bytes. */
function fractionOf(src: Buffer, o: number, fsp: number): number {
  let v = 0;
  for (let i = 0, n = (fsp + 1) >> 1; i < n; i++) v = v * 256 + src[o + i];
  // Odd precisions store the digits times ten.
  return fsp % 2 === 1 ? Math.floor(v / 10) : v;
}

/** Writes a temporal value: its epoch ms (or null), and its text where ms cannot carry it. */
function writeTemporal(out: ByteWriter, exact: ExactSink, epoch: number | null, fraction: number, fsp: number, text: () => string): void {
  if (epoch === null) out.ascii("null");
  else out.int(epoch);
  if (epoch === null || (fsp > 3 && fraction % 10 ** (fsp - 3) !== 0)) exact(text());
}

function millisOf(fraction: number, fsp: number): number {
  return fsp > 3 ? Math.floor(fraction / 10 ** (fsp - 3)) : fraction * 10 ** (3 - fsp);
}

function fractionText(fraction: number, fsp: number): string {
  return fsp > 0 ? "." + String(fraction).padStart(fsp, "0") : "";
}

/** DATE: 3 bytes little-endian, day in bits 0–4, month 5–8, year from bit 9; read at the source offset. */
export function readDate(offsetMinutes: number): ValueReader {
  return (src, o, out, exact) => {
    const raw = src[o] | (src[o + 1] << 8) | (src[o + 2] << 16);
    const day = raw & 31;
    const month = (raw >> 5) & 15;
    const year = raw >> 9;
    const epoch = epochFromParts(year, month, day, 0, 0, 0, 0, offsetMinutes);
    writeTemporal(out, exact, epoch, 0, 0, () => `${pad4(year)}-${pad2(month)}-${pad2(day)}`);
    return o + 3;
  };
}

/**
 * DATETIME2: 5 bytes big-endian (sign bit, year*13+month in 17 bits, day 5, hour 5, minute 6,
 * second 6), then the fraction; read at the source offset.
 */
export function readDateTime2(fsp: number, offsetMinutes: number): ValueReader {
  const size = 5 + ((fsp + 1) >> 1);
  return (src, o, out, exact) => {
    const high = (src[o] << 24) | (src[o + 1] << 16) | (src[o + 2] << 8) | src[o + 3];
    const low = (src[o + 1] << 24) | (src[o + 2] << 16) | (src[o + 3] << 8) | src[o + 4];
    const yearMonth = (high & 0x7fffc000) >> 14;
    const year = Math.floor(yearMonth / 13);
    const month = yearMonth % 13;
    const day = (low >>> 17) & 31;
    const hour = (low >>> 12) & 31;
    const minute = (low >>> 6) & 63;
    const second = low & 63;
    const fraction = fsp > 0 ? fractionOf(src, o + 5, fsp) : 0;
    const epoch = epochFromParts(year, month, day, hour, minute, second, millisOf(fraction, fsp), offsetMinutes);
    writeTemporal(out, exact, epoch, fraction, fsp, () =>
      `${pad4(year)}-${pad2(month)}-${pad2(day)} ${pad2(hour)}:${pad2(minute)}:${pad2(second)}${fractionText(fraction, fsp)}`,
    );
    return o + size;
  };
}

/** TIMESTAMP2: 4 bytes big-endian seconds since the epoch (UTC), then the fraction; 0 is the zero timestamp. */
export function readTimestamp2(fsp: number): ValueReader {
  const size = 4 + ((fsp + 1) >> 1);
  return (src, o, out, exact) => {
    const seconds = src.readInt32BE(o);
    const fraction = fsp > 0 ? fractionOf(src, o + 4, fsp) : 0;
    const zero = seconds === 0 && fraction === 0;
    const epoch = zero ? null : seconds * 1000 + millisOf(fraction, fsp);
    writeTemporal(out, exact, epoch, fraction, fsp, () => {
      if (zero) return "0000-00-00 00:00:00" + fractionText(fraction, fsp);
      const d = new Date(seconds * 1000);
      return `${pad4(d.getUTCFullYear())}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${fractionText(fraction, fsp)}`;
    });
    return o + size;
  };
}

/** BIT(n): ceil(n/8) bytes big-endian; BIT(1) is a JSON boolean, wider ones the unsigned number. */
export function readBit(bits: number): ValueReader {
  const size = (bits + 7) >> 3;
  return (src, o, out) => {
    if (bits === 1) {
      out.ascii(src[o] === 0 ? "false" : "true");
      return o + size;
    }
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(src[o + i]);
    out.ascii(v.toString());
    return o + size;
  };
}

/** Length prefix of 1–4 bytes, little-endian. */
function lengthOf(src: Buffer, o: number, size: number): number {
  switch (size) {
    case 1:
      return src[o];
    case 2:
      return src[o] | (src[o + 1] << 8);
    case 3:
      return src[o] | (src[o + 1] << 8) | (src[o + 2] << 16);
    default:
      return (src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)) >>> 0;
  }
}

/** Text in a UTF-8 charset (VARCHAR, CHAR, TEXT): a JSON string of its bytes. */
export function readText(lengthBytes: number): ValueReader {
  return (src, o, out) => {
    const n = lengthOf(src, o, lengthBytes);
    const start = o + lengthBytes;
    writeJsonUtf8(src, start, start + n, out);
    return start + n;
  };
}

/** Binary strings (VARBINARY, BLOB): BYTES, base64 in a JSON string. */
export function readBinary(lengthBytes: number): ValueReader {
  return (src, o, out) => {
    const n = lengthOf(src, o, lengthBytes);
    const start = o + lengthBytes;
    out.byte(0x22);
    out.ascii(src.toString("base64", start, start + n));
    out.byte(0x22);
    return start + n;
  };
}

const HEX = "0123456789abcdef";
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, 0x22: 0x22, 0x5c: 0x5c };

/**
 * Writes src[start, end) as a JSON string, exactly as JSON.stringify writes the text those UTF-8
 * bytes decode to: valid UTF-8 is copied as it is (JSON.stringify escapes nothing above U+001F
 * but `"` and `\`); bytes that are not valid UTF-8 take the slow path through a JS string, so
 * they become U+FFFD as zongji's decoding makes them.
 */
export function writeJsonUtf8(src: Buffer, start: number, end: number, out: ByteWriter): void {
  const from = out.pos;
  out.ensure(end - start + 2);
  let buf = out.buf;
  let o = out.pos;
  buf[o++] = 0x22;
  let i = start;
  while (i < end) {
    const c = src[i];
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
        buf[o++] = c;
        i++;
        continue;
      }
      // An escape grows the text: make room for the rest at up to 6 bytes for this one.
      out.pos = o;
      out.ensure(6 + (end - i));
      buf = out.buf;
      o = out.pos;
      buf[o++] = 0x5c;
      const short = SHORT_ESCAPES[c];
      if (short !== undefined) buf[o++] = short;
      else {
        buf[o++] = 0x75;
        buf[o++] = 0x30;
        buf[o++] = 0x30;
        buf[o++] = HEX.charCodeAt(c >> 4);
        buf[o++] = HEX.charCodeAt(c & 15);
      }
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    let valid = n > 0 && i + n < end;
    if (valid) {
      const c1 = src[i + 1];
      const low = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const high = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      if (c1 < low || c1 > high) valid = false;
      for (let k = 2; valid && k <= n; k++) if ((src[i + k] & 0xc0) !== 0x80) valid = false;
    }
    if (!valid) {
      out.pos = from;
      out.utf8(JSON.stringify(src.toString("utf8", start, end)));
      return;
    }
    for (let k = 0; k <= n; k++) buf[o++] = src[i + k];
    i += n + 1;
  }
  buf[o++] = 0x22;
  out.pos = o;
}
