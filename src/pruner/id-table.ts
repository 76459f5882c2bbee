/**
 * A set of 32-byte ids numbered 0, 1, 2, ... in insertion order, held in
 * typed arrays with open addressing (as BlobIndex is), so millions of ids
 * cost tens of megabytes outside the V8 heap: 32 bytes per id plus two or
 * three 4-byte slots. Callers keep per-id data in their own typed arrays,
 * indexed by the number.
 */
const ID = 32;

export class IdTable {
  private ids = new Uint8Array(0);
  private slots = new Uint32Array(16); // number + 1; 0 = empty
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes held (for the memory tests and reports). */
  get byteLength(): number {
    return this.ids.byteLength + this.slots.byteLength;
  }

  /** The number of `id`, or -1 if it is not in the table. */
  find(id: Uint8Array): number {
    const mask = this.slots.length - 1;
    for (let s = hashOf(id) & mask; ; s = (s + 1) & mask) {
      const slot = this.slots[s]!;
      if (slot === 0) return -1;
      if (this.equals(slot - 1, id)) return slot - 1;
    }
  }

  findHex(id: string): number {
    return this.find(Buffer.from(id, 'hex'));
  }

  /** The number of `id`, adding it if new. */
  intern(id: Uint8Array): number {
    const found = this.find(id);
    if (found >= 0) return found;
    if ((this.count + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const at = this.count++;
    if (at * ID >= this.ids.length) {
      const ids = new Uint8Array(Math.max(1024, this.count * 2) * ID);
      ids.set(this.ids);
      this.ids = ids;
    }
    this.ids.set(id.subarray(0, ID), at * ID);
    this.insert(at);
    return at;
  }

  internHex(id: string): number {
    return this.intern(Buffer.from(id, 'hex'));
  }

  /** The id numbered `n`, as a view (copy it to keep it). */
  idAt(n: number): Uint8Array {
    return this.ids.subarray(n * ID, n * ID + ID);
  }

  hexAt(n: number): string {
    return Buffer.from(this.ids.buffer, this.ids.byteOffset + n * ID, ID).toString('hex');
  }

  private equals(at: number, id: Uint8Array): boolean {
    const base = at * ID;
    for (let i = 0; i < ID; i++) if (this.ids[base + i] !== id[i]) return false;
    return true;
  }

  private insert(at: number): void {
    const mask = this.slots.length - 1;
    let s = hashOf(this.ids.subarray(at * ID, at * ID + ID)) & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = at + 1;
  }

  private rehash(size: number): void {
    this.slots = new Uint32Array(size);
    for (let at = 0; at < this.count; at++) this.insert(at);
  }
}

// Blob ids are HMAC outputs and object ids SHA-256 outputs: their first bytes are already uniform.
function hashOf(id: Uint8Array): number {
  return (id[0]! | (id[1]! << 8) | (id[2]! << 16) | (id[3]! << 24)) >>> 0;
}

/** A growable typed array of u32, for per-id data and flat lists. */
export class U32List {
  private data = new Uint32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const data = new Uint32Array(this.data.length * 2);
      data.set(this.data);
      this.data = data;
    }
    this.data[this.length++] = value;
  }

  at(i: number): number {
    return this.data[i]!;
  }

  get byteLength(): number {
    return this.data.byteLength;
  }
}
