/**
 * Text-like bytes: words from a fixed pseudo-word vocabulary drawn with a
 * Zipf-like frequency, arranged as prose, source code or CSV. It compresses
 * roughly like real text under zstd (about 2.5-3.5x), which matters because
 * compression is a large share of a backup's CPU time.
 */
import { Prng } from './prng.js';

export type TextStyle = 'prose' | 'code' | 'csv';

const ONSETS = ['', 'b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'st', 'tr', 'pl', 'ch', 'sh', 'th', 'gr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ea', 'ou', 'ai', 'io'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'nd', 'st', 'ng', 'm'];
const VOCABULARY_SIZE = 8192;
const TABLE_BITS = 16;

/** The vocabulary and a table mapping 16 random bits to a word with Zipf-like weight 1/(rank + 3). */
export class Vocabulary {
  readonly words: Buffer[] = [];
  readonly table = new Uint16Array(1 << TABLE_BITS);
  /** All words back to back, with the start and length of each: copying from here is faster than from many Buffers. */
  readonly flat: Buffer;
  readonly starts = new Uint32Array(VOCABULARY_SIZE);
  readonly lengths = new Uint8Array(VOCABULARY_SIZE);

  constructor(seed: number) {
    const prng = new Prng(seed, 0x70ca);
    const seen = new Set<string>();
    while (this.words.length < VOCABULARY_SIZE) {
      // Frequent words are short, as in natural languages.
      const rank = this.words.length;
      const syllables = rank < 100 ? 1 : rank < 1500 ? 1 + prng.below(2) : 2 + prng.below(3);
      let word = '';
      for (let s = 0; s < syllables; s++) {
        word += ONSETS[prng.below(ONSETS.length)]! + VOWELS[prng.below(VOWELS.length)]! + CODAS[prng.below(CODAS.length)]!;
      }
      if (seen.has(word)) continue;
      seen.add(word);
      this.words.push(Buffer.from(word, 'ascii'));
    }
    // Integer weights keep the table identical on every machine.
    const weights = this.words.map((_, r) => Math.floor(2 ** 32 / (r + 3)));
    const total = weights.reduce((a, b) => a + b, 0);
    let rank = 0;
    let cumulative = weights[0]!;
    for (let slot = 0; slot < this.table.length; slot++) {
      // slot / 2^16 < cumulative / total, compared in exact integers (< 2^53).
      while (slot * total >= cumulative * this.table.length && rank < this.words.length - 1) cumulative += weights[++rank]!;
      this.table[slot] = rank;
    }
    this.flat = Buffer.concat(this.words);
    let at = 0;
    this.words.forEach((w, i) => {
      this.starts[i] = at;
      this.lengths[i] = w.length;
      at += w.length;
    });
  }

  /** The rank of the word that 16 random bits select. */
  rank(bits: number): number {
    return this.table[bits & 0xffff]!;
  }

  pick(bits: number): Buffer {
    return this.words[this.table[bits & 0xffff]!]!;
  }
}

const vocabularies = new Map<number, Vocabulary>();

/** The (cached) vocabulary of a seed. */
export function vocabularyOf(seed: number): Vocabulary {
  let v = vocabularies.get(seed);
  if (v === undefined) vocabularies.set(seed, (v = new Vocabulary(seed)));
  return v;
}

/** Appends bytes to a fixed-size buffer until it is full; the last piece is cut. */
class Filler {
  pos = 0;
  constructor(readonly out: Buffer) {}
  get full(): boolean {
    return this.pos >= this.out.length;
  }
  put(bytes: Uint8Array): void {
    const n = Math.min(bytes.length, this.out.length - this.pos);
    for (let i = 0; i < n; i++) this.out[this.pos + i] = bytes[i]!;
    this.pos += n;
  }
  /** Copies word `rank` of `v`. */
  word(v: Vocabulary, rank: number): void {
    const from = v.starts[rank]!;
    const n = Math.min(v.lengths[rank]!, this.out.length - this.pos);
    const { out, pos } = this;
    const flat = v.flat;
    for (let i = 0; i < n; i++) out[pos + i] = flat[from + i]!;
    this.pos += n;
  }
  byte(b: number): void {
    if (this.pos < this.out.length) this.out[this.pos++] = b;
  }
  /** Decimal digits of a non-negative integer. */
  number(n: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    if (this.pos + digits > this.out.length) digits = this.out.length - this.pos;
    for (let i = digits - 1, x = n; i >= 0; i--, x = Math.floor(x / 10)) this.out[this.pos + i] = 0x30 + (x % 10);
    this.pos += digits;
  }
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

/** `size` bytes of text in `style`, determined by `vocabulary` and `prng`. */
export function textBytes(vocabulary: Vocabulary, prng: Prng, size: number, style: TextStyle): Buffer {
  const f = new Filler(Buffer.allocUnsafe(size));
  if (style === 'prose') prose(f, vocabulary, prng);
  else if (style === 'code') code(f, vocabulary, prng);
  else csv(f, vocabulary, prng);
  return f.out;
}

function prose(f: Filler, v: Vocabulary, prng: Prng): void {
  let column = 0;
  while (!f.full) {
    const words = 4 + prng.below(18);
    for (let w = 0; w < words && !f.full; w++) {
      const r = prng.next();
      const rank = v.rank(r);
      const length = v.lengths[rank]!;
      if (column + length > 72) {
        f.byte(NEWLINE);
        column = 0;
      } else if (column > 0) {
        f.byte(SPACE);
        column++;
      }
      if (w === 0) {
        const at = f.pos;
        f.word(v, rank);
        if (at < f.out.length) f.out[at] = f.out[at]! & 0xdf; // capitalised (ASCII letters only)
      } else f.word(v, rank);
      column += length;
      if (w < words - 1 && (r >>> 16) % 11 === 0) {
        f.byte(0x2c); // ','
        column++;
      }
    }
    f.byte(0x2e); // '.'
    column++;
    if (prng.chance(1, 6)) {
      f.put(PARAGRAPH);
      column = 0;
    }
  }
}
const PARAGRAPH = Buffer.from('\n\n');

const INDENT = Buffer.from('                ');
const KEYWORDS = ['if (', 'return ', 'const ', 'for (let ', 'while (', 'function ', '} else {', 'await '].map((k) => Buffer.from(k));
const PUNCT = ['(', ', ', ');', ' = ', '.', ' + ', ' === ', '[', '];', ' {', '}'].map((p) => Buffer.from(p));

function code(f: Filler, v: Vocabulary, prng: Prng): void {
  let depth = 0;
  while (!f.full) {
    f.put(INDENT.subarray(0, 2 * depth));
    if (prng.chance(1, 3)) f.put(KEYWORDS[prng.below(KEYWORDS.length)]!);
    const tokens = 2 + prng.below(8);
    for (let t = 0; t < tokens; t++) {
      const r = prng.next();
      f.word(v, v.rank(r));
      if ((r >>> 16) % 4 === 0) {
        f.byte(0x5f); // '_' joins identifiers
        f.word(v, v.rank(prng.next()));
      }
      if ((r >>> 20) % 9 === 0) f.number(r >>> 24);
      f.put(PUNCT[(r >>> 28) % PUNCT.length]!);
    }
    f.byte(NEWLINE);
    const turn = prng.below(8);
    if (turn === 0 && depth < 7) depth++;
    else if (turn === 1 && depth > 0) depth--;
  }
}

function csv(f: Filler, v: Vocabulary, prng: Prng): void {
  const columns = 3 + prng.below(6);
  let row = prng.below(100000);
  while (!f.full) {
    f.number(row++);
    for (let c = 0; c < columns; c++) {
      f.byte(0x2c);
      const r = prng.next();
      if (c % 2 === 0) f.word(v, v.rank(r));
      else f.number(r % 100000);
    }
    f.byte(NEWLINE);
  }
}
