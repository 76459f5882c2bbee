/**
 * diff, find and stats over real snapshots (backed up from a temporary
 * directory into a memory repository), watching which tree blobs they load.
 */
import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { backup } from '../archiver/backup.js';
import type { BlobId } from '../format/index.js';
import type { Repository } from '../repository/index.js';
import { TEST_NOW, testRepository } from '../repository/testing.js';
import { displayPath, Excluder } from '../source/index.js';
import { file, hardlink, makeTree, withTempDir, type TreeSpec } from '../source/testing.js';
import { BlobSet, countTree, diffTrees, Finder, lookupNode, snapshotPath, walkTree, type TreeBlobSource } from './index.js';

/** A tree source that records every tree blob loaded. */
function recording(repository: Repository): TreeBlobSource & { loaded: Set<string> } {
  const loaded = new Set<string>();
  return { loaded, loadTreeBlob: (id, signal) => { loaded.add(id); return repository.loadTreeBlob(id, signal); } };
}

async function snapshotOf(repository: Repository, dir: string): Promise<BlobId> {
  const result = await backup(repository, {
    paths: [dir], excluder: new Excluder([]), now: TEST_NOW, clock: () => 0, cacheDir: null, program: 'test',
  });
  return result.snapshot.tree;
}

/** Every tree blob id at and below a directory node (its pages, its subdirectories', content lists). */
async function treeBlobsBelow(repository: Repository, root: BlobId, path: string): Promise<string[]> {
  const node = await lookupNode(repository, root, path.split('/').filter(Boolean).map((n) => Buffer.from(n)));
  const ids = [...(node.subtree ?? [])];
  for (const page of node.subtree ?? []) {
    await walkTree(repository, page, ({ node: n }) => { ids.push(...(n.subtree ?? []), ...(n.contentLists ?? [])); });
  }
  return ids;
}

function big(): TreeSpec {
  const spec: Record<string, TreeSpec> = {};
  for (let d = 0; d < 5; d++) {
    const files: Record<string, string> = {};
    for (let f = 0; f < 5; f++) files[`file-${f}.txt`] = `dir ${d} file ${f}\n`;
    spec[`dir-${d}`] = files;
  }
  return spec;
}

test('diff reports each kind of change and never loads a subtree that did not change', async () => {
  await withTempDir(async (base) => {
    const { repository } = await testRepository();
    const src = join(base, 'src');
    await makeTree(src, {
      unchanged: big(),
      work: { 'edit.txt': 'first\n', 'chmod.txt': 'same\n', 'gone.txt': 'bye\n', 'becomes-file': { inner: { 'deep.txt': 'x\n' } } },
    });
    const before = await snapshotOf(repository, src);
    await writeFile(join(src, 'work', 'edit.txt'), 'second version\n');
    await chmod(join(src, 'work', 'chmod.txt'), 0o600);
    await rm(join(src, 'work', 'gone.txt'));
    await rm(join(src, 'work', 'becomes-file'), { recursive: true });
    await writeFile(join(src, 'work', 'becomes-file'), 'now a file\n');
    await makeTree(join(src, 'work', 'new-dir'), { 'n.txt': 'new\n' });
    const after = await snapshotOf(repository, src);

    const source = recording(repository);
    const changes: string[] = [];
    await diffTrees(source, before, after, (c) => {
      const full = displayPath(snapshotPath(c.path));
      // Directories above src (the shared /tmp) change whenever another test makes a temporary directory.
      if (!full.startsWith(src)) return;
      const path = full.slice(src.length);
      changes.push(`${c.kind} ${path}${c.fields?.length ? ` ${c.fields.join(',')}` : ''}`);
    });
    // Directory mtimes change with their entries; src itself and unchanged/ do not.
    assert.deepEqual(changes.filter((c) => !c.startsWith('metadata /work ')), [
      'type /work/becomes-file',
      'removed /work/becomes-file/inner',
      'removed /work/becomes-file/inner/deep.txt',
      'metadata /work/chmod.txt mode',
      'modified /work/edit.txt mtime',
      'removed /work/gone.txt',
      'added /work/new-dir',
      'added /work/new-dir/n.txt',
    ]);
    const skipped = await treeBlobsBelow(repository, after, `${src}/unchanged`);
    assert.ok(skipped.length >= 6, 'unchanged/ has its own pages and five subdirectories');
    assert.deepEqual(skipped.filter((id) => source.loaded.has(id)), [], 'no tree blob of unchanged/ was loaded');

    // The same snapshot twice: nothing is loaded at all.
    const idle = recording(repository);
    await diffTrees(idle, after, after, () => assert.fail('no change expected'));
    assert.equal(idle.loaded.size, 0);
  });
});

test('find matches globs, times and sizes; a directory unchanged since the last snapshot searched is not loaded again', async () => {
  await withTempDir(async (base) => {
    const { repository } = await testRepository();
    const src = join(base, 'src');
    const old = 1_600_000_000_000_000_000n;
    await makeTree(src, { unchanged: big(), docs: { 'a.pdf': 'pdf\n', 'b.txt': 'a longer text file\n' } });
    await makeTree(join(src, 'docs'), { 'old.pdf': file('old\n', { mtimeNs: old }) });
    const first = await snapshotOf(repository, src);
    await writeFile(join(src, 'docs', 'c.pdf'), 'another\n');
    const second = await snapshotOf(repository, src);

    const shown = (entries: { path: readonly Buffer[] }[]) => entries.map((e) => displayPath(snapshotPath(e.path)).slice(src.length));
    const pdfs = new Excluder(['*.pdf']);
    const finder = new Finder(repository, { paths: { matches: (p, d) => pdfs.excludes(p, d) } });
    assert.deepEqual(shown(await finder.find(first)), ['/docs/a.pdf', '/docs/old.pdf']);
    const source = recording(repository);
    const again = new Finder(source, { paths: { matches: (p, d) => pdfs.excludes(p, d) } });
    await again.find(first);
    source.loaded.clear();
    assert.deepEqual(shown(await again.find(second)), ['/docs/a.pdf', '/docs/c.pdf', '/docs/old.pdf']);
    const unchanged = await treeBlobsBelow(repository, second, `${src}/unchanged`);
    assert.deepEqual(unchanged.filter((id) => source.loaded.has(id)), [], 'unchanged/ was not searched twice');

    assert.deepEqual(shown(await new Finder(repository, { olderThan: old + 1n }).find(second)), ['/docs/old.pdf']);
    assert.deepEqual(shown(await new Finder(repository, { newerThan: old, minSize: 15 }).find(second)), ['/docs/b.txt']);
    const sized = await new Finder(repository, { minSize: 4, maxSize: 4, paths: { matches: (p) => p.toString().startsWith(src) } }).find(second);
    assert.deepEqual(shown(sized), ['/docs/a.pdf', '/docs/old.pdf']);
  });
});

test('stats count hard-linked content once and each distinct blob once per set', async () => {
  await withTempDir(async (base) => {
    const { repository } = await testRepository();
    const src = join(base, 'src');
    const text = 'the same content in three files, twice as a hard link\n';
    await makeTree(src, { a: text, copy: text, link: hardlink('a'), other: 'other\n' });
    const root = await snapshotOf(repository, src);
    const own = new BlobSet(repository.index);
    const counts = await countTree(repository, root, [own]);
    assert.equal(counts.files, 4);
    assert.equal(counts.restoreSize, 2 * text.length + 'other\n'.length, 'a and link are one inode');
    assert.equal(own.data.blobs, 2, 'three names of one content are one blob');
    assert.equal(own.data.rawBytes, text.length + 'other\n'.length);
    assert.ok(own.data.storedBytes > own.data.rawBytes, 'small blobs grow when sealed');
    assert.equal(own.missing, 0);
  });
});
