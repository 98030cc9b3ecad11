/**
 * Compression codecs for kafkajs. GZIP is built in; LZ4, Snappy and ZSTD use prebuilt native
 * packages (napi binaries shipped inside the npm packages, no install scripts), verified against
 * Kafka 4.1.1 both ways: the broker recompressing our batches, and kafkajs reading the Java
 * producer's batches.
 * - LZ4: Kafka's LZ4 frame format (lz4-napi compressFrame/decompressFrame).
 * - Snappy: we write raw snappy (the Java client reads it); the Java client writes xerial-framed
 *   snappy (header 82 'SNAPPY' 00, then [4-byte length][chunk]...), so decompress unwraps it.
 * - ZSTD: standard zstd frames (Java's carry no content size; @mongodb-js/zstd handles that).
 * Each native module is required on first use, so a platform without one fails only when that
 * compression is configured, with a clear error.
 */
// Before kafkajs loads: it swaps two of kafkajs's slow internal helpers (see the module).
import "./kafkajs-fast-path";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { CdcError } from "../errors";

interface Encoder {
  buffer: Buffer;
}

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

type Lz4 = { compressFrame(b: Buffer): Promise<Buffer>; decompressFrame(b: Buffer): Promise<Buffer> };
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

let registered = false;

export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.LZ4] = () => {
    const lz4 = load<Lz4>("lz4-napi", "lz4");
    return { compress: (e: Encoder) => lz4.compressFrame(e.buffer), decompress: (b: Buffer) => lz4.decompressFrame(b) };
  };
  CompressionCodecs[CompressionTypes.Snappy] = () => {
    const snappy = load<Snappy>("snappy", "snappy");
    return { compress: (e: Encoder) => snappy.compress(e.buffer), decompress: (b: Buffer) => snappyDecompress(snappy, b) };
  };
  CompressionCodecs[CompressionTypes.ZSTD] = () => {
    const zstd = load<Zstd>("@mongodb-js/zstd", "zstd");
    return { compress: (e: Encoder) => zstd.compress(e.buffer, 3), decompress: (b: Buffer) => zstd.decompress(b) };
  };
}
