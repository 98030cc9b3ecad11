/**
 * Watching the source's binlog end from the Kafka side of a connector, to tell an idle source
 * (lag 0) from a connector that fell behind, and to put the source's position in heartbeats.
 * One plain connection, opened on first use and again after a failure; a failed check is not a
 * connector failure (the binlog reader reports real trouble), it only skips that sample.
 */
import type mysql from "mysql2/promise";
import type { Logger } from "../log";
import type { Position } from "../position";
import { serverEndPosition } from "../source/binlog-position";
import { connectMysql } from "../source/connection";
import type { SourceAccess } from "../source/prechecks";

export class SourceWatch {
  private connection: mysql.Connection | undefined;

  constructor(private readonly access: SourceAccess, private readonly logger: Logger) {}

  /** The server's binlog end now, or null when it cannot be read this time. */
  async end(): Promise<Position | null> {
    try {
      this.connection ??= await connectMysql(this.access, "watching the binlog end");
      return await serverEndPosition(this.connection);
    } catch (error) {
      this.logger.debug("cannot read the source's binlog end", { error });
      await this.close();
      return null;
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.end().catch(() => undefined);
  }
}
