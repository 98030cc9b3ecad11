/**
 * A growing arena of message bytes. Messages written straight from binlog row images
 * (dataworks-image.ts) land here, and their records are views into it: nothing is copied per row
 * until the records are encoded for Kafka.
 *
 * One record is written at a time between begin() and the views taken of it. Offsets given out
 * while a record is written (mark()) are relative to the record's start, because the arena may
 * move the record into a new chunk when the current one runs out; chunks are never reused, so
 * views taken earlier stay valid for as long as their records live.
 */
export class ByteWriter {
  buf: Buffer;
  pos = 0;
  private start = 0;

  constructor(private readonly chunkBytes = 1024 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** Starts a record. */
  begin(): void {
    this.start = this.pos;
  }

  /** Drops what was written since begin(). */
  rollback(): void {
    this.pos = this.start;
  }

  /** The current offset, relative to the record's start. */
  mark(): number {
    return this.pos - this.start;
  }

  /** A view of the record's bytes [from, to) (relative offsets). */
  view(from: number, to: number): Buffer {
    return this.buf.subarray(this.start + from, this.start + to);
  }

  /** Makes room for n more bytes; `buf` may change (re-read it after calling). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, (used + n) * 2));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  /** Writes a string of characters below U+0080 (digits, JSON punctuation, base64). */
  ascii(text: string): void {
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    let o = this.pos;
    for (let i = 0; i < n; i++) buf[o++] = text.charCodeAt(i);
    this.pos = o;
  }

  /** Writes an integer as decimal digits (exact for |value| < 2^53). */
  int(value: number): void {
    this.ensure(17);
    const buf = this.buf;
    let o = this.pos;
    if (value < 0) {
      buf[o++] = 0x2d;
      value = -value;
    }
    if (value < 10) {
      buf[o++] = 0x30 + value;
      this.pos = o;
      return;
    }
    // Digits backwards into place: count them first.
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    let at = o + digits;
    this.pos = at;
    while (value >= 10) {
      const q = Math.floor(value / 10);
      buf[--at] = 0x30 + (value - q * 10);
      value = q;
    }
    buf[--at] = 0x30 + value;
  }

  /** Writes any string as UTF-8. */
  utf8(text: string): void {
    this.ensure(text.length * 3);
    this.pos += this.buf.write(text, this.pos, "utf8");
  }

  /** Copies bytes (short constants byte by byte: cheaper than a native copy). */
  bytes(data: Uint8Array): void {
    const n = data.length;
    this.ensure(n);
    if (n > 64) {
      this.buf.set(data, this.pos);
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let o = this.pos;
    for (let i = 0; i < n; i++) buf[o++] = data[i];
    this.pos = o;
  }

  /** Copies bytes [from, to) of the current record (relative offsets) to the end. */
  repeat(from: number, to: number): void {
    const n = to - from;
    this.ensure(n);
    const buf = this.buf;
    let o = this.pos;
    for (let i = this.start + from, end = this.start + to; i < end; i++) buf[o++] = buf[i];
    this.pos = o;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }
}
