/**
 * The in-memory blob index: blob id -> where the sealed blob lives. Held in
 * typed arrays with open addressing rather than a Map of strings, so a
 * million blobs cost tens of megabytes, not hundreds (docs/format.md "Index
 * objects" is the stored form; this is only the lookup structure).
 *
 * Per blob: 32 id bytes + 6 u32 fields + 1 flag byte + 4 bytes of hash slot
 * (at load factor <= 0.5, two u32 slots per blob) ~ 65 bytes.
 */

/** Where a blob is, as recorded by an index entry. */
export interface BlobLocation {
  readonly packId: string;
  readonly type: number;
  readonly compression: number;
  readonly offset: number;
  readonly sealedLength: number;
  readonly storedLength: number;
  readonly rawLength: number;
  readonly counter: number;
}

const ID = 32;
const FIELDS = 6; // pack, offset, sealed, stored, raw, counter

export class BlobIndex {
  private ids = new Uint8Array(0);
  private fields = new Uint32Array(0);
  private flags = new Uint8Array(0); // type | compression << 1
  private slots = new Uint32Array(16); // entry index + 1; 0 = empty
  private count = 0;
  private readonly packIds: string[] = [];
  private readonly packNumbers = new Map<string, number>();

  /** Number of distinct blobs indexed. */
  get size(): number {
    return this.count;
  }

  /** Pack ids known to the index. */
  get packs(): readonly string[] {
    return this.packIds;
  }

  /** True if the blob id (32 bytes) is indexed. */
  has(id: Uint8Array): boolean {
    return this.find(id) >= 0;
  }

  lookup(id: Uint8Array): BlobLocation | undefined {
    const at = this.find(id);
    return at < 0 ? undefined : this.locationAt(at);
  }

  /**
   * The blob's position (0 to size - 1, in the order blobs were added), or
   * -1 if it is not indexed: lets callers keep a bit per indexed blob.
   */
  positionOf(id: Uint8Array): number {
    return this.find(id);
  }

  /** The location of the blob at `position` (see positionOf). */
  locationAtPosition(position: number): BlobLocation {
    if (!Number.isInteger(position) || position < 0 || position >= this.count) throw new RangeError(`no blob at position ${position}`);
    return this.locationAt(position);
  }

  /** Adds a blob; a blob already indexed keeps its first location. Returns false if it was already there. */
  add(id: Uint8Array, location: BlobLocation): boolean {
    if (this.find(id) >= 0) return false;
    if (this.count * 2 >= this.slots.length) this.grow();
    const at = this.count++;
    if (at * ID >= this.ids.length) this.growEntries();
    this.ids.set(id.subarray(0, ID), at * ID);
    const f = at * FIELDS;
    this.fields[f] = this.packNumber(location.packId);
    this.fields[f + 1] = location.offset;
    this.fields[f + 2] = location.sealedLength;
    this.fields[f + 3] = location.storedLength;
    this.fields[f + 4] = location.rawLength;
    this.fields[f + 5] = location.counter;
    this.flags[at] = location.type | (location.compression << 1);
    this.insertSlot(at);
    return true;
  }

  /** Every indexed blob, with its id as bytes (a view: copy it to keep it). */
  *entries(): Generator<[Uint8Array, BlobLocation]> {
    for (let at = 0; at < this.count; at++) yield [this.ids.subarray(at * ID, at * ID + ID), this.locationAt(at)];
  }

  private locationAt(at: number): BlobLocation {
    const f = at * FIELDS;
    const flag = this.flags[at]!;
    return {
      packId: this.packIds[this.fields[f]!]!,
      type: flag & 1,
      compression: flag >> 1,
      offset: this.fields[f + 1]!,
      sealedLength: this.fields[f + 2]!,
      storedLength: this.fields[f + 3]!,
      rawLength: this.fields[f + 4]!,
      counter: this.fields[f + 5]!,
    };
  }

  private packNumber(packId: string): number {
    let n = this.packNumbers.get(packId);
    if (n === undefined) {
      n = this.packIds.length;
      this.packIds.push(packId);
      this.packNumbers.set(packId, n);
    }
    return n;
  }

  // Blob ids are HMAC outputs, so their first four bytes are already a uniform hash.
  private static hashOf(id: Uint8Array): number {
    return (id[0]! | (id[1]! << 8) | (id[2]! << 16) | (id[3]! << 24)) >>> 0;
  }

  private find(id: Uint8Array): number {
    const mask = this.slots.length - 1;
    for (let s = BlobIndex.hashOf(id) & mask; ; s = (s + 1) & mask) {
      const slot = this.slots[s]!;
      if (slot === 0) return -1;
      if (this.idEquals(slot - 1, id)) return slot - 1;
    }
  }

  private idEquals(at: number, id: Uint8Array): boolean {
    const base = at * ID;
    for (let i = 0; i < ID; i++) if (this.ids[base + i] !== id[i]) return false;
    return true;
  }

  private insertSlot(at: number): void {
    const mask = this.slots.length - 1;
    const id = this.ids.subarray(at * ID, at * ID + ID);
    let s = BlobIndex.hashOf(id) & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = at + 1;
  }

  private grow(): void {
    this.slots = new Uint32Array(this.slots.length * 2);
    for (let at = 0; at < this.count; at++) this.insertSlot(at);
  }

  private growEntries(): void {
    const capacity = Math.max(1024, this.count * 2);
    const ids = new Uint8Array(capacity * ID);
    ids.set(this.ids);
    const fields = new Uint32Array(capacity * FIELDS);
    fields.set(this.fields);
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.ids = ids;
    this.fields = fields;
    this.flags = flags;
  }
}
