/**
 * Entry point of a connector's reader thread (started by reader-thread.ts): runs a BinlogReader
 * and speaks the thread protocol.
 *
 * The thread may be spawned before the connector knows where to read (reader-thread.ts spawn()):
 * it loads its modules meanwhile and begins at the start message.
 *
 * Parent -> reader: {t:"start", start} read from there; {t:"ack"} the oldest batch in flight is
 *   committed; {t:"stop"} stop and drain;
 *   {t:"tableAdded"} / {t:"tableRefused"} the answer to an addTable; {t:"partitions"} topics whose
 *   partition counts were raised.
 * Reader -> parent: {t:"started"}; {t:"batch", batch} (its frame buffer transferred); {t:"addTable"};
 *   {t:"error", code, reason}; {t:"drained"}; {t:"log", level, msg, fields}.
 */
import { parentPort } from "node:worker_threads";
import { CdcError } from "../errors";
import type { Level, Logger } from "../log";
import { BinlogReader, type ReaderStart } from "./binlog-reader";

export type ToReader =
  | { t: "start"; start: ReaderStart }
  | { t: "ack" }
  | { t: "stop" }
  | { t: "tableAdded"; table: string; topic: string; partitions: number }
  | { t: "partitions"; counts: [string, number][] }
  | { t: "tableRefused"; code: CdcError["code"]; reason: string };
export type FromReader =
  | { t: "started" }
  | { t: "batch"; batch: import("./binlog-reader").ReaderBatch }
  | { t: "addTable"; request: import("./binlog-reader").AddTableRequest }
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

let reader: BinlogReader | undefined;

function begin(start: ReaderStart): void {
  const started = new BinlogReader(
    start,
    {
      batch: (batch) => post({ t: "batch", batch }, [batch.data.kind === "blocks" ? batch.data.blocks.buffer : batch.data.frame.buffer]),
      error: reportError,
      drained: () => post({ t: "drained" }),
      addTable: (request) => post({ t: "addTable", request }),
    },
    threadLogger(),
  );
  reader = started;
  started.run().then(() => post({ t: "started" }), reportError);
}

port.on("message", (message: ToReader) => {
  if (message.t === "start") begin(message.start);
  else if (!reader) reportError(new CdcError("INTERNAL", `the reader thread got "${message.t}" before "start"`));
  else if (message.t === "ack") reader.acknowledge();
  else if (message.t === "stop") void reader.stop();
  else if (message.t === "tableAdded") reader.tableAdded(message.table, message.topic, message.partitions);
  else if (message.t === "partitions") reader.partitionsGrew(message.counts);
  else if (message.t === "tableRefused") reportError(new CdcError(message.code, message.reason));
});

// zongji is an ES module, loaded at the binlog connection: load it while the connector prepares.
import("@vlasky/zongji").catch(() => undefined);
