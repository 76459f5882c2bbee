/**
 * Passphrase stretching with scrypt (docs/format.md "Key files"). Parameters
 * are bounded by the format decoder before they reach here; `maxmem` is set
 * from them because node's default (32 MiB) is below OWASP's parameters.
 */
import { scrypt } from 'node:crypto';

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * N=2^15, r=8, p=4: 32 MiB. OWASP lists N=2^15, r=8, p=3 as equivalent to its
 * N=2^17, p=1 minimum, and restic calibrates to exactly these values on our
 * benchmark machines. A quarter of the memory of N=2^17 matters because every
 * command pays it at its peak (docs/security.md 2.1).
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 4 };

export function deriveWrappingKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r * params.p + 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}
