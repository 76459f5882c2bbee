// Generates coffer's format-stability test data. Run once per format version,
// never to "fix" a failing test: these files are the record of what format v1
// produced, and every later coffer must still read them.
//
//   npx tsc -p tsconfig.json
//   node scripts/make-fixture.mjs fixture [--force]   # testdata/fixture-v1/
//   node scripts/make-fixture.mjs vectors [--force]   # testdata/pack-vectors.json, testdata/index-vectors.json
//
// `fixture` drives the real CLI (bin/coffer.js): init, then two backups of a
// deterministic source tree rebuilt at a fixed path (tmpdir/coffer-fixture-v1/tree),
// and writes expected.json from the source tree as it was at each backup.
// `vectors` seals packs and index objects with fixed, recorded keys and
// derives negative cases from them; every expectation below is written by
// hand from docs/format.md and only checked (never chosen) against the code.
// Both refuse to overwrite existing output without --force.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lutimes, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => import(join(ROOT, 'dist', path));
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** mulberry32: a fixed PRNG, so the source tree's binary file is the same on every run. */
function prngBytes(seed, length) {
  const out = Buffer.alloc(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

async function refuseOverwrite(paths, force) {
  const existing = paths.filter((p) => existsSync(p));
  if (existing.length > 0 && !force) {
    throw new Error(`refusing to overwrite ${existing.join(', ')}: committed format test data must never change (use --force only for a new format version)`);
  }
}

// ---------------------------------------------------------------------------
// fixture

const FIXTURE = join(ROOT, 'testdata', 'fixture-v1');
const PASSPHRASE = 'fixture v1: crème brûlée for coffer\n';
const SOURCE = join(tmpdir(), 'coffer-fixture-v1', 'tree');
const T0 = 1_700_000_000_123_456_000n; // whole microseconds: they round-trip through utimes

const LOREM = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.\n';

async function sourceSpec(version) {
  const { file, dir, symlink } = await dist('source/testing.js');
  const t = (seconds) => T0 + BigInt(seconds) * 1_000_000_000n;
  const notes = 'notes\n=====\n\n- first line\n' + (version === 2 ? '- second line, added before the second backup\n' : '');
  const sub = {
    'deep.txt': file('a file one level down\n', { mtimeNs: t(10) }),
    'lorem.txt': file(LOREM.repeat(96), { mtimeNs: t(11) }),
  };
  if (version === 2) sub['added.txt'] = file('added before the second backup\n', { mtimeNs: t(100) });
  return {
    'README.txt': file('This tree is backed up into coffer\'s format v1 fixture.\n', { mtimeNs: t(1) }),
    'notes.md': file(notes, { mtimeNs: version === 2 ? t(101) : t(2) }),
    'run.sh': file('#!/bin/sh\necho "hello from the fixture"\n', { mode: 0o755, mtimeNs: t(3) }),
    'data.bin': file(prngBytes(0xc0ffee, 300 * 1024), { mtimeNs: t(4) }),
    'empty.txt': file('', { mtimeNs: t(5) }),
    link: symlink('README.txt', { mtimeNs: t(6) }),
    empty: dir({}, { mode: 0o755, mtimeNs: t(7) }),
    sub: dir(sub, { mode: 0o755, mtimeNs: version === 2 ? t(102) : t(12) }),
  };
}

/** The source tree as JSON: what a restore of it must reproduce ("." is the backed-up directory itself). */
async function describeTree(root) {
  const { readTree } = await dist('source/testing.js');
  const { metadataFromStats } = await dist('source/index.js');
  const { lstat } = await import('node:fs/promises');
  const self = metadataFromStats(await lstat(root, { bigint: true }));
  const entries = { '.': { type: 'dir', mode: self.mode, mtimeNs: self.mtimeNs } };
  Object.assign(entries, await readTree(root));
  return Object.fromEntries(Object.entries(entries).map(([path, e]) => [path, { ...e, mtimeNs: String(e.mtimeNs) }]));
}

async function buildSource(version) {
  const { makeTree } = await dist('source/testing.js');
  await rm(SOURCE, { recursive: true, force: true });
  await makeTree(SOURCE, await sourceSpec(version));
  await chmod(SOURCE, 0o755);
  const rootTime = Number(T0 / 1000n + BigInt(version) * 1_000_000n) / 1e6;
  await lutimes(SOURCE, rootTime, rootTime);
}

function cli(repo, args) {
  const result = spawnSync(process.execPath, [
    join(ROOT, 'bin', 'coffer.js'), '--repo', repo, '--password-file', join(FIXTURE, 'passphrase.txt'), '--no-cache', '--json', ...args,
  ], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`coffer ${args.join(' ')}: exit ${result.status}\n${result.stderr}`);
  return result.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

async function totalSize(path) {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += await totalSize(join(path, name));
  return total;
}

async function makeFixture(force) {
  await refuseOverwrite([join(FIXTURE, 'repo'), join(FIXTURE, 'expected.json')], force);
  await rm(join(FIXTURE, 'repo'), { recursive: true, force: true });
  await mkdir(FIXTURE, { recursive: true });
  await writeFile(join(FIXTURE, 'passphrase.txt'), PASSPHRASE);
  const repo = join(FIXTURE, 'repo');
  cli(repo, ['init', '--key-name', 'fixture', '--scrypt-n', '16384', '--pack-size', '1M',
    '--chunk-min', '64K', '--chunk-avg', '128K', '--chunk-max', '512K']);
  const snapshots = [];
  for (const version of [1, 2]) {
    await buildSource(version);
    const summary = cli(repo, ['backup', '--host', 'fixture', SOURCE]).find((line) => line.type === 'summary');
    snapshots.push({ id: summary.snapshot, source: SOURCE, tree: await describeTree(SOURCE) });
  }
  await rm(join(repo, '.tmp'), { recursive: true, force: true });
  await rm(dirname(SOURCE), { recursive: true, force: true });

  // The binary file must span several data blobs (the chunker is keyed per repository).
  const { LocalBackend } = await dist('backend/local.js');
  const { openRepository } = await dist('repository/index.js');
  const { fileContent, readDirectory } = await dist('walker/index.js');
  const { repository } = await openRepository(new LocalBackend(repo), PASSPHRASE.slice(0, -1));
  await repository.loadIndex();
  const first = await repository.loadSnapshot(snapshots[0].id);
  let subtree = [first.snapshot.tree];
  for (const name of SOURCE.split('/').filter(Boolean)) {
    subtree = (await readDirectory(repository, subtree)).find((n) => n.name.toString() === name).subtree;
  }
  const dataNode = (await readDirectory(repository, subtree)).find((n) => n.name.toString() === 'data.bin');
  const blobs = (await fileContent(repository, dataNode)).length;
  if (blobs < 2) throw new Error(`data.bin is ${blobs} blob(s) with this repository's chunker key: run again with --force`);

  const expected = {
    comment: 'Format v1 fixture: what restoring each snapshot of repo/ must produce below the snapshot\'s source path. '
      + 'Paths are relative to that directory ("." is the directory itself); mtimeNs in nanoseconds; sha256 of file content. '
      + 'Generated once by scripts/make-fixture.mjs; never edit or regenerate.',
    passphraseFile: 'passphrase.txt',
    snapshots,
  };
  await writeFile(join(FIXTURE, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
  console.log(`fixture: ${snapshots.map((s) => s.id.slice(0, 8)).join(', ')}; data.bin in ${blobs} blobs; repo ${await totalSize(repo)} bytes`);
}

// ---------------------------------------------------------------------------
// vectors

async function makeVectors(force) {
  const packPath = join(ROOT, 'testdata', 'pack-vectors.json');
  const indexPath = join(ROOT, 'testdata', 'index-vectors.json');
  await refuseOverwrite([packPath, indexPath], force);
  const crypto = await dist('crypto/index.js');
  const { generateRawKeyPair } = await dist('crypto/keys.js');
  const format = await dist('format/index.js');
  const { ZstdCodec } = await dist('codec/index.js');
  const { buildPack } = await dist('repository/pack-builder.js');
  const { makeDomain } = await dist('repository/keyring.js');
  const { sealIndex, openIndex } = await dist('repository/index-object.js');
  const { OpenedPack } = await dist('repository/pack-reader.js');
  const codec = new ZstdCodec();

  const repositoryId = crypto.randomBytes(32);
  const writerRoot = crypto.randomBytes(32);
  const domain = makeDomain('default', writerRoot, repositoryId);
  const read = generateRawKeyPair('x25519');
  const signer = generateRawKeyPair('ed25519');
  const otherSigner = generateRawKeyPair('ed25519');
  const limits = { maxBlobSize: 8 * 1024 * 1024, packSize: 1024 * 1024 };
  const readKeys = { readPublicKey: read.publicKey, readPrivateKey: read.privateKey, idKeys: [domain.keys.idKey], ...limits };

  const packable = (type, plaintext) => {
    const compressed = codec.compressIfWorthwhile(plaintext);
    return {
      id: crypto.blobIdOf(domain.keys.idKey, type, plaintext), type, compression: compressed ? 1 : 0,
      stored: compressed ?? plaintext, rawLength: plaintext.length, plaintext,
    };
  };
  const describePack = (name, built, blobs) => ({
    name, type: built.type, id: built.id, hex: hex(built.bytes), entries: built.entries,
    blobs: blobs.map((b) => ({ id: hex(b.id), type: b.type, compression: b.compression, plaintext: hex(b.plaintext) })),
  });

  // A data pack with one compressed, one raw and one tiny blob.
  const dataBlobs = [
    packable(0, Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(64))),
    packable(0, prngBytes(0x5eed, 400)),
    packable(0, Buffer.from('hi!')),
  ];
  if (dataBlobs.map((b) => b.compression).join() !== '1,0,0') throw new Error('data blobs: expected compressed, raw, raw');
  const dataPack = buildPack('data', dataBlobs, read.publicKey);
  // A tree pack with two tree blobs of the same sealed length (so a swap keeps the layout).
  const treeNode = (name, size) => ({ name: Buffer.from(name), type: 'file', mode: 0o644, uid: 1000, gid: 1000,
    mtime: T0, size, content: [hex(dataBlobs[size % 3].id)] });
  const treeBlobs = [
    packable(1, format.encodeTree([treeNode('alpha.txt', 2816), treeNode('beta.bin', 400)])),
    packable(1, format.encodeTree([treeNode('gamma.txt', 2816), treeNode('delta.bin', 400)])),
  ];
  const treePack = buildPack('tree', treeBlobs, read.publicKey);
  const [t0, t1] = treePack.entries;
  if (t0.sealedLength !== t1.sealedLength) throw new Error('tree blobs: sealed lengths differ; adjust the names');
  // The blob at counter 0 of the data pack, alone in another pack: same length, counter and associated data, other key.
  const first = dataPack.entries.find((e) => e.counter === 0);
  const otherPack = buildPack('data', dataBlobs.filter((b) => hex(b.id) === first.id), read.publicKey);

  const negative = [];
  // Cases derived from the data pack, opened as a data pack.
  const packCase = (name, bytes, expect) => negative.push({ name, base: 'dataPack', openAs: 'data', hex: hex(bytes), ...expect });
  const flip = (bytes, offset, bit) => {
    const out = Buffer.from(bytes);
    out[offset] ^= 1 << bit;
    return out;
  };
  const setByte = (bytes, offset, value) => {
    const out = Buffer.from(bytes);
    out[offset] = value;
    return out;
  };
  const d = dataPack.bytes;
  const n = d.length;
  const trailerStart = n - 4 - d.readUInt32LE(n - 4);
  const byCounter = [...dataPack.entries].sort((a, b) => a.counter - b.counter);
  const open = { stage: 'open' };
  const integrity = (message) => ({ ...open, code: 'INTEGRITY', message });
  const formatErr = (message) => ({ ...open, code: 'FORMAT', message });
  for (const length of [0, 5]) packCase(`truncated to ${length} bytes`, d.subarray(0, length), formatErr('truncated object header'));
  for (const length of [6, 37, 38, 65]) packCase(`truncated to ${length} bytes`, d.subarray(0, length), formatErr('truncated'));
  // Cutting 1 to 4 bytes leaves tag bytes in the length field: far beyond the pack (checked below).
  for (const cut of [1, 2, 3, 4]) {
    packCase(`last ${cut} byte(s) cut (trailer length field)`, d.subarray(0, n - cut), formatErr('invalid trailer length'));
  }
  packCase('truncated inside a blob', d.subarray(0, 100), formatErr('invalid trailer length'));
  packCase('truncated inside the trailer', d.subarray(0, trailerStart + 20), formatErr('invalid trailer length'));
  packCase('header: bit flipped in the magic', flip(d, 0, 0), formatErr('unknown magic'));
  packCase('header: bit flipped in the version', flip(d, 4, 1), formatErr('unknown format version 3'));
  packCase('header: unknown format version 2', setByte(d, 4, 2), formatErr('unknown format version 2'));
  packCase('header: bit flipped in the type (data pack found where data packs live)', flip(d, 5, 0),
    formatErr('expected data pack object, found tree pack'));
  negative.push({ name: 'header: type byte says tree pack, opened as a tree pack (the header is authenticated)',
    base: 'dataPack', openAs: 'tree', hex: hex(flip(d, 5, 0)), ...integrity('authentication failed') });
  negative.push({ name: 'wrong object type: data pack opened as a tree pack', base: 'dataPack', openAs: 'tree', hex: hex(d),
    ...formatErr('expected tree pack object, found data pack') });
  negative.push({ name: 'wrong object type: tree pack opened as a data pack', base: 'treePack', openAs: 'data',
    hex: hex(treePack.bytes), ...formatErr('expected data pack object, found tree pack') });
  packCase('ephemeral key: first bit flipped', flip(d, 6, 0), integrity('authentication failed'));
  packCase('ephemeral key: top bit flipped (ignored by X25519, bound by the key derivation and associated data)',
    flip(d, 37, 7), integrity('authentication failed'));
  packCase('ephemeral key taken from another pack',
    Buffer.concat([d.subarray(0, 6), otherPack.bytes.subarray(6, 38), d.subarray(38)]), integrity('authentication failed'));
  packCase('trailer: bit flipped in the ciphertext', flip(d, trailerStart + 5, 3), integrity('trailer: authentication failed'));
  packCase('trailer: bit flipped in the tag', flip(d, n - 5, 7), integrity('trailer: authentication failed'));
  packCase('trailer length: lowest bit flipped', flip(d, n - 4, 0), integrity('trailer: authentication failed'));
  packCase('trailer length: bit 2 flipped', flip(d, n - 4, 2), integrity('trailer: authentication failed'));
  packCase('trailer length: top bit flipped', flip(d, n - 1, 7), formatErr('invalid trailer length'));
  const blobCase = (name, base, bytes, failing) => {
    negative.push({ name, base, openAs: base === 'dataPack' ? 'data' : 'tree', hex: hex(bytes), stage: 'blob',
      code: 'INTEGRITY', message: 'authentication failed', failingBlobs: failing });
  };
  const e0 = byCounter[0];
  blobCase('blob: bit flipped in the first sealed blob', 'dataPack', flip(d, e0.offset + 10, 4), [e0.id]);
  const e2 = byCounter[2];
  blobCase('blob: bit flipped in the tag of the last sealed blob', 'dataPack', flip(d, e2.offset + e2.sealedLength - 1, 0), [e2.id]);
  {
    // Swap two sealed blobs of a data pack (different lengths): the trailer still describes the old layout.
    const [a, b, c] = byCounter;
    const seg = (e) => d.subarray(e.offset, e.offset + e.sealedLength);
    const swapped = Buffer.concat([d.subarray(0, 38), seg(b), seg(a), seg(c), d.subarray(trailerStart)]);
    blobCase('two sealed blobs swapped (different lengths)', 'dataPack', swapped, [a.id, b.id]);
  }
  {
    // Swap the two tree blobs, which have equal lengths: every offset still fits, only nonce and id bind them.
    const tb = treePack.bytes;
    const [a, b] = [...treePack.entries].sort((x, y) => x.counter - y.counter);
    const seg = (e) => tb.subarray(e.offset, e.offset + e.sealedLength);
    const tTrailer = tb.length - 4 - tb.readUInt32LE(tb.length - 4);
    const swapped = Buffer.concat([tb.subarray(0, 38), seg(b), seg(a), tb.subarray(tTrailer)]);
    blobCase('two sealed blobs of equal length swapped', 'treePack', swapped, [a.id, b.id]);
  }
  {
    // The same blob (same id, length, counter and header) sealed in another pack replaces it: the key differs.
    const [o] = otherPack.entries;
    const moved = Buffer.concat([d.subarray(0, e0.offset), otherPack.bytes.subarray(o.offset, o.offset + o.sealedLength),
      d.subarray(e0.offset + e0.sealedLength)]);
    blobCase('blob moved from another pack (same blob, counter and length)', 'dataPack', moved, [e0.id]);
  }

  // Check every expectation against the code, so a vector that does not test what its name says is never written.
  for (const c of negative) {
    const bytes = Buffer.from(c.hex, 'hex');
    let pack;
    try {
      pack = OpenedPack.open(sha256(bytes), c.openAs, bytes, readKeys);
    } catch (error) {
      if (c.stage !== 'open' || error.code !== c.code || !error.message.includes(c.message)) throw new Error(`${c.name}: ${error.message}`);
      continue;
    }
    if (c.stage !== 'blob') throw new Error(`${c.name}: opened`);
    const failing = pack.entries.filter((e) => {
      try { pack.openBlob(e, codec); return false; } catch { return true; }
    }).map((e) => e.id).sort();
    if (failing.join() !== [...c.failingBlobs].sort().join()) throw new Error(`${c.name}: failing blobs ${failing}`);
  }

  const packVectors = {
    comment: 'Format v1 pack vectors (docs/format.md "Packs"). Byte strings are hex. Packs use a fresh ephemeral key and a '
      + 'random blob order, so these bytes were recorded once (scripts/make-fixture.mjs vectors): they must always decode '
      + 'with these keys to these blobs. Each negative case is named by the pack it derives from and must fail, opened '
      + 'under the SHA-256 of its own bytes as a pack of type openAs, at stage "open" (OpenedPack.open) or "blob" '
      + '(openBlob of failingBlobs; the other blobs still open), with an error whose code is `code` and whose message '
      + 'contains `message`. Under the original pack id every changed byte string must fail the name check.',
    keys: {
      repositoryId: hex(repositoryId), writerRoot: hex(writerRoot), idKey: hex(domain.keys.idKey),
      readPublicKey: hex(read.publicKey), readPrivateKey: hex(read.privateKey),
    },
    limits,
    packs: [
      describePack('dataPack', dataPack, dataBlobs),
      describePack('treePack', treePack, treeBlobs),
      describePack('otherDataPack', otherPack, dataBlobs.filter((b) => hex(b.id) === first.id)),
    ],
    negative,
  };

  // Index objects: the two packs above, once signed by the repository's signer and once by another key.
  const indexPayload = { superseded: [], packs: [dataPack, treePack].map((p) => ({ id: p.id, type: p.type, entries: p.entries })) };
  const signerRecord = { name: 'vectors', publicKey: signer.publicKey, privateKey: signer.privateKey };
  const index = sealIndex(indexPayload, domain, signerRecord);
  const compacted = { superseded: [index.id], packs: indexPayload.packs.slice(0, 1) };
  const indexCompacted = sealIndex(compacted, domain, signerRecord);
  const byOther = sealIndex(indexPayload, domain, { name: 'other', ...otherSigner });
  // A signature that does not verify, sealed with the right key (built by hand from docs/format.md).
  const badSignature = (() => {
    const body = format.encodeIndexPayload(indexPayload);
    const signature = crypto.signBody(signer.privateKey, format.SignatureLabel.index, Buffer.from('another body'));
    const salt = crypto.randomBytes(32);
    const key = crypto.hkdf(domain.keys.indexKey, salt, crypto.LABELS.index);
    const header = format.encodeSealedObject(format.ObjectType.index, salt, Buffer.alloc(0));
    const sealed = crypto.seal(key, crypto.counterNonce(0), header,
      format.encodePadded(format.encodeSigned(body, signer.publicKey, signature)));
    return Buffer.concat([header, sealed]);
  })();
  const x = index.bytes;
  const indexNegative = [];
  const indexCase = (name, bytes, code, message) => indexNegative.push({ name, hex: hex(bytes), code, message });
  for (const length of [0, 5]) indexCase(`truncated to ${length} bytes`, x.subarray(0, length), 'FORMAT', 'truncated object header');
  for (const length of [6, 38, 53]) indexCase(`truncated to ${length} bytes`, x.subarray(0, length), 'FORMAT', 'index: truncated');
  indexCase('truncated to 54 bytes (an empty ciphertext and a tag)', x.subarray(0, 54), 'INTEGRITY', 'authentication failed');
  indexCase('last byte cut', x.subarray(0, x.length - 1), 'INTEGRITY', 'authentication failed');
  indexCase('header: bit flipped in the magic', flip(x, 3, 6), 'FORMAT', 'unknown magic');
  indexCase('header: unknown format version 2', setByte(x, 4, 2), 'FORMAT', 'unknown format version 2');
  indexCase('header: type says snapshot', setByte(x, 5, 5), 'FORMAT', 'expected index object, found snapshot');
  indexCase('wrong object type: a data pack', dataPack.bytes, 'FORMAT', 'expected index object, found data pack');
  indexCase('salt: bit flipped', flip(x, 6, 0), 'INTEGRITY', 'authentication failed');
  indexCase('ciphertext: bit flipped', flip(x, 60, 5), 'INTEGRITY', 'authentication failed');
  indexCase('tag: bit flipped', flip(x, x.length - 1, 7), 'INTEGRITY', 'authentication failed');
  indexCase('signature does not verify', badSignature, 'INTEGRITY', 'signature does not verify');
  for (const c of indexNegative) {
    const bytes = Buffer.from(c.hex, 'hex');
    try {
      openIndex(sha256(bytes), bytes, [domain]);
    } catch (error) {
      if (error.code !== c.code || !error.message.includes(c.message)) throw new Error(`${c.name}: ${error.message}`);
      continue;
    }
    throw new Error(`${c.name}: opened`);
  }
  const indexVectors = {
    comment: 'Format v1 index object vectors (docs/format.md "Index objects"). Byte strings are hex; entries as in '
      + 'pack-vectors.json. Index objects use a random salt, so these bytes were recorded once (scripts/make-fixture.mjs '
      + 'vectors) and must always open with the domain derived from writerRoot and repositoryId to these payloads, signed '
      + 'by signerPublicKey. Each negative case must fail, opened under the SHA-256 of its own bytes, with an error whose '
      + 'code is `code` and whose message contains `message`.',
    keys: {
      repositoryId: hex(repositoryId), writerRoot: hex(writerRoot), indexKey: hex(domain.keys.indexKey),
      signerPublicKey: hex(signer.publicKey), signerPrivateKey: hex(signer.privateKey),
      otherSignerPublicKey: hex(otherSigner.publicKey), otherSignerPrivateKey: hex(otherSigner.privateKey),
    },
    objects: [
      { name: 'index', id: index.id, hex: hex(index.bytes), signerPublicKey: hex(signer.publicKey), payload: indexPayload },
      { name: 'compacted index superseding the first', id: indexCompacted.id, hex: hex(indexCompacted.bytes),
        signerPublicKey: hex(signer.publicKey), payload: compacted },
      { name: 'index signed by a key outside the signer set (opens; trust is decided by the repository)', id: byOther.id,
        hex: hex(byOther.bytes), signerPublicKey: hex(otherSigner.publicKey), payload: indexPayload },
    ],
    negative: indexNegative,
  };
  await writeFile(packPath, `${JSON.stringify(packVectors, null, 1)}\n`);
  await writeFile(indexPath, `${JSON.stringify(indexVectors, null, 1)}\n`);
  console.log(`vectors: ${negative.length} pack and ${indexNegative.length} index negative cases`);
}

const [command, ...flags] = process.argv.slice(2);
const force = flags.includes('--force');
if (command === 'fixture') await makeFixture(force);
else if (command === 'vectors') await makeVectors(force);
else {
  console.error('usage: node scripts/make-fixture.mjs fixture|vectors [--force]');
  process.exitCode = 2;
}
