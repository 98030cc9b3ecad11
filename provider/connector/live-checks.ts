/**
 * The Connector's checks against live servers that preview runs besides the source prechecks,
 * so that what up would fail on fails in preview: the manageGrants admin can log in and create
 * accounts and grant, the start position is still on the server, no other reader of the source
 * uses the connector's server_id, and records up to maxRecordBytes fit the topics.
 */
import mysql from "mysql2/promise";
import { defaultServerId, RECORD_BATCH_OVERHEAD_BYTES } from "../../runtime/contract/config";
import { tableTopic } from "../../runtime/contract/names";
import { CdcError, classifyMysqlError } from "../../runtime/errors";
import type { KafkaAdmin } from "../../runtime/sink/admin";
import { connectMysql } from "../../runtime/source/connection";
import { failureOf, sourceFailure } from "../diagnostics";
import { sourceLogin } from "../source-inputs";
import type { CheckFailure } from "../types";
import type { ConnectorInputs } from "./plan";
import type { RegisteredConnector } from "./uniqueness";


/** The server_id the connector reads the binlog as. */
export function effectiveServerId(inputs: Pick<ConnectorInputs, "name" | "source">): number {
  return inputs.source.serverId ?? defaultServerId(inputs.name);
}

/** Which of the privileges manageGrants needs a SHOW GRANTS output lacks: creating accounts, and granting. */
export function adminLacks(grants: string[]): string[] {
  const global = grants.filter((g) => /\bON\s+\*\.\*\s+TO\b/i.test(g));
  const all = global.some((g) => /^GRANT\s+ALL(\s+PRIVILEGES)?\s+ON/i.test(g));
  const lacks: string[] = [];
  if (!all && !global.some((g) => /\bCREATE\s+USER\b/i.test(g))) lacks.push("CREATE USER");
  if (!global.some((g) => /\bWITH\s+GRANT\s+OPTION\b/i.test(g) || /\bGRANT\s+OPTION\b/i.test(g.split(/\s+ON\s+/i)[0] ?? ""))) lacks.push("GRANT OPTION");
  return lacks;
}

/** The manageGrants admin logs in and may create accounts and grant. */
export async function adminFailures(inputs: ConnectorInputs): Promise<CheckFailure[]> {
  const mg = inputs.manageGrants;
  if (!mg) return [];
  let connection: mysql.Connection;
  try {
    connection = await connectMysql(sourceLogin(inputs.source, { user: mg.adminUser, password: mg.adminPassword }), "the manageGrants admin account");
  } catch (error) {
    if (error instanceof CdcError && error.code === "SOURCE_AUTH_FAILED") return [failureOf("manageGrants.adminPassword", error)];
    return [sourceFailure(error)];
  }
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR CURRENT_USER()");
    const lacks = adminLacks(rows.map((r) => String(Object.values(r)[0])));
    if (lacks.length === 0) return [];
    return [
      {
        property: "manageGrants.adminUser",
        reason: `account ${mg.adminUser} cannot make the connector's account: it lacks ${lacks.join(" and ")} on *.*. Use the server's privileged account (on RDS, the one created with the instance), or run GRANT CREATE USER ON *.* TO '${mg.adminUser}' WITH GRANT OPTION`,
      },
    ];
  } catch (error) {
    return [sourceFailure(classifyMysqlError(error, `reading the grants of ${mg.adminUser}`))];
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** A {file, pos} start position is still on the server (a first start only reads it). */
export async function startPositionFailures(inputs: ConnectorInputs, login: { user: string; password: string }): Promise<CheckFailure[]> {
  const position = inputs.startPosition;
  if (!position || typeof position !== "object") return [];
  const connection = await connectMysql(sourceLogin(inputs.source, login), "reading the binary logs");
  try {
    const [logs] = await connection.query<mysql.RowDataPacket[]>("SHOW BINARY LOGS");
    const files = logs.map((l) => ({ name: String(l.Log_name), size: Number(l.File_size) }));
    const file = files.find((f) => f.name === position.file);
    const range = files.length > 0 ? `${files[0].name} to ${files[files.length - 1].name}` : "none";
    if (!file) {
      return [{ property: "startPosition", reason: `names binlog ${position.file}, which the server no longer has (or never had): it has ${range}. Give one of those, or "earliest"` }];
    }
    if (position.pos > file.size) return [{ property: "startPosition", reason: `is at ${position.pos} in ${position.file}, which is ${file.size} bytes long: give a position inside the file` }];
    return [];
  } catch (error) {
    return [sourceFailure(classifyMysqlError(error, "reading the binary logs"))];
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** Other connectors on the same source must read the binlog under other server_ids (the server's own is a precheck). */
export function serverIdFailures(inputs: ConnectorInputs, identity: string | undefined, others: RegisteredConnector[]): CheckFailure[] {
  const mine = effectiveServerId(inputs);
  const sameSource = (c: RegisteredConnector) =>
    (identity !== undefined && c.metadata?.sourceServer === identity) || (c.source?.host === inputs.source.host && (c.source?.port ?? 3306) === (inputs.source.port ?? 3306));
  const clash = others.find((c) => sameSource(c) && (c.source?.serverId ?? defaultServerId(c.name)) === mine);
  if (!clash) return [];
  return [
    {
      property: "source.serverId",
      reason: `${mine} is also the server_id of connector ${clash.name} (resource group ${clash.group}${clash.declared ? ", of this program" : ""}) on the same source: the server drops one of the two binlog connections whenever the other connects. Give each connector its own source.serverId`,
    },
  ];
}

/**
 * An explicit maxRecordBytes fits every topic the connector writes: a record over a topic's
 * max.message.bytes is refused by the broker (RECORD_TOO_LARGE fails the connector), while one
 * over maxRecordBytes goes to the dead letter topic. `declared` are topicConfigs of TopicSets
 * the program makes (their topics may not exist yet).
 */
export async function recordSizeFailures(admin: KafkaAdmin, inputs: ConnectorInputs, declared: Map<string, number>): Promise<CheckFailure[]> {
  if (inputs.maxRecordBytes === undefined) return [];
  const topics = inputs.tables.map((t) => tableTopic(inputs.topicPrefix, t));
  const limits = await admin.maxMessageBytes(topics);
  let smallest: { topic: string; bytes: number } | undefined;
  for (const topic of topics) {
    const bytes = declared.get(topic) ?? limits.get(topic) ?? limits.get("") ?? undefined;
    if (bytes !== undefined && (!smallest || bytes < smallest.bytes)) smallest = { topic, bytes };
  }
  if (!smallest || inputs.maxRecordBytes + RECORD_BATCH_OVERHEAD_BYTES <= smallest.bytes) return [];
  return [
    {
      property: "maxRecordBytes",
      reason: `is ${inputs.maxRecordBytes}, but topic ${smallest.topic} takes records of at most ${smallest.bytes} bytes (max.message.bytes): a record between the two would fail the connector instead of going to the dead letter topic. Give at most ${smallest.bytes - RECORD_BATCH_OVERHEAD_BYTES}, or raise max.message.bytes (the TopicSet's topicConfigs)`,
    },
  ];
}
