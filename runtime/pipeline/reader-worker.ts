/**
 * Entry point of a connector's reader thread (started by reader-thread.ts): runs a BinlogReader
 * and speaks the thread protocol.
 *
 * Parent -> reader: {t:"ack"} the batch in flight is committed; {t:"stop"} stop and drain.
 * Reader -> parent: {t:"started"}; {t:"batch", batch} (its frame buffer transferred);
 *   {t:"error", code, reason}; {t:"drained"}; {t:"log", level, msg, fields}.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CdcError } from "../errors";
import type { Level, Logger } from "../log";
import { BinlogReader, type ReaderStart } from "./binlog-reader";

export type ToReader = { t: "ack" } | { t: "stop" };
export type FromReader =
  | { t: "started" }
  | { t: "batch"; batch: import("./binlog-reader").ReaderBatch }
  | { t: "error"; code: CdcError["code"]; reason: string }
  | { t: "drained" }
  | { t: "log"; level: Level; msg: string; fields?: Record<string, unknown> };

const port = parentPort;
if (!port) throw new Error("reader-worker.js runs only as a worker thread (see reader-thread.ts)");

const post = (message: FromReader, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

/** Log lines go to the parent's logger, which adds the connector's fields and masks secrets. */
function threadLogger(): Logger {
  const log = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    try {
      post({ t: "log", level, msg, fields });
    } catch {
      post({ t: "log", level, msg });
    }
  };
  const logger: Logger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), child: () => logger };
  return logger;
}

const reportError = (error: unknown) => {
  const failure = error instanceof CdcError ? error : new CdcError("INTERNAL", `the binlog reader failed: ${(error as Error)?.stack ?? error}`);
  post({ t: "error", code: failure.code, reason: failure.reason });
};

const reader = new BinlogReader(
  workerData as ReaderStart,
  {
    batch: (batch) => post({ t: "batch", batch }, [batch.data.kind === "blocks" ? batch.data.blocks.buffer : batch.data.frame.buffer]),
    error: reportError,
    drained: () => post({ t: "drained" }),
  },
  threadLogger(),
);

port.on("message", (message: ToReader) => {
  if (message.t === "ack") reader.acknowledge();
  else if (message.t === "stop") void reader.stop();
});

reader.run().then(() => post({ t: "started" }), reportError);
