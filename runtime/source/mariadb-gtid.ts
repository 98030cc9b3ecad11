/**
 * A MariaDB GTID position ('domain-server-seq' per replication domain, comma-separated), advanced
 * as transactions commit. zongji only tracks the set when it started from a GTID or the end, so the
 * source keeps its own from the offset record's value.
 */
export class MariaDbGtidPosition {
  private readonly byDomain = new Map<string, string>();

  constructor(initial: string | null) {
    for (const part of (initial ?? "").split(",")) this.add(part.trim());
  }

  /** Records a committed GTID 'domain-server-seq'; other forms (MySQL uuid:n) are ignored. */
  add(gtid: string | null | undefined): void {
    if (!gtid) return;
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(gtid);
    if (m) this.byDomain.set(m[1], gtid);
  }

  toString(): string | null {
    if (this.byDomain.size === 0) return null;
    return [...this.byDomain.keys()].sort((a, b) => Number(a) - Number(b)).map((d) => this.byDomain.get(d)).join(",");
  }
}
