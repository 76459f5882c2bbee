/**
 * What prune knows about every pack (docs/format.md "Garbage collection
 * (prune)", "Terms"), in typed arrays indexed by pack number: whether it is
 * stored and how big, who vouches for its contents, which plans list it, and
 * the copies of referenced blobs it holds (pairs of blob number and sealed
 * length in one flat list).
 */
import type { PackType } from '../format/index.js';
import { IdTable, U32List } from './id-table.js';

export const PackFlag = {
  /** Listed in storage. */
  stored: 1 << 0,
  /** Listed by an owner-signed index object: that object's entries stand for the trailer. */
  endorsed: 1 << 1,
  /** Listed by an index object of an unrevoked signer with role "full". */
  fullListed: 1 << 2,
  /** A valid tombstone lists it. */
  tombstoned: 1 << 3,
  /** Its trailer could not be read or authenticated: never deleted, never a keeper. */
  unreadable: 1 << 4,
  /** A candidate of a plan whose window has passed (being swept). */
  ripe: 1 << 5,
  /** A candidate of a plan whose window has not passed. */
  pending: 1 << 6,
  /** Listed by an index object a ripe plan does not know and the owner did not sign (a rescue). */
  protected: 1 << 7,
  /** Its contents (copies of referenced blobs, total size) are known. */
  surveyed: 1 << 8,
  /** Deleted by this run. */
  deleted: 1 << 9,
} as const;

const NONE = 0xffffffff;

export class PackTable {
  readonly ids = new IdTable();
  private kinds = new Uint8Array(0);
  private flagBits = new Uint16Array(0);
  private sizes = new Float64Array(0);
  private usedBytes = new Float64Array(0);
  private blobBytes = new Float64Array(0);
  private starts = new Uint32Array(0);
  private ends = new Uint32Array(0);
  /** Pairs (blob number, sealed length) of the referenced blobs each surveyed pack holds. */
  private readonly refs = new U32List();

  get count(): number {
    return this.ids.size;
  }

  get byteLength(): number {
    return this.ids.byteLength + this.refs.byteLength
      + this.kinds.byteLength + this.flagBits.byteLength + this.sizes.byteLength * 3 + this.starts.byteLength * 2;
  }

  /** The number of pack `id` of `type`, adding it if new. */
  number(id: string, type: PackType): number {
    const before = this.ids.size;
    const n = this.ids.internHex(id);
    if (n < before) return n;
    if (n >= this.kinds.length) this.grow(Math.max(256, (n + 1) * 2));
    this.kinds[n] = type === 'tree' ? 1 : 0;
    return n;
  }

  find(id: string): number {
    return this.ids.findHex(id);
  }

  id(n: number): string {
    return this.ids.hexAt(n);
  }

  type(n: number): PackType {
    return this.kinds[n] === 1 ? 'tree' : 'data';
  }

  has(n: number, flag: number): boolean {
    return (this.flagBits[n]! & flag) !== 0;
  }

  set(n: number, flag: number): void {
    this.flagBits[n]! |= flag;
  }

  clear(n: number, flag: number): void {
    this.flagBits[n]! &= ~flag;
  }

  size(n: number): number {
    return this.sizes[n]!;
  }

  setSize(n: number, size: number): void {
    this.sizes[n] = size;
  }

  used(n: number): number {
    return this.usedBytes[n]!;
  }

  setUsed(n: number, bytes: number): void {
    this.usedBytes[n] = bytes;
  }

  /** Sealed bytes of all the blobs in a surveyed pack (its size without header and trailer). */
  sealedBytes(n: number): number {
    return this.blobBytes[n]!;
  }

  /** Records the pack's contents: call once, with every copy of a referenced blob it holds and its blobs' sealed bytes. */
  survey(n: number, copies: Iterable<[blob: number, sealedLength: number]>, sealedBytes: number): void {
    this.blobBytes[n] = sealedBytes;
    this.starts[n] = this.refs.length;
    for (const [blob, sealed] of copies) {
      this.refs.push(blob);
      this.refs.push(sealed);
    }
    this.ends[n] = this.refs.length;
    this.set(n, PackFlag.surveyed);
  }

  /** The copies of referenced blobs in pack `n`. */
  *copies(n: number): Generator<[blob: number, sealedLength: number]> {
    for (let i = this.starts[n]!; i < this.ends[n]!; i += 2) yield [this.refs.at(i), this.refs.at(i + 1)];
  }

  private grow(capacity: number): void {
    const grow = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.kinds = grow(this.kinds, (c) => new Uint8Array(c));
    this.flagBits = grow(this.flagBits, (c) => new Uint16Array(c));
    this.sizes = grow(this.sizes, (c) => new Float64Array(c));
    this.usedBytes = grow(this.usedBytes, (c) => new Float64Array(c));
    this.blobBytes = grow(this.blobBytes, (c) => new Float64Array(c));
    this.starts = grow(this.starts, (c) => new Uint32Array(c));
    this.ends = grow(this.ends, (c) => new Uint32Array(c));
  }
}

export { NONE };
