import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConnectorMetrics, renderPrometheus } from "../../runtime/metrics";
import { Position } from "../../runtime/position";

const HELP_TYPE = [
  ["cdc_rows_total", "counter", "Row changes committed to Kafka."],
  ["cdc_bytes_total", "counter", "Bytes (key + value) committed to Kafka."],
  ["cdc_rows_per_second", "gauge", "Row changes committed per second, over the last 10 s."],
  ["cdc_bytes_per_second", "gauge", "Bytes committed per second, over the last 10 s."],
  ["cdc_queue_bytes", "gauge", "Bytes waiting between the binlog reader and Kafka."],
  ["cdc_lag_seconds", "gauge", "Seconds behind the source: now minus the source time of the last committed transaction, 0 while the source is idle."],
  ["cdc_committed_position", "gauge", "Binlog byte position of the last committed offset (label file: the binlog file)."],
  ["cdc_committed_file_sequence", "gauge", "Sequence number of the binlog file of the last committed offset."],
  ["cdc_dead_letters_total", "counter", "Records over maxRecordBytes sent to the dead letter topic."],
  ["cdc_heartbeats_total", "counter", "Heartbeat records written."],
  ["cdc_errors_total", "counter", "Connector failures by error code."],
  ["cdc_connector_up", "gauge", "1 for the connector's current state."],
] as const;

describe("renderPrometheus", () => {
  test("a connector after a commit and some errors: the whole text", () => {
    const m = new ConnectorMetrics("orders-cdc");
    const eventTime = 1_700_000_000_000;
    m.recordCommit(10, 2048, Position.of("binlog.000012", 4567), eventTime);
    m.recordError("SOURCE_UNREACHABLE");
    m.recordError("SOURCE_UNREACHABLE");
    m.recordError("KAFKA_UNAVAILABLE");
    m.state = "RUNNING";
    m.queueBytes = 512;
    const text = renderPrometheus([m], eventTime + 2500);
    assert.equal(
      text,
      [
        "# HELP cdc_rows_total Row changes committed to Kafka.",
        "# TYPE cdc_rows_total counter",
        'cdc_rows_total{connector="orders-cdc"} 10',
        "# HELP cdc_bytes_total Bytes (key + value) committed to Kafka.",
        "# TYPE cdc_bytes_total counter",
        'cdc_bytes_total{connector="orders-cdc"} 2048',
        "# HELP cdc_rows_per_second Row changes committed per second, over the last 10 s.",
        "# TYPE cdc_rows_per_second gauge",
        'cdc_rows_per_second{connector="orders-cdc"} 0.0',
        "# HELP cdc_bytes_per_second Bytes committed per second, over the last 10 s.",
        "# TYPE cdc_bytes_per_second gauge",
        'cdc_bytes_per_second{connector="orders-cdc"} 0.0',
        "# HELP cdc_queue_bytes Bytes waiting between the binlog reader and Kafka.",
        "# TYPE cdc_queue_bytes gauge",
        'cdc_queue_bytes{connector="orders-cdc"} 512',
        "# HELP cdc_lag_seconds Seconds behind the source: now minus the source time of the last committed transaction, 0 while the source is idle.",
        "# TYPE cdc_lag_seconds gauge",
        'cdc_lag_seconds{connector="orders-cdc"} 2.500',
        "# HELP cdc_committed_position Binlog byte position of the last committed offset (label file: the binlog file).",
        "# TYPE cdc_committed_position gauge",
        'cdc_committed_position{connector="orders-cdc",file="binlog.000012"} 4567',
        "# HELP cdc_committed_file_sequence Sequence number of the binlog file of the last committed offset.",
        "# TYPE cdc_committed_file_sequence gauge",
        'cdc_committed_file_sequence{connector="orders-cdc"} 12',
        "# HELP cdc_dead_letters_total Records over maxRecordBytes sent to the dead letter topic.",
        "# TYPE cdc_dead_letters_total counter",
        'cdc_dead_letters_total{connector="orders-cdc"} 0',
        "# HELP cdc_heartbeats_total Heartbeat records written.",
        "# TYPE cdc_heartbeats_total counter",
        'cdc_heartbeats_total{connector="orders-cdc"} 0',
        "# HELP cdc_errors_total Connector failures by error code.",
        "# TYPE cdc_errors_total counter",
        'cdc_errors_total{connector="orders-cdc",code="SOURCE_UNREACHABLE"} 2',
        'cdc_errors_total{connector="orders-cdc",code="KAFKA_UNAVAILABLE"} 1',
        "# HELP cdc_connector_up 1 for the connector's current state.",
        "# TYPE cdc_connector_up gauge",
        'cdc_connector_up{connector="orders-cdc",state="RUNNING"} 1',
        "",
      ].join("\n"),
    );
  });

  test("a fresh connector: HELP/TYPE for every family, no lag, position or error samples", () => {
    const text = renderPrometheus([new ConnectorMetrics("new-one")], 0);
    const lines = text.split("\n");
    for (const [name, type, help] of HELP_TYPE) {
      assert.ok(lines.includes(`# HELP ${name} ${help}`), name);
      assert.ok(lines.includes(`# TYPE ${name} ${type}`), name);
    }
    assert.ok(lines.includes('cdc_rows_total{connector="new-one"} 0'));
    assert.ok(lines.includes('cdc_connector_up{connector="new-one",state="STARTING"} 1'));
    assert.ok(!text.includes("cdc_lag_seconds{"));
    assert.ok(!text.includes("cdc_committed_position{"));
    assert.ok(!text.includes("cdc_committed_file_sequence{"));
    assert.ok(!text.includes("cdc_errors_total{"));
    assert.ok(text.endsWith("\n"));
  });

  test("several connectors, each with its own samples; counters add up over commits", () => {
    const a = new ConnectorMetrics("a");
    const b = new ConnectorMetrics("b");
    a.recordCommit(3, 300, Position.of("binlog.000001", 100), 1000);
    a.recordCommit(4, 400, Position.of("binlog.000002", 200), 2000);
    b.recordCommit(1, 10, Position.of("mysql-bin.000009", 4), 5000);
    b.state = "FAILED";
    const lines = renderPrometheus([a, b], 10_000).split("\n");
    assert.ok(lines.includes('cdc_rows_total{connector="a"} 7'));
    assert.ok(lines.includes('cdc_bytes_total{connector="a"} 700'));
    assert.ok(lines.includes('cdc_rows_total{connector="b"} 1'));
    assert.ok(lines.includes('cdc_committed_position{connector="a",file="binlog.000002"} 200'));
    assert.ok(lines.includes('cdc_committed_file_sequence{connector="a"} 2'));
    assert.ok(lines.includes('cdc_committed_file_sequence{connector="b"} 9'));
    assert.ok(lines.includes('cdc_lag_seconds{connector="a"} 8.000'));
    assert.ok(lines.includes('cdc_lag_seconds{connector="b"} 5.000'));
    assert.ok(lines.includes('cdc_connector_up{connector="b",state="FAILED"} 1'));
    // samples of one family are together, after its HELP and TYPE
    const rows = lines.findIndex((l) => l.startsWith("# HELP cdc_rows_total"));
    assert.deepEqual(lines.slice(rows, rows + 4), [
      "# HELP cdc_rows_total Row changes committed to Kafka.",
      "# TYPE cdc_rows_total counter",
      'cdc_rows_total{connector="a"} 7',
      'cdc_rows_total{connector="b"} 1',
    ]);
  });

  test("label values are escaped", () => {
    const m = new ConnectorMetrics('we"ird\\name\n');
    m.recordCommit(1, 1, Position.of("bin\\log.000001", 4), 0);
    const text = renderPrometheus([m], 0);
    assert.ok(text.includes('cdc_rows_total{connector="we\\"ird\\\\name\\n"} 1'), text);
    assert.ok(text.includes('file="bin\\\\log.000001"'), text);
  });

  test("no connectors: only HELP and TYPE lines", () => {
    const lines = renderPrometheus([], 0).trimEnd().split("\n");
    assert.equal(lines.length, HELP_TYPE.length * 2);
    assert.ok(lines.every((l) => l.startsWith("# HELP ") || l.startsWith("# TYPE ")));
  });
});

describe("ConnectorMetrics", () => {
  test("lag follows the source time of the last committed transaction, rows or not; 0 while the source is idle", () => {
    const m = new ConnectorMetrics("c");
    assert.equal(m.lagSeconds(1000), undefined);
    m.recordCommit(0, 0, Position.of("binlog.000001", 4), 1000);
    assert.equal(m.lagSeconds(3000), 2);
    m.recordCommit(5, 50, Position.of("binlog.000001", 400), 2000);
    assert.equal(m.lagSeconds(3000), 1);
    m.recordCommit(0, 0, Position.of("binlog.000001", 500), 2900);
    assert.equal(m.lagSeconds(3000), 0.1, "a transaction of other tables is caught up to as well");
    m.recordCommit(0, 0, Position.of("binlog.000001", 500), 1500);
    assert.equal(m.lagSeconds(3000), 0.1, "an older event time never moves the lag back");
    assert.equal(m.lagSeconds(0), 0, "never negative");
    assert.equal(m.committed?.pos, 500);
    m.idleSince = 3000;
    assert.equal(m.lagSeconds(60_000), 0, "idle: 0 however old the last change");
    m.recordCommit(0, 0, Position.of("binlog.000001", 600), 59_000);
    assert.equal(m.lagSeconds(60_000), 0, "an offset-only commit does not end idleness");
    m.recordCommit(1, 10, Position.of("binlog.000001", 700), 58_000);
    assert.equal(m.idleSince, undefined);
    assert.equal(m.lagSeconds(60_000), 1, "a commit with rows does");
  });

  test("dead letters are counted", () => {
    const m = new ConnectorMetrics("c");
    m.recordCommit(3, 30, Position.of("binlog.000001", 4), 1000, 2);
    assert.equal(m.deadLettersTotal, 2);
  });

  test("errors count by code", () => {
    const m = new ConnectorMetrics("c");
    m.recordError("BINLOG_PURGED");
    m.recordError("BINLOG_PURGED");
    m.recordError("INTERNAL");
    assert.deepEqual([...m.errors], [["BINLOG_PURGED", 2], ["INTERNAL", 1]]);
  });

  test("rates are 0 with one sample and rows/bytes per second over the window", () => {
    const m = new ConnectorMetrics("c");
    assert.deepEqual(m.rates(), { rows: 0, bytes: 0 });
    const start = Date.now();
    m.recordCommit(0, 0, Position.of("binlog.000001", 4), 0);
    assert.deepEqual(m.rates(), { rows: 0, bytes: 0 });
    m.recordCommit(100, 10_000, Position.of("binlog.000001", 400), 0);
    const end = Date.now();
    // the first sample is between start and end: 10 s later the rate is 100 rows / ~10 s
    const r = m.rates(end + 10_000);
    assert.ok(r.rows <= 100 / ((end + 10_000 - end) / 1000) && r.rows >= 100 / ((end + 10_000 - start) / 1000), String(r.rows));
    assert.ok(Math.abs(r.bytes - r.rows * 100) < 1e-6, String(r.bytes));
  });
});
