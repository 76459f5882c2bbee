/**
 * The compression interface coffer depends on. zstd-napi implements it today;
 * node:zlib's zstd (Node 22.15+) can replace it without touching callers.
 */
export interface Codec {
  /** Compressed form of `data`, or null when it would not save at least 1/32 (docs/format.md "Blobs"). */
  compressIfWorthwhile(data: Uint8Array): Buffer | null;
  /** Decompresses into exactly `rawLength` bytes; throws if the output would be longer or shorter. */
  decompress(data: Uint8Array, rawLength: number): Buffer;
}

/** True if a compressed length pays for itself: at least 1/32 shorter than the raw one. */
export function compressionPays(rawLength: number, compressedLength: number): boolean {
  return compressedLength <= rawLength - Math.ceil(rawLength / 32);
}
