/**
 * Partition choice for the three DTS partition policies. Hashing is Kafka's murmur2 (the Java
 * client's default partitioner), so a Java producer given the same key picks the same partition.
 */
import type { PartitionPolicy } from "../contract/config";

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) of the bytes (data[0..length)). */
export function murmur2(data: Buffer, length = data.length): number {
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = seed ^ length;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Keys are encoded here rather than into a new Buffer per row (hashing is on the per-row path). */
const scratch = Buffer.allocUnsafe(4096);

/** Kafka's toPositive(murmur2(key)) % partitions. */
export function hashPartition(key: string | Buffer, partitions: number): number {
  if (typeof key !== "string") return (murmur2(key) & 0x7fffffff) % partitions;
  // A key of up to 1,024 characters fits the scratch buffer in UTF-8 (at most 4 bytes a character).
  const hash = key.length <= 1024 ? murmur2(scratch, scratch.write(key, 0, "utf8")) : murmur2(Buffer.from(key, "utf8"));
  return (hash & 0x7fffffff) % partitions;
}

/**
 * - primary-key-hash: hash of the message key (the primary-key values), so every change of a row
 *   lands in one partition, in commit order; tables without a primary key go to partition 0.
 * - table-hash: hash of `<db>.<table>`: a whole table in one partition.
 * - partition-0: everything in partition 0.
 */
export function choosePartition(
  policy: PartitionPolicy,
  partitions: number,
  key: string | Buffer,
  qualifiedTable: string,
  hasPrimaryKey: boolean,
): number {
  if (partitions <= 1 || policy === "partition-0") return 0;
  if (policy === "table-hash") return hashPartition(qualifiedTable, partitions);
  return hasPrimaryKey ? hashPartition(key, partitions) : 0;
}
