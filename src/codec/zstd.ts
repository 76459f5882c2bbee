/** The zstd codec over the zstd-napi native binding. */
import binding from 'zstd-napi/binding.js';
import { FormatError } from '../errors.js';
import { compressionPays, type Codec } from './codec.js';

export const DEFAULT_ZSTD_LEVEL = 3;

export class ZstdCodec implements Codec {
  // Contexts are reused: creating one per blob costs more than compressing small blobs.
  private readonly cctx = new binding.CCtx();
  private readonly dctx = new binding.DCtx();

  constructor(private readonly level = DEFAULT_ZSTD_LEVEL) {}

  compressIfWorthwhile(data: Uint8Array): Buffer | null {
    if (data.length < 64) return null;
    const out = Buffer.allocUnsafeSlow(binding.compressBound(data.length));
    const written = this.cctx.compress(out, data, this.level);
    return compressionPays(data.length, written) ? out.subarray(0, written) : null;
  }

  decompress(data: Uint8Array, rawLength: number): Buffer {
    // The output buffer is the cap: zstd refuses to write past it, so a hostile
    // frame cannot make us allocate more than the (already bounded) raw length.
    const out = Buffer.allocUnsafeSlow(rawLength);
    let written: number;
    try {
      written = this.dctx.decompress(out, data);
    } catch (cause) {
      throw new FormatError(`zstd: ${(cause as Error).message.toLowerCase()}`, { cause });
    }
    if (written !== rawLength) throw new FormatError(`zstd: decompressed ${written} bytes, expected ${rawLength}`);
    return out;
  }
}
