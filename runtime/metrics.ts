/**
 * Per-connector metrics, rendered in the Prometheus text format at /metrics:
 *   cdc_rows_total, cdc_bytes_total                 counters of records committed to Kafka
 *   cdc_rows_per_second, cdc_bytes_per_second       rates over the last 10 s
 *   cdc_queue_bytes                                 bytes waiting between the binlog reader and Kafka
 *   cdc_lag_seconds                                 seconds behind the source (0 while it is idle)
 *   cdc_dead_letters_total                          records sent to the dead letter topic
 *   cdc_heartbeats_total                            heartbeat records written
 *   cdc_committed_position{file}                    byte position of the last committed offset
 *   cdc_committed_file_sequence                     the binlog file's sequence number
 *   cdc_errors_total{code}                          failures by error code
 *   cdc_connector_up{state}                         1 for the connector's current state
 */
import type { ConnectorState } from "./contract/records";
import type { ErrorCode } from "./errors";
import type { Position } from "./position";

const RATE_WINDOW_MS = 10_000;

export class ConnectorMetrics {
  rowsTotal = 0;
  bytesTotal = 0;
  queueBytes = 0;
  lastEventTime: number | undefined;
  /** Set while the source is idle and everything read is committed (lag 0); cleared by the next commit with rows. */
  idleSince: number | undefined;
  deadLettersTotal = 0;
  heartbeatsTotal = 0;
  committed: Position | undefined;
  state: ConnectorState = "STARTING";
  readonly errors = new Map<ErrorCode, number>();
  private readonly samples: { at: number; rows: number; bytes: number }[] = [];

  constructor(readonly connector: string) {}

  recordCommit(rows: number, bytes: number, position: Position, eventTime: number, deadLetters = 0): void {
    this.rowsTotal += rows;
    this.bytesTotal += bytes;
    this.deadLettersTotal += deadLetters;
    this.committed = position;
    // The checkpoint's event time is the source time of the last transaction read, whatever its
    // tables: an offset-only commit shows the connector is caught up to it.
    // Unknown (NaN) at a first start until the first source transaction: no lag to tell yet.
    if (Number.isFinite(eventTime)) this.lastEventTime = this.lastEventTime === undefined ? eventTime : Math.max(this.lastEventTime, eventTime);
    if (rows > 0) this.idleSince = undefined;
    const now = Date.now();
    this.samples.push({ at: now, rows: this.rowsTotal, bytes: this.bytesTotal });
    while (this.samples.length > 2 && now - this.samples[1].at > RATE_WINDOW_MS) this.samples.shift();
  }

  recordError(code: ErrorCode): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  rates(now = Date.now()): { rows: number; bytes: number } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last === first) return { rows: 0, bytes: 0 };
    const seconds = Math.max((now - first.at) / 1000, 0.001);
    return { rows: (last.rows - first.rows) / seconds, bytes: (last.bytes - first.bytes) / seconds };
  }

  /** Seconds behind the source: 0 while it is idle and all is committed, else now - the last committed change's source time. */
  lagSeconds(now = Date.now()): number | undefined {
    if (this.idleSince !== undefined) return 0;
    return this.lastEventTime === undefined ? undefined : Math.max(0, (now - this.lastEventTime) / 1000);
  }
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function renderPrometheus(all: ConnectorMetrics[], now = Date.now()): string {
  const out: string[] = [];
  const family = (name: string, type: "counter" | "gauge", help: string, lines: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  const label = (m: ConnectorMetrics, extra = "") => `{connector="${esc(m.connector)}"${extra}}`;
  family("cdc_rows_total", "counter", "Row changes committed to Kafka.", all.map((m) => `cdc_rows_total${label(m)} ${m.rowsTotal}`));
  family("cdc_bytes_total", "counter", "Bytes (key + value) committed to Kafka.", all.map((m) => `cdc_bytes_total${label(m)} ${m.bytesTotal}`));
  family("cdc_rows_per_second", "gauge", "Row changes committed per second, over the last 10 s.", all.map((m) => `cdc_rows_per_second${label(m)} ${m.rates(now).rows.toFixed(1)}`));
  family("cdc_bytes_per_second", "gauge", "Bytes committed per second, over the last 10 s.", all.map((m) => `cdc_bytes_per_second${label(m)} ${m.rates(now).bytes.toFixed(1)}`));
  family("cdc_queue_bytes", "gauge", "Bytes waiting between the binlog reader and Kafka.", all.map((m) => `cdc_queue_bytes${label(m)} ${m.queueBytes}`));
  family(
    "cdc_lag_seconds",
    "gauge",
    "Seconds behind the source: now minus the source time of the last committed transaction, 0 while the source is idle.",
    all.flatMap((m) => {
      const lag = m.lagSeconds(now);
      return lag === undefined ? [] : [`cdc_lag_seconds${label(m)} ${lag.toFixed(3)}`];
    }),
  );
  family(
    "cdc_committed_position",
    "gauge",
    "Binlog byte position of the last committed offset (label file: the binlog file).",
    all.flatMap((m) => (m.committed ? [`cdc_committed_position${label(m, `,file="${esc(m.committed.file)}"`)} ${m.committed.pos}`] : [])),
  );
  family(
    "cdc_committed_file_sequence",
    "gauge",
    "Sequence number of the binlog file of the last committed offset.",
    all.flatMap((m) => {
      const seq = m.committed ? /\.(\d+)$/.exec(m.committed.file)?.[1] : undefined;
      return seq ? [`cdc_committed_file_sequence${label(m)} ${Number(seq)}`] : [];
    }),
  );
  family("cdc_dead_letters_total", "counter", "Records over maxRecordBytes sent to the dead letter topic.", all.map((m) => `cdc_dead_letters_total${label(m)} ${m.deadLettersTotal}`));
  family("cdc_heartbeats_total", "counter", "Heartbeat records written.", all.map((m) => `cdc_heartbeats_total${label(m)} ${m.heartbeatsTotal}`));
  family("cdc_errors_total", "counter", "Connector failures by error code.", all.flatMap((m) => [...m.errors].map(([code, n]) => `cdc_errors_total${label(m, `,code="${code}"`)} ${n}`)));
  family("cdc_connector_up", "gauge", "1 for the connector's current state.", all.map((m) => `cdc_connector_up${label(m, `,state="${m.state}"`)} 1`));
  return out.join("\n") + "\n";
}
