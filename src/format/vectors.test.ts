// Runs testdata/format-vectors.json: language-neutral vectors, generated
// independently of this code from docs/format.md. Hand checks of a few PADME
// values it holds (E = floor(log2 L), S = floor(log2 E) + 1, m = 2^(E-S) - 1):
//   PADME(9):       E = 3,  S = 2, m = 1:     (9 + 1) & ~1 = 10
//   PADME(100):     E = 6,  S = 3, m = 7:     (100 + 7) & ~7 = 104
//   PADME(1000):    E = 9,  S = 4, m = 31:    (1000 + 31) & ~31 = 1024
//   PADME(1000000): E = 19, S = 5, m = 16383: 1016383 & ~16383 = 62 * 16384 = 1015808
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { FormatError } from '../errors.js';
import {
  decodeConfigJson, decodeContentList, decodeEntry, decodeHeader, decodeIndexPayload, decodeKeyFile, decodeKeySecrets,
  decodePadded, decodeSigned, decodeSignerSetJson, decodeSnapshotJson, decodeTrailerBody, decodeTree, encodeEntry,
  encodeHeader, encodeIndexPayload, encodePadded, encodeSigned, encodeSnapshotJson, encodeTrailerBody, encodeTree,
  ENTRY_LENGTH, padme,
  type BlobEntry, type IndexPayload, type ObjectType, type PackLimits,
} from './index.js';

interface NegativeCase {
  name: string;
  decoder: string;
  error: string;
  hex?: string;
  json?: string;
  expectedType?: ObjectType;
  limits?: PackLimits & { trailerStart: number };
}

interface Vectors {
  padme: { cases: [number, number][] };
  padded: { body: string; encoded: string }[];
  headers: { type: ObjectType; encoded: string }[];
  signed: { body: string; publicKey: string; signature: string; encoded: string }[];
  entries: { entry: BlobEntry; encoded: string }[];
  trailerBodies: { entries: BlobEntry[]; limits: PackLimits & { trailerStart: number }; encoded: string }[];
  indexPayloads: { payload: IndexPayload; encoded: string }[];
  trees: { json: string; names: string[] }[];
  snapshots: { json: string[] };
  negative: NegativeCase[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../testdata/format-vectors.json', import.meta.url), 'utf8'),
) as Vectors;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

const decoders: Record<string, (bytes: Buffer, c: NegativeCase) => unknown> = {
  header: (bytes, c) => decodeHeader(bytes, c.expectedType as ObjectType),
  padded: (bytes) => decodePadded(bytes),
  signed: (bytes) => decodeSigned(bytes),
  entry: (bytes) => decodeEntry(bytes, 0),
  trailer: (bytes, c) => decodeTrailerBody(bytes, c.limits as PackLimits & { trailerStart: number }),
  indexPayload: (bytes) => decodeIndexPayload(bytes),
  tree: (bytes) => decodeTree(bytes),
  contentList: (bytes) => decodeContentList(bytes),
  snapshot: (bytes) => decodeSnapshotJson(bytes),
  config: (bytes) => decodeConfigJson(bytes),
  signerSet: (bytes) => decodeSignerSetJson(bytes),
  keyFile: (bytes) => decodeKeyFile(bytes),
  keySecrets: (bytes) => decodeKeySecrets(bytes),
};

describe('format vectors', () => {
  test('padme', () => {
    for (const [length, padded] of vectors.padme.cases) assert.equal(padme(length), padded, `padme(${length})`);
  });

  test('padded', () => {
    for (const v of vectors.padded) {
      assert.equal(encodePadded(hex(v.body)).toString('hex'), v.encoded);
      assert.equal(decodePadded(hex(v.encoded)).toString('hex'), v.body);
    }
  });

  test('headers', () => {
    for (const v of vectors.headers) {
      assert.equal(encodeHeader(v.type).toString('hex'), v.encoded);
      decodeHeader(hex(v.encoded), v.type);
    }
  });

  test('signed', () => {
    for (const v of vectors.signed) {
      assert.equal(encodeSigned(hex(v.body), hex(v.publicKey), hex(v.signature)).toString('hex'), v.encoded);
      const decoded = decodeSigned(hex(v.encoded));
      assert.deepEqual([decoded.body, decoded.publicKey, decoded.signature].map((b) => b.toString('hex')), [v.body, v.publicKey, v.signature]);
    }
  });

  test('entries', () => {
    for (const v of vectors.entries) {
      const out = Buffer.alloc(ENTRY_LENGTH);
      encodeEntry(v.entry, out, 0);
      assert.equal(out.toString('hex'), v.encoded);
      assert.deepEqual(decodeEntry(hex(v.encoded), 0), v.entry);
    }
  });

  test('trailer bodies', () => {
    for (const v of vectors.trailerBodies) {
      assert.equal(encodeTrailerBody(v.entries).toString('hex'), v.encoded);
      assert.deepEqual(decodeTrailerBody(hex(v.encoded), v.limits), v.entries);
    }
  });

  test('index payloads', () => {
    for (const v of vectors.indexPayloads) {
      assert.equal(encodeIndexPayload(v.payload).toString('hex'), v.encoded);
      assert.deepEqual(decodeIndexPayload(hex(v.encoded)), v.payload);
    }
  });

  test('trees decode to raw names and encode back to the same bytes', () => {
    for (const v of vectors.trees) {
      const tree = decodeTree(Buffer.from(v.json, 'utf8'));
      assert.deepEqual(tree.nodes.map((n) => n.name.toString('hex')), v.names);
      assert.equal(encodeTree(tree.nodes).toString('utf8'), v.json);
    }
  });

  test('snapshots decode and encode back to the same bytes', () => {
    for (const json of vectors.snapshots.json) {
      assert.equal(encodeSnapshotJson(decodeSnapshotJson(Buffer.from(json, 'utf8'))).toString('utf8'), json);
    }
    const copy = decodeSnapshotJson(Buffer.from(vectors.snapshots.json[1] ?? '', 'utf8'));
    assert.deepEqual(copy.original, { repository: 'd'.repeat(64), snapshot: 'e'.repeat(64) });
    assert.equal('original' in decodeSnapshotJson(Buffer.from(vectors.snapshots.json[0] ?? '', 'utf8')), false);
  });

  describe('negative cases', () => {
    for (const c of vectors.negative) {
      test(c.name, () => {
        const decode = decoders[c.decoder];
        assert.ok(decode, `unknown decoder ${c.decoder}`);
        const bytes = c.hex !== undefined ? hex(c.hex) : Buffer.from(c.json ?? '', 'utf8');
        assert.throws(() => decode(bytes, c), (e: unknown) => {
          assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
          assert.ok(e.message.includes(c.error), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(c.error)}`);
          return true;
        });
      });
    }
  });
});
