// The benchmark data set must be the same bytes on every machine and every
// run (the cache key and cross-machine comparisons rely on it), and the
// mutation must revert exactly. Uses the tiny parameters: about 2 MiB.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ZstdCodec } from '../../codec/index.js';
import { listTree } from '../tree.js';
import { Dataset } from './dataset.js';
import { TINY } from './params.js';

/** SHA-256 over every entry's kind, path and content, in path order. */
async function treeHash(root: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = [...(await listTree(root))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [path, entry] of entries) {
    hash.update(`${entry.kind}\0${path}\0`);
    if (entry.kind === 'file') hash.update(await readFile(join(root, path)));
  }
  return hash.digest('hex');
}

// Recorded once from the generator; a change here means every cached data
// set and every earlier result was made from other bytes: bump GENERATOR_VERSION.
const TINY_BASE_HASH = '9a19561ddf0c24b8fa77fdf30e90995499da809ad712688785d816881e427663';

test('the same parameters give the same tree, byte for byte; the mutation reverts exactly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-bench-data-'));
  try {
    const one = await Dataset.prepare(TINY, join(dir, 'a'));
    const two = await Dataset.prepare(TINY, join(dir, 'b'));
    const base = await treeHash(one.root);
    assert.equal(await treeHash(two.root), base);
    assert.equal(base, TINY_BASE_HASH);
    assert.ok(one.manifest.files.length > 80 && one.manifest.dirs.length === TINY.dirs);

    const other = await Dataset.prepare({ ...TINY, seed: TINY.seed + 1, textFiles: 20 }, join(dir, 'c'));
    assert.notEqual(await treeHash(other.root), base);

    await one.toMutated();
    const mutated = await treeHash(one.root);
    assert.notEqual(mutated, base);
    await two.toMutated();
    assert.equal(await treeHash(two.root), mutated, 'the mutation is deterministic too');
    await one.toBase();
    assert.equal(await treeHash(one.root), base);

    // A later run reuses the cached tree, whatever state it was left in.
    const lines: string[] = [];
    const again = await Dataset.prepare(TINY, join(dir, 'b'), (line) => lines.push(line));
    assert.deepEqual(lines, []);
    assert.equal(await treeHash(again.root), base);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('text files compress like text, random files do not compress', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-bench-data-'));
  try {
    const ds = await Dataset.prepare(TINY, dir);
    const read = (kind: string) => Promise.all(ds.manifest.files.filter((f) => f.kind === kind).map((f) => readFile(join(ds.root, f.path))));
    const text = Buffer.concat(await read('text'));
    const random = Buffer.concat(await read('random'));
    const codec = new ZstdCodec();
    const ratio = text.length / (codec.compressIfWorthwhile(text)?.length ?? text.length);
    assert.ok(ratio > 2 && ratio < 5, `text compresses ${ratio.toFixed(2)}x`);
    assert.equal(codec.compressIfWorthwhile(random), null, 'random bytes do not compress');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
