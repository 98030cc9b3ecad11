/**
 * Conversions of the values zongji decodes (connection options dateStrings: true, timezone 'Z')
 * into exact JSON text. Every function returns JSON text, not JS values, so 64-bit integers and
 * DECIMAL(65,30) keep every digit.
 */

/** JSON text of an integer that zongji gives as a number (within ±2^53−1) or a decimal string. */
export function integerJson(value: number | string | bigint): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Math.trunc(value));
  return BigInt(value).toString();
}

/**
 * The shortest decimal that reads back as the same float32. zongji widens FLOAT to float64
 * (0.1 becomes 0.10000000149011612); MySQL shows 0.1, and so do we.
 */
export function float32Text(value: number): string {
  if (!Number.isFinite(value)) return "null";
  const f = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return String(candidate);
  }
  return String(f);
}

export function doubleText(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/** Unsigned integer value of a BIT(n) column's big-endian bytes, as decimal text. */
export function bitValue(buffer: Buffer): bigint {
  let v = 0n;
  for (const byte of buffer) v = (v << 8n) | BigInt(byte);
  return v;
}

const TEMPORAL = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;

export interface ParsedTemporal {
  /** Unix time in ms, or null for a zero or otherwise unrepresentable date ('0000-00-00', '2024-00-10'). */
  epochMs: number | null;
  /** True when the text holds digits below the millisecond, which epochMs cannot carry. */
  subMillisecond: boolean;
}

/**
 * Reads 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' as a time at `offsetMinutes` east of UTC.
 * MySQL allows zero dates and zero parts (month or day 00); those have no epoch value.
 */
export function parseTemporal(text: string, offsetMinutes: number): ParsedTemporal {
  const m = TEMPORAL.exec(text);
  if (!m) return { epochMs: null, subMillisecond: false };
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const fraction = m[7] ?? "";
  const subMillisecond = fraction.length > 3 && /[1-9]/.test(fraction.slice(3));
  const ms = Number((fraction + "000").slice(0, 3));
  return { epochMs: epochFromParts(year, month, day, Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms, offsetMinutes), subMillisecond };
}

/**
 * Unix time in ms of a date and time at `offsetMinutes` east of UTC, or null for a zero or
 * otherwise unrepresentable date (month or day 00, 2023-02-30 under ALLOW_INVALID_DATES).
 */
export function epochFromParts(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offsetMinutes: number): number | null {
  if (month === 0 || day === 0) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Every month has a 28th, and Date.UTC reads years from 100 on as they are: no check needed.
  if (day <= 28 && year >= 100) return utc - offsetMinutes * 60_000;
  // Date.UTC maps years 0–99 to 1900–1999; MySQL's years 1000–9999 are unaffected, but be exact.
  const d = new Date(utc);
  if (year < 100) d.setUTCFullYear(year);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return d.getTime() - offsetMinutes * 60_000;
}

/** "+08:00" → 480. */
export function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) throw new TypeError(`not a UTC offset: ${offset}`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === "-" ? -minutes : minutes;
}

/** zongji decodes YEAR 0000 as 1900 (a year YEAR cannot hold: its range is 1901–2155 and 0000). */
export function yearValue(value: number): number {
  return value === 1900 ? 0 : value;
}
