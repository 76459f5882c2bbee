/**
 * fast-check arbitraries for the structures of format/, for property tests
 * here and in the layers above.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import type { RepositoryConfig } from './config.js';
import type { BlobEntry } from './entry.js';
import type { BlobId, IdKind, IdKinds } from './ids.js';
import type { IndexPayload } from './index-payload.js';
import type { KeyFile, KeySecrets } from './key-file.js';
import type { SignerSet } from './signer-set.js';
import type { Snapshot } from './snapshot.js';
import type { TreeNode } from './tree-node.js';

/** fc.record with ordinary prototypes, so decoded objects compare equal with deepStrictEqual. */
function record<T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

export const u32 = fc.integer({ min: 0, max: 0xffffffff });
const safeNat = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));

/** Random ids of `kind`. */
export function idOf<K extends IdKind>(_kind: K): fc.Arbitrary<IdKinds[K]> {
  return bytes32.map((b) => b.toString('hex') as IdKinds[K]);
}
const blobId = idOf('blob');

/** Times the format can write: years 0000 to 9999, in nanoseconds. */
export const timeNs = fc.bigInt({ min: -62_167_219_200_000_000_000n, max: 253_402_300_799_999_999_999n });

/** Any Unicode text without unpaired surrogates. */
export const text = fc.string({ unit: 'binary', maxLength: 12 });

/** Entries with arbitrary field values (only the layout is checked by decodeEntry). */
export const blobEntry: fc.Arbitrary<BlobEntry> = record({
  id: blobId,
  type: fc.constantFrom(0 as const, 1 as const),
  compression: fc.constantFrom(0 as const, 1 as const),
  offset: u32,
  sealedLength: u32,
  storedLength: u32,
  rawLength: u32,
  counter: u32,
});

export const indexPayload: fc.Arbitrary<IndexPayload> = record({
  superseded: fc.uniqueArray(idOf('index'), { maxLength: 4 }),
  packs: fc.uniqueArray(
    record({ id: idOf('pack'), type: fc.constantFrom('data' as const, 'tree' as const), entries: fc.array(blobEntry, { maxLength: 6 }) })
      .map((pack) => ({ ...pack, entries: pack.entries.map((e) => ({ ...e, type: pack.type === 'data' ? (0 as const) : (1 as const) })) })),
    { selector: (pack) => pack.id, maxLength: 5 },
  ),
});

/** Valid node names: raw bytes (often not UTF-8) or Unicode text. */
export const nodeName: fc.Arbitrary<Buffer> = fc
  .oneof(
    fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => Buffer.from(b.map((x) => (x === 0x2f || x === 0 ? 0x41 : x)))),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).map((s) => Buffer.from(s.replace(/[/\0]/g, '_'), 'utf8')),
  )
  .filter((name) => name.length > 0 && name.toString('latin1') !== '.' && name.toString('latin1') !== '..');

const hardLink = fc.option(
  record({
    device: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
    inode: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
    links: fc.integer({ min: 2, max: 0xffffffff }),
  }),
  { nil: undefined },
);

const typeFields = fc.oneof(
  record({ type: fc.constant('file' as const), size: safeNat, content: fc.array(blobId, { maxLength: 4 }) }),
  record({ type: fc.constant('file' as const), size: safeNat, contentLists: fc.array(blobId, { minLength: 1, maxLength: 3 }) }),
  record({ type: fc.constant('dir' as const), subtree: fc.array(blobId, { maxLength: 3 }) }),
  record({ type: fc.constant('symlink' as const), target: fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)) }),
  record({ type: fc.constantFrom('fifo' as const, 'socket' as const) }),
  record({ type: fc.constantFrom('chardev' as const, 'blockdev' as const), rdev: safeNat }),
);

/** Valid tree nodes of every type, with random metadata. */
export const treeNode: fc.Arbitrary<TreeNode> = fc
  .record({
    name: nodeName,
    mode: fc.integer({ min: 0, max: 0o7777 }),
    uid: u32,
    gid: u32,
    mtime: timeNs,
    fields: typeFields,
    link: hardLink,
  })
  .map(({ fields, link, ...common }) => ({ ...common, ...fields, ...(link && fields.type !== 'dir' ? link : {}) }));

/** Nodes with unique names, in random order. */
export const treeNodes = fc.uniqueArray(treeNode, { selector: (n) => n.name.toString('hex'), maxLength: 8 });

export const snapshot: fc.Arbitrary<Snapshot> = fc
  .record({
    time: timeNs,
    tree: blobId,
    paths: fc.array(text.filter((s) => s !== ''), { minLength: 1, maxLength: 3 }),
    hostname: text,
    username: text,
    tags: fc.array(text, { maxLength: 3 }),
    domain: text.filter((s) => s !== ''),
    signer: bytes32,
    chain: fc.oneof(
      fc.constant({ sequence: 1, previous: null }),
      record({ sequence: fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }), previous: idOf('snapshot') }),
    ),
    incomplete: fc.boolean(),
    program: text,
    summary: record({
      filesNew: safeNat, filesChanged: safeNat, filesUnchanged: safeNat, dirs: safeNat, bytesRead: safeNat,
      bytesAdded: safeNat, packsAdded: safeNat, warnings: safeNat, durationMs: safeNat,
    }),
    // Present only in copies; absent (not undefined) otherwise, as the decoder returns it.
    original: fc.option(record({ repository: idOf('repository'), snapshot: idOf('snapshot') }), { nil: undefined }),
  })
  .map(({ chain, original, ...rest }) => ({ format: 1 as const, ...rest, ...chain, ...(original ? { original } : {}) }));

export const config: fc.Arbitrary<RepositoryConfig> = fc
  .record({
    repository: idOf('repository'),
    created: timeNs,
    readPublicKey: bytes32,
    ownerPublicKey: bytes32,
    packSize: fc.integer({ min: 2 ** 20, max: 2 ** 28 }),
    extra: fc.integer({ min: 0, max: 2 ** 20 }),
    domains: fc.uniqueArray(
      record({ id: text.filter((s) => s !== ''), bits: fc.integer({ min: 2, max: 24 }), below: fc.integer({ min: 1, max: 4 }), above: fc.integer({ min: 1, max: 3 }) }),
      { selector: (d) => d.id, minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ extra, domains, ...rest }) => {
    const max = Math.max(...domains.map((d) => 2 ** (d.bits + d.above)));
    return {
      format: 1 as const,
      ...rest,
      features: [],
      maxBlobSize: max + extra,
      compression: 'zstd' as const,
      domains: domains.map((d) => ({
        id: d.id,
        chunker: { algorithm: 'fastcdc-v1' as const, min: 2 ** Math.max(0, d.bits - d.below), avg: 2 ** d.bits, max: 2 ** (d.bits + d.above) },
      })),
    };
  });

export const signerSet: fc.Arbitrary<SignerSet> = record({
  format: fc.constant(1 as const),
  repository: idOf('repository'),
  version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  signers: fc.uniqueArray(
    record({
      name: text,
      publicKey: bytes32,
      role: fc.constantFrom('full' as const, 'write-only' as const),
      added: timeNs,
      revoked: fc.option(timeNs, { nil: null }),
    }),
    { selector: (s) => s.publicKey.toString('hex'), maxLength: 4 },
  ),
});

export const keyFile: fc.Arbitrary<KeyFile> = record({
  format: fc.constant('coffer-key/v1' as const),
  name: text,
  created: timeNs,
  host: text,
  kdf: fc
    .record({ logN: fc.integer({ min: 10, max: 22 }), r: fc.integer({ min: 1, max: 32 }), p: fc.integer({ min: 1, max: 16 }), salt: bytes32 })
    .filter(({ logN, r, p }) => 2 ** logN * r * p <= 2 ** 25)
    .map(({ logN, r, p, salt }) => ({ algorithm: 'scrypt' as const, N: 2 ** logN, r, p, salt })),
  nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b)),
  ciphertext: fc.uint8Array({ minLength: 16, maxLength: 300 }).map((b) => Buffer.from(b)),
});

export const keySecrets: fc.Arbitrary<KeySecrets> = fc
  .record({
    repository: idOf('repository'),
    full: fc.boolean(),
    readPublicKey: bytes32,
    readPrivateKey: bytes32,
    ownerPublicKey: bytes32,
    ownerPrivateKey: bytes32,
    domains: fc.uniqueArray(record({ id: text.filter((s) => s !== ''), writerRoot: bytes32 }), { selector: (d) => d.id, minLength: 1, maxLength: 3 }),
    signer: record({ name: text, publicKey: bytes32, privateKey: bytes32 }),
  })
  .map(({ full, readPrivateKey, ownerPrivateKey, domains, ...rest }) => ({
    ...rest,
    role: full ? ('full' as const) : ('write-only' as const),
    readPrivateKey: full ? readPrivateKey : null,
    ownerPrivateKey: full ? ownerPrivateKey : null,
    domains: full ? domains : domains.slice(0, 1),
  }));

/** A copy of `nodes` sorted as a tree stores them. */
export function sortedNodes(nodes: readonly TreeNode[]): TreeNode[] {
  return nodes.slice().sort((a, b) => Buffer.compare(a.name, b.name));
}

/** Blob ids for tests that need a fixed one. */
export const someBlobId = 'ab'.repeat(32) as BlobId;
