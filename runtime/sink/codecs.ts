/**
 * Registers our compressors (compressors.ts) with kafkajs: LZ4, Snappy and ZSTD, which kafkajs
 * lacks. GZIP stays kafkajs's own. Verified against Kafka 4.1.1 both ways: the broker
 * recompressing our batches, and kafkajs reading the Java producer's batches.
 */
// Before kafkajs loads: it swaps some of kafkajs's slow internal helpers (see the module).
import "./kafkajs-fast-path";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { compressor } from "./compressors";

interface Encoder {
  buffer: Buffer;
}

let registered = false;

export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const codec = (compression: "lz4" | "snappy" | "zstd") => () => {
    const c = compressor(compression);
    return { compress: (e: Encoder) => c.compress(e.buffer), decompress: (b: Buffer) => c.decompress(b) };
  };
  CompressionCodecs[CompressionTypes.LZ4] = codec("lz4");
  CompressionCodecs[CompressionTypes.Snappy] = codec("snappy");
  CompressionCodecs[CompressionTypes.ZSTD] = codec("zstd");
}
