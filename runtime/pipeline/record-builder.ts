/** Turns one row change into the Kafka record: topic, partition, key and the formatted value. */
import type { ConnectorConfig } from "../contract/config";
import { tableTopic } from "../contract/names";
import { CdcError } from "../errors";
import type { Position } from "../position";
import { canalMessage } from "../format/canal";
import type { ByteWriter } from "../format/byte-writer";
import { dataWorksMessage, type RowOp } from "../format/dataworks";
import type { DataWorksImage } from "../format/dataworks-image";
import { canalDdlMessage, dataWorksDdlMessage, type DdlOp } from "../format/ddl";
import { messageKey, type Row, type TableShape } from "../format/table";
import type { OutRecord } from "../sink/producer";
import { choosePartition } from "../sink/partitioner";

export interface RowContext {
  sequenceId: string;
  eventTime: number;
  checkpointTime: number;
  gtid: string | null;
  /** Where the row is in the binlog (its transaction's start and the row's index in it), for dead letters. */
  position: () => Position;
}

/** A RowContext without the sequenceId (row images write the sequence as a number): one object reused for every row. */
export type ImageRowContext = Omit<RowContext, "sequenceId">;

export class RecordBuilder {
  /** Topic and partition count per table shape: looked up once, not per row (until partitions grow). */
  private targets = new WeakMap<TableShape, { topic: string; partitions: number }>();

  constructor(
    private readonly config: Pick<ConnectorConfig, "name" | "format" | "topicPrefix" | "partitionPolicy" | "maxRecordBytes" | "deadLetterTopic" | "ddlTopic">,
    private readonly partitions: Map<string, number>,
  ) {}

  /** A topic made while streaming (an auto-added table's). */
  addTopic(topic: string, partitions: number): void {
    this.partitions.set(topic, partitions);
  }

  /**
   * Topics whose partitions were raised while the connector runs: later records are spread over
   * all of them (Kafka cannot shrink a topic, so a smaller count is ignored).
   */
  partitionsGrew(counts: Iterable<[string, number]>): void {
    for (const [topic, count] of counts) {
      const now = this.partitions.get(topic);
      if (now !== undefined && count > now) this.partitions.set(topic, count);
    }
    this.targets = new WeakMap();
  }

  topicOf(table: string): string {
    return tableTopic(this.config.topicPrefix, table);
  }

  private targetOf(shape: TableShape): { topic: string; partitions: number } {
    let target = this.targets.get(shape);
    if (!target) {
      const topic = this.topicOf(shape.table);
      const partitions = this.partitions.get(topic);
      if (partitions === undefined) {
        throw new CdcError("TOPIC_MISSING", `topic ${topic} for table ${shape.database}.${shape.table} does not exist.`);
      }
      target = { topic, partitions };
      this.targets.set(shape, target);
    }
    return target;
  }

  build(shape: TableShape, op: RowOp, before: Row | null, after: Row | null, context: RowContext): OutRecord {
    const { topic, partitions } = this.targetOf(shape);
    const keyRow = (after ?? before) as Row;
    const key = messageKey(shape, keyRow);
    const systemTime = Date.now();
    const value =
      this.config.format === "canal"
        ? canalMessage(shape, op, before, after, { sequenceId: context.sequenceId, eventTime: context.eventTime, systemTime, gtid: context.gtid })
        : dataWorksMessage(shape, op, before, after, { sequenceId: context.sequenceId, eventTime: context.eventTime, systemTime, checkpointTime: context.checkpointTime });
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    if (bytes > this.config.maxRecordBytes) return this.deadLetter(shape, op, key, bytes, context);
    const partition = choosePartition(this.config.partitionPolicy, partitions, key, shape.qualifiedName, shape.keyColumns.length > 0);
    return { topic, partition, key, value, bytes };
  }

  /**
   * The record of one row written straight from its binlog row image(s) at `offset` of `src` into
   * `out` (DataWorks only); key and value are views into `out`. image.written.next is then the
   * offset of the next row.
   */
  buildFromImage(shape: TableShape, image: DataWorksImage, src: Buffer, offset: number, op: RowOp, sequence: bigint, context: ImageRowContext, out: ByteWriter): OutRecord {
    const { topic, partitions } = this.targetOf(shape);
    image.write(src, offset, op, sequence, context.eventTime, Date.now(), context.checkpointTime, out);
    const { valueEnd, keyStart, keyEnd } = image.written;
    const key = out.view(keyStart, keyEnd);
    const bytes = valueEnd + keyEnd - keyStart;
    if (bytes > this.config.maxRecordBytes) {
      const keyText = key.toString("utf8");
      out.rollback();
      return this.deadLetter(shape, op, keyText, bytes, { ...context, sequenceId: sequence.toString() });
    }
    const partition = choosePartition(this.config.partitionPolicy, partitions, key, shape.qualifiedName, shape.keyColumns.length > 0);
    return { topic, partition, key, value: out.view(0, valueEnd), bytes };
  }

  /** A DDL message for one table, to the DDL topic or the table's own, keyed by `<db>.<table>`. */
  buildDdl(database: string, table: string, op: DdlOp, sql: string, context: RowContext): OutRecord {
    const topic = this.config.ddlTopic ?? this.topicOf(table);
    const partitions = this.partitions.get(topic);
    if (partitions === undefined) throw new CdcError("TOPIC_MISSING", `topic ${topic} for the DDL of ${database}.${table} does not exist.`);
    const key = `${database}.${table}`;
    const meta = { sequenceId: context.sequenceId, eventTime: context.eventTime, systemTime: Date.now(), checkpointTime: context.checkpointTime, gtid: context.gtid };
    const value = this.config.format === "canal" ? canalDdlMessage(database, table, op, sql, meta) : dataWorksDdlMessage(database, table, op, sql, meta);
    const partition = choosePartition(this.config.partitionPolicy, partitions, key, key, false);
    return { topic, partition, key, value, bytes: Buffer.byteLength(key) + Buffer.byteLength(value) };
  }

  /**
   * A record over maxRecordBytes goes to the dead letter topic instead: its key, table, position
   * and size, not its body. The connector keeps running; /metrics counts it.
   */
  private deadLetter(shape: TableShape, op: RowOp, key: string, bytes: number, context: RowContext): OutRecord {
    const value = JSON.stringify({
      connector: this.config.name,
      reason: "RECORD_TOO_LARGE",
      database: shape.database,
      table: shape.table,
      topic: this.topicOf(shape.table),
      op,
      key,
      position: context.position().toJSON(),
      gtid: context.gtid,
      sequenceId: context.sequenceId,
      eventTime: context.eventTime,
      bytes,
      maxRecordBytes: this.config.maxRecordBytes,
    });
    // The key may itself be huge (a long primary key): the dead letter's key is cut to 1 KiB.
    const deadKey = key.length > 1024 ? key.slice(0, 1024) : key;
    return { topic: this.config.deadLetterTopic, partition: 0, key: deadKey, value, bytes: Buffer.byteLength(deadKey) + Buffer.byteLength(value), deadLetter: true };
  }
}
