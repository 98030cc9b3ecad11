/** Compression codecs for kafkajs (LZ4, Snappy, ZSTD); GZIP is built in. */
export function registerCompressionCodecs(): void {
  // filled in with the codec packages
}
