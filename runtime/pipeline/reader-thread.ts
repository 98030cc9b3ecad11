/**
 * The Kafka side's handle on a connector's reader thread (reader-worker.ts running a BinlogReader).
 * Batches arrive in order, at most two before the first is acknowledged with ack(). Failures of the thread, including an
 * uncaught exception or an unexpected exit, arrive as CdcErrors through onError.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import { CdcError } from "../errors";
import type { Logger } from "../log";
import type { AddTableRequest, ReaderBatch, ReaderStart } from "./binlog-reader";
import type { FromReader, ToReader } from "./reader-worker";

/**
 * The reader thread allocates a message's worth of short-lived strings per row: with V8's default
 * young generation it grew to ~270 MB of RSS over a 1M-row backlog; 8 MB keeps the runtime near
 * 230 MB at the same throughput (npm run bench, docs/PERFORMANCE.md).
 */
const READER_YOUNG_GENERATION_MB = 8;

export type ReaderItem = { kind: "batch"; batch: ReaderBatch } | { kind: "drained" };

export class ReaderThread {
  private worker: Worker | undefined;
  private readonly items: ReaderItem[] = [];
  private waiter: ((item: ReaderItem | undefined) => void) | undefined;
  private closed = false;
  private settleStart: () => void = () => undefined;

  /** A failure of the thread before start() listened for it. */
  private early: CdcError | undefined;

  constructor(private readonly logger: Logger) {}

  /**
   * Spawns the thread ahead of start(): it loads its modules (zongji among them) while the
   * connector reads its offset and checks its topics, which takes a few hundred milliseconds off a start.
   */
  spawn(): void {
    if (this.worker || this.closed) return;
    const worker = new Worker(path.join(__dirname, "reader-worker.js"), { resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_GENERATION_MB } });
    this.worker = worker;
    const early = (error: Error) => (this.early ??= new CdcError("INTERNAL", `the binlog reader thread crashed: ${error.stack ?? error}`));
    worker.once("error", early);
    worker.once("exit", (code) => (this.early ??= new CdcError("INTERNAL", `the binlog reader thread exited (code ${code}) before it started.`)));
  }

  /** Starts reading (spawning the thread if spawn() did not); resolves once the binlog streams, rejects with the reason it cannot. */
  start(start: ReaderStart, onError: (error: CdcError) => void, onAddTable: (request: AddTableRequest) => Promise<number>): Promise<void> {
    this.spawn();
    const worker = this.worker;
    if (!worker) return Promise.reject(new CdcError("INTERNAL", "the reader thread was started after it was terminated."));
    worker.removeAllListeners("error");
    worker.removeAllListeners("exit");
    if (this.early) {
      const failure = this.early;
      this.close();
      return Promise.reject(failure);
    }
    worker.postMessage({ t: "start", start } satisfies ToReader);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      // A stop asked for while the binlog connection was being made can end the thread without
      // "started" (zongji gives up quietly): the start ends too, and next() reports the end.
      this.settleStart = () => {
        if (started) return;
        started = true;
        resolve();
      };
      const failed = (error: CdcError) => {
        if (this.closed) return;
        const wasStarted = started;
        started = true; // settled here, not by close()
        this.close();
        if (!wasStarted) reject(error);
        else onError(error);
      };
      worker.on("message", (message: FromReader) => {
        switch (message.t) {
          case "started":
            started = true;
            resolve();
            return;
          case "batch":
            this.deliver({ kind: "batch", batch: message.batch });
            return;
          case "drained":
            this.settleStart();
            this.deliver({ kind: "drained" });
            return;
          case "addTable": {
            const { table, topic } = message.request;
            onAddTable(message.request).then(
              (partitions) => this.send({ t: "tableAdded", table, topic, partitions }),
              (error: unknown) => {
                const failure = error instanceof CdcError ? error : new CdcError("INTERNAL", `adding table ${table}: ${(error as Error)?.stack ?? error}`);
                this.send({ t: "tableRefused", code: failure.code, reason: failure.reason });
              },
            );
            return;
          }
          case "error":
            failed(new CdcError(message.code, message.reason));
            return;
          case "log":
            this.logger[message.level](message.msg, message.fields);
            return;
        }
      });
      worker.on("error", (error) => failed(new CdcError("INTERNAL", `the binlog reader thread crashed: ${error.stack ?? error}`)));
      worker.on("exit", (code) => {
        if (!this.closed) failed(new CdcError("INTERNAL", `the binlog reader thread exited (code ${code}) while the connector ran.`));
      });
    });
  }

  private deliver(item: ReaderItem): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  /** The next batch (or the end of a stop); undefined once the thread is closed. */
  next(): Promise<ReaderItem | undefined> {
    const item = this.items.shift();
    if (item) return Promise.resolve(item);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** The batch handed out last is committed: the reader may send the next. */
  ack(): void {
    this.send({ t: "ack" });
  }

  /** Topics whose partitions were raised: the reader spreads later records over them all. */
  partitionsGrew(counts: [string, number][]): void {
    this.send({ t: "partitions", counts });
  }

  /** Asks the reader to stop reading and send what is complete (then next() gives "drained"). */
  requestStop(): void {
    this.send({ t: "stop" });
  }

  private send(message: ToReader): void {
    if (!this.closed) this.worker?.postMessage(message);
  }

  private close(): void {
    this.settleStart();
    this.closed = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(undefined);
  }

  /** Ends the thread (after a drain, a failure, or at once). */
  async terminate(): Promise<void> {
    this.close();
    const worker = this.worker;
    this.worker = undefined;
    // The reader has stopped its binlog connection by now (drained or failed); terminating closes
    // whatever is left.
    await worker?.terminate();
  }
}
