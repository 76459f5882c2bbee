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

/** OWASP's recommended minimum for scrypt: N=2^17, r=8, p=1 (128 MiB). */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

export function deriveWrappingKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r * params.p + 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}
