/** Compression: a codec interface, zstd behind it, and a worker pool. */
export { type Codec, compressionPays } from './codec.js';
export { ZstdCodec, DEFAULT_ZSTD_LEVEL } from './zstd.js';
export { CompressPool, type Compressed } from './compress-pool.js';
