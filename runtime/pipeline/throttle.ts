/**
 * The connector's throttle (rows/s and MB/s), for the binlog reader: a token bucket per limit that
 * may go into debt. zongji hands over whole rows events (up to thousands of rows) and cannot stop
 * inside one, so the reader takes what an event holds and then pauses the binlog connection for as
 * long as the debt needs. The burst is 100 ms of the rate, so any 10 s window stays within 1-2 %
 * of the limit.
 */
export interface ThrottleLimits {
  rowsPerSecond?: number;
  bytesPerSecond?: number;
}

interface Bucket {
  rate: number; // per ms
  burst: number;
  tokens: number;
}

const BURST_MS = 100;

export class Throttle {
  private readonly buckets: { rows?: Bucket; bytes?: Bucket };
  private last: number;

  constructor(limits: ThrottleLimits, now = Date.now()) {
    const bucket = (perSecond: number | undefined): Bucket | undefined => {
      if (!perSecond || perSecond <= 0) return undefined;
      const burst = Math.max(1, (perSecond * BURST_MS) / 1000);
      return { rate: perSecond / 1000, burst, tokens: burst };
    };
    this.buckets = { rows: bucket(limits.rowsPerSecond), bytes: bucket(limits.bytesPerSecond) };
    this.last = now;
  }

  get limited(): boolean {
    return this.buckets.rows !== undefined || this.buckets.bytes !== undefined;
  }

  /** Takes rows and bytes just read; returns how long to pause reading (ms), 0 when within the limits. */
  take(rows: number, bytes: number, now = Date.now()): number {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    let wait = 0;
    for (const [bucket, amount] of [[this.buckets.rows, rows], [this.buckets.bytes, bytes]] as const) {
      if (!bucket) continue;
      bucket.tokens = Math.min(bucket.burst, bucket.tokens + elapsed * bucket.rate) - amount;
      if (bucket.tokens < 0) wait = Math.max(wait, -bucket.tokens / bucket.rate);
    }
    return Math.ceil(wait);
  }
}
