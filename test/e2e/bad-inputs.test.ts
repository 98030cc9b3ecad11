/**
 * End to end, the real Pulumi engine: bad inputs, each fed to `pulumi up` on an empty stack.
 * Each must fail in preview with a message that names the property, says what is wrong and how
 * to fix it, and leave nothing behind: no resource in the state, no topic, no config record, no
 * account, no runtime process. The table of inputs and messages is docs/BAD-INPUTS.md; the
 * secured connections' bad inputs are in bad-secured-inputs.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startKafka } from "../bench/kafka";
import { kafkaOf, uniqueName } from "../runtime/fixtures";
import { conn, createBadInputsStack, group, topics, type BadInputsStack } from "./bad-inputs-harness";

let stack: BadInputsStack;
const noSelect = uniqueName("nosel");

before(async () => {
  stack = await createBadInputsStack("cdc-bad");
  await stack.admin.query(`CREATE USER '${noSelect}'@'%' IDENTIFIED BY 'nosel-pw'`);
  await stack.admin.query(`GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '${noSelect}'@'%'`);
});

after(async () => {
  await stack?.admin.query(`DROP USER IF EXISTS '${noSelect}'@'%'`).catch(() => undefined);
  await stack?.cleanup();
});

describe("bad inputs: refused in preview, naming the property, nothing created", () => {
  test("the baseline program is valid (preview passes)", async () => {
    stack.setSpec({});
    const r = await stack.pulumi(["preview"]);
    assert.equal(r.code, 0, r.out);
  });

  // Failures of one resource come together (its check collects them all): the cases of one
  // resource share a preview. (Another resource's failures would not show: the engine stops at
  // the first resource that fails its check.)
  test("a misspelt Connector option, a connector name given as a number, a password given as a number (not shown)", async () => {
    const out = await stack.refused(conn({ compresion: "zstd", name: 42, source: { password: 918273645 } }), /property compresion value \{zstd\} has a problem: is not a property of Connector; did you mean compression\?/, "918273645");
    assert.match(out, /property name value \{42\} has a problem: must be text of 1 to 48 digits, lowercase letters and hyphens, got a number/);
    assert.match(out, /property source\.password: must be text, got a number \(its value is not shown\)/);
  });

  test("a misspelt TopicSet property, and retainOnDelete given as a string", async () => {
    const out = await stack.refused(topics({ tabels: ["orders"], retainOnDelete: "yes" }), /property tabels .*has a problem: is not a property of TopicSet; did you mean tables\?/);
    assert.match(out, /property retainOnDelete value \{yes\} has a problem: must be true or false, got a string/);
  });

  test("a misspelt ResourceGroup property", async () => {
    await stack.refused(group({ eniBinding: [{ vpcId: "vpc-db" }] }), /property eniBinding .*has a problem: is not a property of ResourceGroup; did you mean eniBindings\?/);
  });

  test("a broker written as a URL, and one without its port", async () => {
    const out = await stack.refused(topics({ kafka: { brokers: ["kafka://127.0.0.1:9092", "127.0.0.1"] } }), /property kafka\.brokers\[0\] value "kafka:\/\/127\.0\.0\.1:9092": "kafka:\/\/127\.0\.0\.1:9092" is a URL; give "host:port" without the scheme/);
    assert.match(out, /property kafka\.brokers\[1\] value "127\.0\.0\.1": "127\.0\.0\.1" is not "host:port"/);
  });

  test("two connectors with one name in the program", async () => {
    const spec = { connectors: [{ key: "conn", args: { name: `${stack.tag}-same` } }, { key: "conn2", topicSet: "topics2", args: { name: `${stack.tag}-same` } }], topicSets: [{ key: "topics" }, { key: "topics2" }] };
    await stack.refused(spec, new RegExp(`connector name "${stack.tag}-same" is also given to another Connector of this program`));
  });

  test("two connectors with one prefix in the program (different groups)", async () => {
    const spec = { groups: [{ key: "grp" }, { key: "grp2" }], connectors: [{ key: "conn" }, { key: "conn2", group: "grp2" }] };
    await stack.refused(spec, new RegExp(`topic prefix "${stack.tag}topics" is also given to connector "${stack.tag}-conn2?" of this program`));
  });

  test("two TopicSets with one prefix in the program", async () => {
    await stack.refused({ topicSets: [{ key: "topics" }, { key: "other", args: { topicPrefix: `${stack.tag}topics` } }], connectors: [] }, /is also the prefix of another TopicSet of this program/);
  });

  test("four connectors in one group", async () => {
    const spec = {
      topicSets: ["a", "b", "c", "d"].map((k) => ({ key: `ts${k}` })),
      connectors: ["a", "b", "c", "d"].map((k) => ({ key: `c${k}`, topicSet: `ts${k}`, args: { source: { serverId: 1000 + k.charCodeAt(0) } } })),
    };
    await stack.refused(spec, /already runs 3 connectors \(.* of this program.*\); the limit is 3: put this connector in another ResourceGroup/);
  });

  test("a replication factor above the broker count, for a TopicSet and for a group", async () => {
    await stack.refused(topics({ replicationFactor: 3 }), /property replicationFactor value \{3\} has a problem: asks for 3 replicas of each partition, but the cluster has 1 broker: give at most 1/);
    await stack.refused(group({ replicationFactor: 3 }), /property replicationFactor value \{3\} has a problem: asks for 3 replicas of each partition, but the cluster has 1 broker/);
  });

  test("a misspelt topic config, and a value the broker refuses", async () => {
    await stack.refused(topics({ topicConfigs: { "retention.mss": "1000" } }), /property topicConfigs\.retention\.mss: Kafka has no topic config "retention\.mss"; did you mean retention\.ms\?/);
    await stack.refused(topics({ topicConfigs: { "cleanup.policy": "bogus" } }), /property topicConfigs\.cleanup\.policy: the broker refuses "bogus" as the value of cleanup\.policy/);
  });

  test("a prefix so long that the heartbeat topic's name is longer than Kafka allows", async () => {
    // <prefix>_orders fits in 249 characters, <prefix>_heartbeat does not.
    const long = `${stack.tag}${"x".repeat(241 - stack.tag.length)}`;
    await stack.refused({ ...topics({ topicPrefix: long }), ...conn({ topicPrefix: long }) }, /property topicPrefix value .* has a problem: makes the heartbeat topic .*, which is 251 characters long; Kafka's limit is 249: shorten the prefix, or turn heartbeats off/);
  });

  test("maxRecordBytes above what the topics take", async () => {
    await stack.refused(conn({ maxRecordBytes: 50 * 1024 * 1024 }), /property maxRecordBytes value \{5\.24288e\+07\} has a problem: is 52428800, but topic \S+ takes records of at most \d+ bytes \(max\.message\.bytes\)/);
  });

  test("a start position the server no longer has", async () => {
    await stack.refused(conn({ startPosition: { file: "binlog.999999", pos: 4 } }), /property startPosition value .* has a problem: names binlog binlog\.999999, which the server no longer has \(or never had\): it has binlog\.\d+ to binlog\.\d+/);
  });

  test("manageGrants with a wrong admin password, and with an admin that cannot grant", async () => {
    await stack.refused(conn({ manageGrants: { adminUser: stack.bench.mariadb.admin.user, adminPassword: "not-the-password" } }), /property manageGrants\.adminPassword: SOURCE_AUTH_FAILED/, "not-the-password");
    await stack.refused(conn({ manageGrants: { adminUser: stack.bench.mariadb.cdc.user, adminPassword: stack.bench.mariadb.cdc.password } }), /property manageGrants\.adminUser value "cdc": account cdc cannot make the connector's account: it lacks CREATE USER and GRANT OPTION on \*\.\*/);
  });

  test("a server_id equal to the source's own, or to another connector's on the same source", async () => {
    await stack.refused(conn({ source: { serverId: 1 } }), /property source\.serverId value 1: SERVER_ID_CONFLICT: the connector would read the binlog as server_id 1, which is the source server's own server_id/);
    const spec = { topicSets: [{ key: "topics" }, { key: "t2" }], connectors: [{ key: "conn", args: { source: { serverId: 777 } } }, { key: "c2", topicSet: "t2", args: { source: { serverId: 777 } } }] };
    await stack.refused(spec, /property source\.serverId value 777: 777 is also the server_id of connector \S+ \(resource group \S+, of this program\) on the same source/);
  });

  test("a Kafka cluster older than 1.0 (a real Kafka 0.11.0.3 broker: transactions, but no CreatePartitions)", async () => {
    const old = await startKafka({ version: "0.11.0.3" });
    try {
      const kafka = { kafka: { brokers: old.brokers } };
      await stack.refused(
        { groups: [{ key: "grp", args: kafka }], topicSets: [{ key: "topics", args: kafka }] },
        /property kafka\.brokers: KAFKA_BROKER_UNSUPPORTED: the broker 127\.0\.0\.1:\d+ runs an Apache Kafka older than 1\.0: it lacks CreatePartitions v0\+ \(raising a table topic's partitions; Kafka 1\.0\+\)\. The connector needs Kafka 1\.0 or later \(tested: 2\.2\.2, 2\.8\.2, 3\.3\.2, 4\.1\.1\)\. Fix: Point kafka\.brokers at a cluster running Apache Kafka 1\.0 or later/,
      );
    } finally {
      await old.stop({ remove: true });
    }
  });

  test("an autoAddTables pattern RE2 does not take (a lookaround)", async () => {
    await stack.refused(conn({ autoAddTables: "order_(?!tmp).*" }), /property autoAddTables value .* has a problem: "order_\(\?!tmp\)\.\*" is not a valid RE2 regular expression/);
  });

  test("the source's database missing, its port out of range, and an account that may not read it", async () => {
    await stack.refused(topics({ source: { database: "nosuchdb" } }), /property source\.database value "nosuchdb": DATABASE_MISSING: the server \S+ has no database nosuchdb/);
    await stack.refused(conn({ source: { database: "nosuchdb" } }), /property source\.database value "nosuchdb": DATABASE_MISSING: the server has no database nosuchdb/);
    await stack.refused(topics({ source: { port: 70000 } }), /property source\.port value 70000: must be a whole number from 1 to 65535/);
    await stack.refused(topics({ source: { user: noSelect, password: "nosel-pw" } }), new RegExp(`property source\\.user value "${noSelect}": GRANT_MISSING: account ${noSelect} has no SELECT on ${stack.database} \\(orders\\), so the server does not show it those tables`));
  });
});

describe("adoption: a topic made by someone else", () => {
  const adopted = () => `${stack.tag}adopt_orders`;
  after(async () => {
    const kafka = kafkaOf(stack.bench).admin();
    await kafka.connect();
    await kafka.deleteTopics({ topics: [adopted()] }).catch(() => undefined);
    await kafka.disconnect();
  });

  test("preview says it adopts the topic; destroy keeps it with its records", async () => {
    const kafka = kafkaOf(stack.bench);
    const kadmin = kafka.admin();
    await kadmin.connect();
    await kadmin.createTopics({ topics: [{ topic: adopted(), numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: adopted(), messages: [{ key: "k", value: "theirs" }] });
    await producer.disconnect();
    stack.setSpec({ topicSets: [{ key: "topics", args: { topicPrefix: `${stack.tag}adopt` } }], connectors: [] });
    const preview = await stack.pulumi(["preview"]);
    assert.equal(preview.code, 0, preview.out);
    assert.match(preview.out, new RegExp(`topic ${adopted()} already exists: the TopicSet adopts it as it is \\(its records stay; it gets at least 6 partitions\\); a destroy or removing its table keeps it unless deleteAdoptedTopics`));
    const up = await stack.pulumi(["up", "--yes", "--skip-preview"]);
    assert.equal(up.code, 0, up.out);
    const destroy = await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
    assert.equal(destroy.code, 0, destroy.out);
    assert.match(destroy.out, new RegExp(`kept topic ${adopted()} \\(it existed before the TopicSet \\(adopted\\)`));
    const offsets = await kadmin.fetchTopicOffsets(adopted());
    await kadmin.disconnect();
    assert.equal(offsets.reduce((n, o) => n + Number(o.high), 0), 1, "its record is still there");
  });
});
