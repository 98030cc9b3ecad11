/** Writing a known set of rows into a table, in a mix of transaction sizes, for delivery tests. */
import type mysql from "mysql2/promise";

export interface LoadPlan {
  table: string;
  rows: number;
  /** Rows per multi-row INSERT statement. */
  batch: number;
  /** One transaction of this many rows (split over Kafka transactions)... */
  hugeTransaction?: number;
  /** ...starting once this many rows were written (default: a third of the rows). */
  hugeTransactionAfter?: number;
  /** Statements per explicit transaction (besides the huge one). */
  statementsPerTransaction?: number;
  /** Paces the writer (roughly), so writing and streaming overlap. */
  rowsPerSecond?: number;
}

/** Inserts ids 1..rows with payload `row-<id>`; resolves when all are committed. */
export async function writeRows(connection: mysql.Connection, plan: LoadPlan, onProgress?: (written: number) => void): Promise<void> {
  let next = 1;
  const statementsPerTxn = plan.statementsPerTransaction ?? 3;
  const hugeAfter = plan.hugeTransactionAfter ?? Math.floor(plan.rows / 3);
  let hugeDone = !plan.hugeTransaction;
  const started = Date.now();
  const pace = async () => {
    if (!plan.rowsPerSecond) return;
    const due = started + ((next - 1) / plan.rowsPerSecond) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  };
  const insert = async (from: number, count: number) => {
    const values: string[] = [];
    for (let id = from; id < from + count; id++) values.push(`(${id}, 'row-${id}')`);
    await connection.query(`INSERT INTO ${plan.table} (id, payload) VALUES ${values.join(",")}`);
  };
  while (next <= plan.rows) {
    if (!hugeDone && next - 1 >= hugeAfter) {
      hugeDone = true;
      const count = Math.min(plan.hugeTransaction ?? 0, plan.rows - next + 1);
      await connection.query("START TRANSACTION");
      for (let done = 0; done < count; done += plan.batch) await insert(next + done, Math.min(plan.batch, count - done));
      await connection.query("COMMIT");
      next += count;
    } else {
      await connection.query("START TRANSACTION");
      for (let s = 0; s < statementsPerTxn && next <= plan.rows && (hugeDone || next - 1 < hugeAfter); s++) {
        const count = Math.min(plan.batch, plan.rows - next + 1);
        await insert(next, count);
        next += count;
      }
      await connection.query("COMMIT");
    }
    onProgress?.(next - 1);
    await pace();
  }
}

/** Counts of each id seen in a topic's messages (DataWorks payload.after.dataColumn.id). */
export function idCounts(values: string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) {
    const id = JSON.parse(value).payload.after.dataColumn.id as number;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Describes missing and duplicated ids of 1..rows, for an assertion message. */
export function deliveryProblems(counts: Map<number, number>, rows: number): { missing: number[]; duplicated: number[] } {
  const missing: number[] = [];
  const duplicated: number[] = [];
  for (let id = 1; id <= rows; id++) {
    const n = counts.get(id) ?? 0;
    if (n === 0) missing.push(id);
    if (n > 1) duplicated.push(id);
  }
  return { missing, duplicated };
}
