/**
 * The compressions a connector offers, without kafkajs: the reader thread compresses record blocks
 * with these, and codecs.ts registers the same functions with kafkajs. The attribute value is the
 * codec id Kafka's record batch header carries (attributes bits 0-2).
 * - gzip: node's zlib.
 * - lz4: Kafka's LZ4 frame format (lz4-napi compressFrame/decompressFrame).
 * - snappy: raw snappy out (the Java client reads it); xerial-framed snappy in (what the Java client
 *   writes: header 82 'SNAPPY' 00, then [4-byte length][chunk]...), unwrapped on decompress.
 * - zstd: standard zstd frames (Java's carry no content size; @mongodb-js/zstd handles that).
 * Each native module is required on first use, so a platform without one fails only when that
 * compression is configured, with a clear error.
 */
import zlib from "node:zlib";
import { promisify } from "node:util";
import type { Compression } from "../contract/config";
import { CdcError } from "../errors";

export interface Compressor {
  compress(data: Buffer): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

/** Kafka's codec ids (record batch attributes, bits 0-2). */
export const CODEC_IDS: Record<Compression, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

function load<T>(name: string, compression: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    throw new CdcError(
      "CONFIG_INVALID",
      `compression ${compression} needs the native package ${name}, which cannot be loaded on this platform (${(error as Error).message}); choose another compression (gzip works everywhere).`,
    );
  }
}

type Lz4 = { compressFrameSync(b: Buffer): Buffer; decompressFrame(b: Buffer): Promise<Buffer> };
type Snappy = { compress(b: Buffer): Promise<Buffer>; uncompress(b: Buffer): Promise<Buffer | string> };
type Zstd = { compress(b: Buffer, level?: number): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> };

async function snappyDecompress(snappy: Snappy, buffer: Buffer): Promise<Buffer> {
  const asBuffer = (b: Buffer | string) => (typeof b === "string" ? Buffer.from(b, "binary") : b);
  if (buffer.length < XERIAL_HEADER_BYTES || !buffer.subarray(0, 8).equals(XERIAL_MAGIC)) return asBuffer(await snappy.uncompress(buffer));
  const chunks: Buffer[] = [];
  for (let offset = XERIAL_HEADER_BYTES; offset + 4 <= buffer.length; ) {
    const length = buffer.readUInt32BE(offset);
    offset += 4;
    chunks.push(asBuffer(await snappy.uncompress(buffer.subarray(offset, offset + length))));
    offset += length;
  }
  return Buffer.concat(chunks);
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

const FACTORIES: Record<Compression, () => Compressor> = {
  none: () => ({ compress: async (b) => b, decompress: async (b) => b }),
  gzip: () => ({ compress: (b) => gzip(b), decompress: (b) => gunzip(b) }),
  lz4: () => {
    const lz4 = load<Lz4>("lz4-napi", "lz4");
    // Sync: a record block (at most ~1 MB) compresses in about a millisecond, less than the async
    // call's hop to the thread pool costs (measured: 0.4 vs 0.8 ms for 2 MB).
    return { compress: async (b) => lz4.compressFrameSync(b), decompress: (b) => lz4.decompressFrame(b) };
  },
  snappy: () => {
    const snappy = load<Snappy>("snappy", "snappy");
    return { compress: (b) => snappy.compress(b), decompress: (b) => snappyDecompress(snappy, b) };
  },
  zstd: () => {
    const zstd = load<Zstd>("@mongodb-js/zstd", "zstd");
    return { compress: (b) => zstd.compress(b, 3), decompress: (b) => zstd.decompress(b) };
  },
};

const loaded = new Map<Compression, Compressor>();

/** The compressor of a compression (its native module loads on first use; CONFIG_INVALID if it cannot). */
export function compressor(compression: Compression): Compressor {
  let c = loaded.get(compression);
  if (!c) {
    c = FACTORIES[compression]();
    loaded.set(compression, c);
  }
  return c;
}
