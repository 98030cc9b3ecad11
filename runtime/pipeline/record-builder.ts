/** Turns one row change into the Kafka record: topic, partition, key and the formatted value. */
import type { ConnectorConfig } from "../contract/config";
import { tableTopic } from "../contract/names";
import { CdcError } from "../errors";
import { canalMessage } from "../format/canal";
import { dataWorksMessage, type RowOp } from "../format/dataworks";
import { messageKey, type Row, type TableShape } from "../format/table";
import type { OutRecord } from "../sink/producer";
import { choosePartition } from "../sink/partitioner";

export interface RowContext {
  sequenceId: string;
  eventTime: number;
  checkpointTime: number;
  gtid: string | null;
}

export class RecordBuilder {
  /** Topic and partition count per table shape: looked up once, not per row. */
  private readonly targets = new WeakMap<TableShape, { topic: string; partitions: number }>();

  constructor(
    private readonly config: Pick<ConnectorConfig, "format" | "topicPrefix" | "partitionPolicy" | "maxRecordBytes">,
    private readonly partitions: Map<string, number>,
  ) {}

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
    if (bytes > this.config.maxRecordBytes) {
      throw new CdcError(
        "RECORD_TOO_LARGE",
        `a ${op} of ${shape.database}.${shape.table} with key ${key.length > 200 ? key.slice(0, 200) + "…" : key} makes a ${bytes}-byte record; the limit (maxRecordBytes) is ${this.config.maxRecordBytes}.`,
      );
    }
    const partition = choosePartition(this.config.partitionPolicy, partitions, key, shape.qualifiedName, shape.keyColumns.length > 0);
    return { topic, partition, key, value, bytes };
  }
}
