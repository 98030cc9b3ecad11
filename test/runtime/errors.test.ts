import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CdcError,
  combineErrors,
  ERROR_SPECS,
  classifyKafkaError,
  classifyMysqlError,
  isCdcError,
  redactSecrets,
  type ErrorCode,
} from "../../runtime/errors";

function mysqlError(code: string, errno: number | undefined, message: string): Error & { code: string; errno?: number } {
  return Object.assign(new Error(message), { code, errno });
}

function kafkaError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  const e = Object.assign(new Error(message), extra);
  e.name = name;
  return e;
}

describe("CdcError", () => {
  test("every code's message is `CODE: reason Fix: fix`", () => {
    for (const code of Object.keys(ERROR_SPECS) as ErrorCode[]) {
      const e = new CdcError(code, "something happened.");
      assert.equal(e.message, `${code}: something happened. Fix: ${ERROR_SPECS[code].fix}`);
      assert.ok(e.message.includes("Fix:"));
      assert.equal(e.code, code);
      assert.equal(e.reason, "something happened.");
      assert.equal(e.fix, ERROR_SPECS[code].fix);
      assert.equal(e.retriable, ERROR_SPECS[code].retriable);
      assert.equal(e.name, "CdcError");
      assert.ok(ERROR_SPECS[code].fix.length > 10);
    }
  });

  test("retriable flags of the codes the runtime retries", () => {
    const retriable = (Object.keys(ERROR_SPECS) as ErrorCode[]).filter((c) => ERROR_SPECS[c].retriable).sort();
    assert.deepEqual(retriable, ["KAFKA_REQUEST_FAILED", "KAFKA_UNAVAILABLE", "SOURCE_CONNECTION_LOST", "SOURCE_QUERY_FAILED", "SOURCE_UNREACHABLE"]);
  });

  test("keeps the cause", () => {
    const cause = new Error("root");
    assert.equal(new CdcError("INTERNAL", "x", { cause }).cause, cause);
  });

  test("combineErrors keeps the first code and numbers every failure with its fix", () => {
    const errors = [new CdcError("BINLOG_DISABLED", "log_bin is OFF."), new CdcError("TABLE_MISSING", "no table t.")];
    const all = combineErrors(errors);
    assert.equal(all.code, "BINLOG_DISABLED");
    assert.equal(
      all.reason,
      `2 checks failed: (1) BINLOG_DISABLED: log_bin is OFF. Fix: ${errors[0].fix} (2) TABLE_MISSING: no table t. Fix: ${errors[1].fix}`,
    );
    assert.equal(combineErrors([errors[1]]), errors[1]);
  });

  test("isCdcError", () => {
    assert.equal(isCdcError(new CdcError("INTERNAL", "x")), true);
    assert.equal(isCdcError(new Error("x")), false);
    assert.equal(isCdcError({ code: "INTERNAL" }), false);
  });
});

describe("classifyMysqlError", () => {
  test("1045 is SOURCE_AUTH_FAILED", () => {
    const cause = mysqlError("ER_ACCESS_DENIED_ERROR", 1045, "Access denied for user 'cdc'@'10.0.0.9' (using password: YES)");
    const e = classifyMysqlError(cause, "connecting to db:3306 as cdc");
    assert.equal(e.code, "SOURCE_AUTH_FAILED");
    assert.equal(e.retriable, false);
    assert.equal(e.reason, "connecting to db:3306 as cdc: the database refused the login (ER_ACCESS_DENIED_ERROR).");
    assert.equal(e.cause, cause);
    assert.ok(e.message.includes("Fix:"));
  });

  test("1236 is BINLOG_PURGED with the server's message", () => {
    const e = classifyMysqlError(
      mysqlError("ER_MASTER_FATAL_ERROR_READING_BINLOG", 1236, "Could not find first log file name in binary log index file"),
      "reading the binlog",
    );
    assert.equal(e.code, "BINLOG_PURGED");
    assert.equal(e.retriable, false);
    assert.equal(
      e.reason,
      "reading the binlog: the server cannot send the binlog from the requested position (MySQL error 1236: Could not find first log file name in binary log index file).",
    );
  });

  test("1227 and 1044 are GRANT_MISSING, 1049 and 1146 TABLE_MISSING", () => {
    assert.equal(classifyMysqlError(mysqlError("ER_SPECIFIC_ACCESS_DENIED_ERROR", 1227, "need REPLICATION SLAVE"), "x").code, "GRANT_MISSING");
    assert.equal(classifyMysqlError(mysqlError("ER_DBACCESS_DENIED_ERROR", 1044, "denied"), "x").code, "GRANT_MISSING");
    assert.equal(classifyMysqlError(mysqlError("ER_BAD_DB_ERROR", 1049, "Unknown database 'shop'"), "x").code, "TABLE_MISSING");
    const missing = classifyMysqlError(mysqlError("ER_NO_SUCH_TABLE", 1146, "Table 'shop.orders' doesn't exist"), "reading orders");
    assert.equal(missing.code, "TABLE_MISSING");
    assert.equal(missing.reason, "reading orders: Table 'shop.orders' doesn't exist.");
  });

  test("network codes are SOURCE_UNREACHABLE and retriable", () => {
    for (const code of ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT"]) {
      const e = classifyMysqlError(mysqlError(code, undefined, `connect ${code} 10.0.0.1:3306`), "connecting to db:3306");
      assert.equal(e.code, "SOURCE_UNREACHABLE", code);
      assert.equal(e.retriable, true);
      assert.equal(e.reason, `connecting to db:3306: cannot connect to the database (${code}).`);
    }
  });

  test("a lost connection is SOURCE_CONNECTION_LOST and retriable", () => {
    for (const code of ["PROTOCOL_CONNECTION_LOST", "ECONNRESET", "EPIPE", "PROTOCOL_SEQUENCE_TIMEOUT"]) {
      const e = classifyMysqlError(mysqlError(code, undefined, "Connection lost: The server closed the connection."), "streaming");
      assert.equal(e.code, "SOURCE_CONNECTION_LOST", code);
      assert.equal(e.retriable, true);
      assert.equal(e.reason, `streaming: the connection to the database was lost (${code}).`);
    }
    assert.equal(classifyMysqlError(mysqlError("ER_SERVER_SHUTDOWN", 1053, "Server shutdown in progress"), "x").code, "SOURCE_CONNECTION_LOST");
  });

  test("another server error is SOURCE_QUERY_FAILED with its errno", () => {
    const e = classifyMysqlError(mysqlError("ER_LOCK_WAIT_TIMEOUT", 1205, "Lock wait timeout exceeded"), "querying");
    assert.equal(e.code, "SOURCE_QUERY_FAILED");
    assert.equal(e.retriable, true);
    assert.equal(e.reason, "querying: ER_LOCK_WAIT_TIMEOUT (1205): Lock wait timeout exceeded.");
  });

  test("anything else is INTERNAL", () => {
    const e = classifyMysqlError(new TypeError("cannot read properties of undefined"), "decoding");
    assert.equal(e.code, "INTERNAL");
    assert.equal(e.retriable, false);
    assert.equal(e.reason, "decoding: cannot read properties of undefined");
    assert.equal(classifyMysqlError("boom", "x").reason, "x: boom");
  });

  test("a CdcError passes through unchanged", () => {
    const original = new CdcError("BINLOG_PURGED", "gone.");
    assert.equal(classifyMysqlError(original, "x"), original);
    assert.equal(classifyKafkaError(original, "x"), original);
  });

  test("passwords in server messages are masked", () => {
    const e = classifyMysqlError(
      mysqlError("ER_PARSE_ERROR", 1064, "You have an error in your SQL syntax near 'IDENTIFIED BY 'hunter2'' at line 1"),
      "granting",
    );
    assert.equal(e.code, "SOURCE_QUERY_FAILED");
    assert.ok(!e.message.includes("hunter2"), e.message);
    assert.ok(e.message.includes("IDENTIFIED BY '***'"), e.message);
  });
});

describe("classifyKafkaError", () => {
  test("fencing types are KAFKA_FENCED, also when wrapped", () => {
    for (const type of ["INVALID_PRODUCER_EPOCH", "PRODUCER_FENCED"]) {
      const e = classifyKafkaError(kafkaError("KafkaJSProtocolError", "fenced", { type, retriable: false }), "committing");
      assert.equal(e.code, "KAFKA_FENCED");
      assert.equal(e.retriable, false);
      assert.equal(e.reason, `committing: ${type}.`);
    }
    const wrapped = kafkaError("KafkaJSNumberOfRetriesExceeded", "retries", { originalError: { type: "PRODUCER_FENCED" } });
    assert.equal(classifyKafkaError(wrapped, "committing").code, "KAFKA_FENCED");
  });

  test("missing ACLs are KAFKA_NOT_AUTHORIZED (a permissions fix), not fencing", () => {
    for (const type of ["TRANSACTIONAL_ID_AUTHORIZATION_FAILED", "TOPIC_AUTHORIZATION_FAILED", "GROUP_AUTHORIZATION_FAILED"]) {
      const e = classifyKafkaError(kafkaError("KafkaJSProtocolError", "denied", { type, retriable: false }), "committing");
      assert.equal(e.code, "KAFKA_NOT_AUTHORIZED");
      assert.equal(e.retriable, false);
      assert.match(e.fix, /ACLs/);
    }
  });

  test("UNKNOWN_TOPIC_OR_PARTITION is TOPIC_MISSING", () => {
    const e = classifyKafkaError(kafkaError("KafkaJSProtocolError", "This server does not host this topic-partition", { type: "UNKNOWN_TOPIC_OR_PARTITION" }), "sending");
    assert.equal(e.code, "TOPIC_MISSING");
    assert.equal(e.reason, "sending: This server does not host this topic-partition.");
  });

  test("retries exhausted on a topic that is gone are TOPIC_MISSING; on a retriable protocol error they stay KAFKA_UNAVAILABLE", () => {
    const gone = kafkaError("KafkaJSProtocolError", "This server does not host this topic-partition", { type: "UNKNOWN_TOPIC_OR_PARTITION" });
    const e = classifyKafkaError(Object.assign(kafkaError("KafkaJSNumberOfRetriesExceeded", "This server does not host this topic-partition"), { cause: gone }), "reading the offsets of topic t");
    assert.equal(e.code, "TOPIC_MISSING");
    const leader = kafkaError("KafkaJSProtocolError", "There is no leader for this topic-partition", { type: "LEADER_NOT_AVAILABLE" });
    const busy = classifyKafkaError(Object.assign(kafkaError("KafkaJSNumberOfRetriesExceeded", "There is no leader"), { cause: leader }), "sending");
    assert.equal(busy.code, "KAFKA_UNAVAILABLE");
  });

  test("MESSAGE_TOO_LARGE and RECORD_LIST_TOO_LARGE are RECORD_TOO_LARGE", () => {
    for (const type of ["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"]) {
      const e = classifyKafkaError(kafkaError("KafkaJSProtocolError", "too large", { type }), "sending");
      assert.equal(e.code, "RECORD_TOO_LARGE");
      assert.equal(e.reason, `sending: the broker rejected a record as too large (${type}).`);
    }
  });

  test("a KafkaJSNonRetriableError is judged by its cause (kafkajs's retrier wraps the real error)", () => {
    const cause = kafkaError("KafkaJSGroupCoordinatorNotFound", "Failed to find group coordinator");
    const wrapped = Object.assign(kafkaError("KafkaJSNonRetriableError", "Failed to find group coordinator", { retriable: false }), { cause });
    const e = classifyKafkaError(wrapped, "committing a Kafka transaction");
    assert.equal(e.code, "KAFKA_UNAVAILABLE");
    assert.equal(e.retriable, true);
    const bare = classifyKafkaError(kafkaError("KafkaJSNonRetriableError", "Cannot continue to use transaction once ended", { retriable: false }), "committing");
    assert.equal(bare.code, "INTERNAL");
  });

  test("connection errors by class name are KAFKA_UNAVAILABLE and retriable", () => {
    for (const name of ["KafkaJSConnectionError", "KafkaJSRequestTimeoutError", "KafkaJSNumberOfRetriesExceeded", "KafkaJSBrokerNotFound", "KafkaJSGroupCoordinatorNotFound", "KafkaJSTimeout"]) {
      const e = classifyKafkaError(kafkaError(name, "Connection error: connect ECONNREFUSED 127.0.0.1:9092"), "connecting");
      assert.equal(e.code, "KAFKA_UNAVAILABLE", name);
      assert.equal(e.retriable, true);
      assert.equal(e.reason, `connecting: ${name}: Connection error: connect ECONNREFUSED 127.0.0.1:9092.`);
    }
  });

  test("other kafkajs errors: retriable ones are KAFKA_REQUEST_FAILED, others INTERNAL", () => {
    const retriable = classifyKafkaError(
      kafkaError("KafkaJSProtocolError", "not the leader", { type: "NOT_LEADER_OR_FOLLOWER", retriable: true }),
      "sending",
    );
    assert.equal(retriable.code, "KAFKA_REQUEST_FAILED");
    assert.equal(retriable.retriable, true);
    assert.equal(retriable.reason, "sending: KafkaJSProtocolError (NOT_LEADER_OR_FOLLOWER): not the leader.");
    const fatal = classifyKafkaError(kafkaError("KafkaJSProtocolError", "bad", { type: "INVALID_REQUEST", retriable: false }), "sending");
    assert.equal(fatal.code, "INTERNAL");
    assert.equal(fatal.retriable, false);
    const noType = classifyKafkaError(kafkaError("KafkaJSError", "odd"), "sending");
    assert.equal(noType.code, "KAFKA_REQUEST_FAILED");
    assert.equal(noType.reason, "sending: KafkaJSError: odd.");
  });

  test("non-kafkajs errors are INTERNAL", () => {
    const e = classifyKafkaError(new RangeError("offset out of range"), "building");
    assert.equal(e.code, "INTERNAL");
    assert.equal(e.reason, "building: offset out of range");
  });

  test("every classified message contains Fix:", () => {
    const samples = [
      classifyKafkaError(kafkaError("KafkaJSConnectionError", "x"), "a"),
      classifyKafkaError(kafkaError("KafkaJSProtocolError", "x", { type: "PRODUCER_FENCED" }), "a"),
      classifyKafkaError(null, "a"),
      classifyMysqlError(undefined, "a"),
      classifyMysqlError(mysqlError("ECONNREFUSED", undefined, "x"), "a"),
    ];
    for (const e of samples) assert.match(e.message, / Fix: \S/);
  });
});

describe("redactSecrets", () => {
  test("password=... and password: ... assignments", () => {
    assert.equal(redactSecrets("mysql://cdc@db?password=hunter2&x=1"), "mysql://cdc@db?password=***");
    assert.equal(redactSecrets("password = hunter2 rest"), "password = *** rest");
    assert.equal(redactSecrets('{"user":"cdc","password":"hunter 2"}'), '{"user":"cdc","password":***}');
    assert.equal(redactSecrets("PASSWORD: 'a b c' done"), "PASSWORD: *** done");
  });

  test("IDENTIFIED BY '...' in any quoting and case", () => {
    assert.equal(redactSecrets("CREATE USER 'cdc'@'%' IDENTIFIED BY 'hunter2'"), "CREATE USER 'cdc'@'%' IDENTIFIED BY '***'");
    assert.equal(redactSecrets('alter user cdc identified  by "hunter2"'), "alter user cdc identified  by '***'");
  });

  test("the PASSWORD '*hash' of SHOW GRANTS", () => {
    const line = "GRANT USAGE ON *.* TO `cdc`@`%` IDENTIFIED BY PASSWORD '*3BADBEEF6D1C1B2D7B4CF2B5A8E0E4C97C1F0A11'";
    assert.equal(redactSecrets(line), "GRANT USAGE ON *.* TO `cdc`@`%` IDENTIFIED BY PASSWORD '***'");
  });

  test("text without secrets is unchanged", () => {
    const text = "binlog_format is STATEMENT; it must be ROW.";
    assert.equal(redactSecrets(text), text);
  });
});
