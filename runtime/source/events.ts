/** What the BinlogSource hands on: zongji's events, normalized and filtered to one database. */
import type { RowOp } from "../format/dataworks";
import type { DataWorksImage } from "../format/dataworks-image";
import type { Row, TableShape } from "../format/table";

export interface RowsEvent {
  kind: "rows";
  op: RowOp;
  shape: TableShape;
  /** before is null for INSERT, after is null for DELETE. Empty when the rows come as `images`. */
  rows: { before: Row | null; after: Row | null }[];
  /**
   * The rows undecoded (BinlogSourceOptions.rowImages): the event's row images, back to back
   * (an UPDATE's before and after image per row), and the writer of their DataWorks messages.
   */
  images?: { data: Buffer; writer: DataWorksImage };
  /** Binlog event time, ms. */
  eventTime: number;
  /** The GTID of the transaction, where the server has one. */
  gtid: string | null;
  /** Approximate decoded size, bytes, for the queue's byte bound. */
  bytes: number;
}

/** The end of a transaction (Xid, or a COMMIT query): the position after it is a resume point. */
export interface CommitEvent {
  kind: "commit";
  file: string;
  pos: number;
  gtid: string | null;
  eventTime: number;
}

/** A DDL statement (a query event other than BEGIN/COMMIT); it is also a resume point. */
export interface DdlEvent {
  kind: "ddl";
  database: string;
  sql: string;
  file: string;
  pos: number;
  gtid: string | null;
  eventTime: number;
}

/** The start of a transaction (MariaDB GTID event, or MySQL GTID / BEGIN). */
export interface BeginEvent {
  kind: "begin";
  eventTime: number;
}

export type SourceEvent = RowsEvent | CommitEvent | DdlEvent | BeginEvent;
