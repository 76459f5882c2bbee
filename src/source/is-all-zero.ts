/** Shared zero page the comparisons run against; never written to. */
const ZEROS = Buffer.alloc(64 * 1024);

/**
 * True when every byte of `data` is zero. Compares against a shared zero
 * buffer with `Buffer.compare` (memcmp in native code), 64 KiB at a time.
 */
export function isAllZero(data: Uint8Array): boolean {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let start = 0; start < bytes.length; start += ZEROS.length) {
    const end = Math.min(start + ZEROS.length, bytes.length);
    if (ZEROS.compare(bytes, start, end, 0, end - start) !== 0) return false;
  }
  return true;
}
