import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../errors.js';
import {
  decodeEntry, decodeHeader, decodeIndexPayload, decodePadded, decodeSigned, decodeTrailerBody, encodeEntry,
  encodeHeader, encodeIndexPayload, encodePackEnd, encodePackStart, encodePadded, encodeSealedObject, encodeSigned,
  encodeTrailerBody, ENTRY_LENGTH, ObjectType, PACK_PREFIX_LENGTH, padme, SEAL_TAG_LENGTH, splitPack,
  splitSealedObject, validatePackEntries, type BlobEntry, type BlobId, type PackType,
} from './index.js';
import { blobEntry, idOf, indexPayload } from './testing.js';

/** Runs `fn`; any exception other than a FormatError fails the property. */
function onlyFormatErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
  }
}

/** Asserts that every strict prefix of `bytes` makes `decode` throw a FormatError. */
function everyTruncationFails(bytes: Buffer, decode: (b: Buffer) => unknown): void {
  for (let length = 0; length < bytes.length; length++) {
    assert.throws(() => decode(bytes.subarray(0, length)), FormatError, `cut to ${length} of ${bytes.length}`);
  }
}

const anyBytes = fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b));
const permissive = { packType: 'data' as const, trailerStart: 2 ** 33, maxBlobSize: 2 ** 32 };

/** A pack's entries laid out as a writer does: in order from offset 38, counters by position. */
const validPack = fc
  .record({
    packType: fc.constantFrom<PackType>('data', 'tree'),
    blobs: fc.array(
      fc.record({ id: idOf('blob'), stored: fc.integer({ min: 0, max: 5000 }), zstd: fc.boolean(), extra: fc.integer({ min: 0, max: 500 }) }),
      { maxLength: 8 },
    ),
  })
  .map(({ packType, blobs }) => {
    let offset = PACK_PREFIX_LENGTH;
    const entries = blobs.map((b, counter): BlobEntry => {
      const sealedLength = padme(b.stored) + SEAL_TAG_LENGTH;
      const entry: BlobEntry = {
        id: b.id, type: packType === 'data' ? 0 : 1, compression: b.zstd ? 1 : 0, offset, sealedLength,
        storedLength: b.stored, rawLength: b.zstd ? b.stored + b.extra : b.stored, counter,
      };
      offset += sealedLength;
      return entry;
    });
    return { packType, entries, trailerStart: offset, maxBlobSize: 5500 };
  });

describe('padme', () => {
  test('never shrinks, and adds at most about 12 %', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 48 }), (length) => {
      const padded = padme(length);
      assert.ok(padded >= length);
      assert.ok(padded <= length * 1.12 + 2, `padme(${length}) = ${padded}`);
      assert.equal(padme(padded), padded, 'padding is idempotent');
    }));
  });

  test('agrees with the spec\'s bit formula below 2^31', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 2 ** 31 - 1 }), (length) => {
      const e = 31 - Math.clz32(length);
      const s = 31 - Math.clz32(e) + 1;
      const m = 2 ** (e - s) - 1;
      assert.equal(padme(length), ((length + m) & ~m) >>> 0);
    }));
  });

  test('rejects lengths that are not safe non-negative integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => padme(bad), RangeError);
  });
});

describe('padded', () => {
  test('decode(encode(body)) = body, at length PADME(4 + len)', () => {
    fc.assert(fc.property(anyBytes, (body) => {
      const padded = encodePadded(body);
      assert.equal(padded.length, padme(4 + body.length));
      assert.deepEqual(decodePadded(padded), body);
      everyTruncationFails(padded, decodePadded);
    }));
  });

  test('any nonzero padding byte is refused', () => {
    fc.assert(fc.property(anyBytes, fc.nat(), fc.integer({ min: 1, max: 255 }), (body, at, value) => {
      const padded = encodePadded(body);
      fc.pre(padded.length > 4 + body.length);
      padded[4 + body.length + (at % (padded.length - 4 - body.length))] = value;
      assert.throws(() => decodePadded(padded), /nonzero padding/);
    }));
  });
});

describe('header', () => {
  test('round trip for every type, and every other type is refused', () => {
    const types = Object.values(ObjectType);
    for (const type of types) {
      const header = encodeHeader(type);
      decodeHeader(Buffer.concat([header, Buffer.from('rest')]), type);
      everyTruncationFails(header, (b) => decodeHeader(b, type));
      for (const other of types.filter((t) => t !== type)) assert.throws(() => decodeHeader(header, other), FormatError);
    }
  });
});

describe('signed', () => {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const signature = fc.uint8Array({ minLength: 64, maxLength: 64 });
  test('round trip, and every truncation fails', () => {
    fc.assert(fc.property(anyBytes, key, signature, (body, publicKey, sig) => {
      const signed = encodeSigned(body, publicKey, sig);
      const decoded = decodeSigned(signed);
      assert.deepEqual([decoded.body, decoded.publicKey, decoded.signature], [body, Buffer.from(publicKey), Buffer.from(sig)]);
      everyTruncationFails(signed, decodeSigned);
      assert.throws(() => decodeSigned(Buffer.concat([signed, Buffer.of(0)])), /trailing/);
    }), { numRuns: 50 });
  });

  test('refuses keys and signatures of the wrong length', () => {
    assert.throws(() => encodeSigned(Buffer.alloc(1), Buffer.alloc(31), Buffer.alloc(64)), FormatError);
    assert.throws(() => encodeSigned(Buffer.alloc(1), Buffer.alloc(32), Buffer.alloc(63)), FormatError);
  });
});

describe('entries', () => {
  test('decode(encode(e)) = e at any position', () => {
    fc.assert(fc.property(blobEntry, fc.nat(10), (entry, pos) => {
      const out = Buffer.alloc(pos + ENTRY_LENGTH);
      encodeEntry(entry, out, pos);
      assert.deepEqual(decodeEntry(out, pos), entry);
      assert.throws(() => decodeEntry(out, pos + 1), FormatError);
    }));
  });

  test('encode refuses values the layout cannot hold', () => {
    const entry: BlobEntry = {
      id: 'ab'.repeat(32) as BlobId, type: 0, compression: 0, offset: 0, sealedLength: 0, storedLength: 0, rawLength: 0, counter: 0,
    };
    const out = Buffer.alloc(ENTRY_LENGTH);
    for (const bad of [{ offset: 2 ** 32 }, { counter: -1 }, { rawLength: 1.5 }, { id: 'AB'.repeat(32) }, { type: 2 }, { compression: 3 }]) {
      assert.throws(() => encodeEntry({ ...entry, ...bad } as BlobEntry, out, 0), FormatError, JSON.stringify(bad));
    }
  });
});

describe('pack trailer', () => {
  test('valid packs round trip through the trailer body with every check', () => {
    fc.assert(fc.property(validPack, ({ entries, ...limits }) => {
      const body = encodeTrailerBody(entries);
      assert.deepEqual(decodeTrailerBody(body, limits), entries);
      everyTruncationFails(body, (b) => decodeTrailerBody(b, limits));
      // The blobs read in any order are the same pack.
      validatePackEntries(entries.slice().reverse(), limits);
    }));
  });

  test('every truncation of any trailer body fails', () => {
    fc.assert(fc.property(fc.array(blobEntry, { maxLength: 5 }), (entries) => {
      everyTruncationFails(encodeTrailerBody(entries), (b) => decodeTrailerBody(b, permissive));
    }));
  });

  test('a blob moved onto its neighbour, or past the trailer, is refused', () => {
    fc.assert(fc.property(validPack.filter((p) => p.entries.length >= 2), fc.nat(), ({ entries, ...limits }, pick) => {
      const i = 1 + (pick % (entries.length - 1));
      const moved = entries.map((e, j) => (j === i ? { ...e, offset: e.offset - 1 } : e));
      assert.throws(() => validatePackEntries(moved, limits), /overlap/);
      assert.throws(() => validatePackEntries(entries, { ...limits, trailerStart: limits.trailerStart - 1 }), /outside/);
    }));
  });

  test('a pack longer than packSize must hold a single blob', () => {
    const entry: BlobEntry = {
      id: 'ab'.repeat(32) as BlobId, type: 0, compression: 0, offset: 38, sealedLength: padme(100) + 16, storedLength: 100, rawLength: 100, counter: 0,
    };
    const limits = { packType: 'data' as const, maxBlobSize: 1000, packLength: 2000, packSize: 1000 };
    validatePackEntries([entry], limits);
    const second = { ...entry, offset: 38 + entry.sealedLength, counter: 1 };
    assert.throws(() => validatePackEntries([entry, second], limits), /exceeds packSize/);
    validatePackEntries([entry, second], { ...limits, packLength: 1000 });
  });

  test('decoding random bytes throws only FormatError', () => {
    fc.assert(fc.property(anyBytes, (bytes) => onlyFormatErrors(() => decodeTrailerBody(bytes, permissive))));
  });
});

describe('pack layout', () => {
  test('splitPack finds the parts a writer put together', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), anyBytes, fc.uint8Array({ minLength: 24, maxLength: 200 }), fc.constantFrom<PackType>('data', 'tree'), (e, blobs, trailer, packType) => {
      const pack = Buffer.concat([encodePackStart(packType, e), blobs, encodePackEnd(trailer)]);
      const parts = splitPack(pack, packType);
      assert.deepEqual(parts.header, encodeHeader(packType === 'data' ? ObjectType.dataPack : ObjectType.treePack));
      assert.deepEqual(parts.ephemeralPublic, Buffer.from(e));
      assert.deepEqual(parts.sealedTrailer, Buffer.from(trailer));
      assert.equal(parts.trailerStart, PACK_PREFIX_LENGTH + blobs.length);
      assert.throws(() => splitPack(pack, packType === 'data' ? 'tree' : 'data'), /expected/);
      everyTruncationFails(pack.subarray(0, PACK_PREFIX_LENGTH + 28), (b) => splitPack(b, packType));
    }));
  });

  test('a trailer length reaching into the prefix is refused', () => {
    const pack = Buffer.concat([encodePackStart('data', Buffer.alloc(32)), encodePackEnd(Buffer.alloc(30))]);
    pack.writeUInt32LE(31, pack.length - 4);
    assert.throws(() => splitPack(pack, 'data'), /invalid trailer length/);
    fc.assert(fc.property(anyBytes, (bytes) => onlyFormatErrors(() => splitPack(bytes, 'data'))));
  });

  test('sealed objects (index, snapshot, signer set) split into header, prefix and sealed bytes', () => {
    const prefix = Buffer.alloc(32, 7);
    const sealed = Buffer.alloc(40, 9);
    const object = encodeSealedObject(ObjectType.snapshot, prefix, sealed);
    const parts = splitSealedObject(object, ObjectType.snapshot);
    assert.deepEqual([parts.header, parts.prefix, parts.sealed], [encodeHeader(ObjectType.snapshot), prefix, sealed]);
    assert.throws(() => splitSealedObject(object, ObjectType.index), /expected index object, found snapshot/);
    everyTruncationFails(object.subarray(0, 38 + 16), (b) => splitSealedObject(b, ObjectType.snapshot));
  });
});

describe('index payload', () => {
  test('decode(encode(p)) = p, and every truncation fails', () => {
    fc.assert(fc.property(indexPayload, (payload) => {
      const bytes = encodeIndexPayload(payload);
      assert.deepEqual(decodeIndexPayload(bytes), payload);
      everyTruncationFails(bytes, decodeIndexPayload);
    }), { numRuns: 60 });
  });

  test('decoding random or mutated bytes throws only FormatError', () => {
    fc.assert(fc.property(anyBytes, (bytes) => onlyFormatErrors(() => decodeIndexPayload(bytes))));
    fc.assert(fc.property(indexPayload, fc.nat(), fc.integer({ min: 1, max: 255 }), (payload, at, xor) => {
      const bytes = encodeIndexPayload(payload);
      const i = at % bytes.length;
      bytes[i] = (bytes[i] as number) ^ xor;
      onlyFormatErrors(() => decodeIndexPayload(bytes));
    }));
  });

  test('refuses an entry whose blob type is not its pack type, on encode as on decode', () => {
    const entry: BlobEntry = {
      id: 'ab'.repeat(32) as BlobId, type: 1, compression: 0, offset: 38, sealedLength: 16, storedLength: 0, rawLength: 0, counter: 0,
    };
    const payload = { superseded: [], packs: [{ id: 'cd'.repeat(32), type: 'data', entries: [entry] }] } as never;
    assert.throws(() => encodeIndexPayload(payload), /in a data pack/);
  });

  // Speed is measured by the benchmarks (npm run bench), not here: this proves scale only.
  test('decodes a million entries', () => {
    const entries: BlobEntry[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = i.toString(16).padStart(64, '0') as BlobId;
      entries.push({ id, type: 0, compression: 1, offset: 38 + i * 4112, sealedLength: 4112, storedLength: 4096, rawLength: 8000, counter: i });
    }
    const packs = Array.from({ length: 1000 }, (_, p) => ({ id: p.toString(16).padStart(64, '0') as never, type: 'data' as const, entries }));
    const bytes = encodeIndexPayload({ superseded: [], packs });
    const decoded = decodeIndexPayload(bytes);
    assert.equal(decoded.packs.reduce((n, p) => n + p.entries.length, 0), 1_000_000);
    assert.equal(decoded.packs[999]!.entries[999]!.offset, 38 + 999 * 4112);
  });
});
