/**
 * The bytes of each file of a data set, generated on demand from its spec.
 * Incompressible bytes are an AES-256-CTR keystream under a key hashed from
 * the seed and a label (OpenSSL is the same everywhere and fast); text comes
 * from the seeded PRNG; large files repeat blocks from a small pool at
 * irregular offsets, as disk images and archives do.
 */
import { createCipheriv, createHash } from 'node:crypto';
import type { FileSpec } from './manifest.js';
import type { DatasetParams } from './params.js';
import { Prng } from './prng.js';
import { textBytes, vocabularyOf } from './text.js';

const ZEROS = Buffer.alloc(1024 * 1024);

/** `size` deterministic incompressible bytes for `label`. */
export function randomBytesFor(seed: number, label: string, size: number): Buffer {
  const key = createHash('sha256').update(`coffer-bench:${seed}:${label}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += ZEROS.length) {
    const n = Math.min(ZEROS.length, size - at);
    cipher.update(ZEROS.subarray(0, n)).copy(out, at);
  }
  return out;
}

/** The content of `file`. */
export function fileContent(params: DatasetParams, file: FileSpec): Buffer {
  switch (file.kind) {
    case 'text':
      return textBytes(vocabularyOf(params.seed), new Prng(params.seed, 0x10000 + file.stream), file.size, file.style);
    case 'random':
      return randomBytesFor(params.seed, `random:${file.stream}`, file.size);
    case 'large':
      return largeContent(params, file);
  }
}

/** Blocks from a pool of twelve (a quarter of them text), repeated in random order, with short unique runs between some. */
function largeContent(params: DatasetParams, file: FileSpec): Buffer {
  const prng = new Prng(params.seed, 0x20000 + file.stream);
  const pool: Buffer[] = [];
  for (let b = 0; b < 12; b++) {
    const size = prng.logSize(params.largeBlockMin, params.largeBlockMax);
    pool.push(b % 4 === 3
      ? textBytes(vocabularyOf(params.seed), prng, size, 'prose')
      : randomBytesFor(params.seed, `large:${file.stream}:block:${b}`, size));
  }
  const out = Buffer.allocUnsafe(file.size);
  let at = 0;
  for (let run = 0; at < out.length; run++) {
    const piece = prng.chance(1, 4)
      ? randomBytesFor(params.seed, `large:${file.stream}:run:${run}`, prng.between(1024, 64 * 1024))
      : pool[prng.below(pool.length)]!;
    at += piece.copy(out, at);
  }
  return out;
}
