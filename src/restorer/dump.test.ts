import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { backup } from '../archiver/backup.js';
import type { BlobId } from '../format/index.js';
import { TEST_NOW, testRepository } from '../repository/testing.js';
import { Excluder } from '../source/index.js';
import { makeTree, withTempDir } from '../source/testing.js';
import { lookupNode } from '../walker/index.js';
import { dumpFile } from './dump.js';

test('dump waits for its output: no blob is loaded while a write is pending', async () => {
  await withTempDir(async (base) => {
    const { repository } = await testRepository();
    const content = Buffer.alloc(200 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 2654435761) >>> 24;
    await makeTree(base, { 'big.bin': content });
    const { snapshot } = await backup(repository, {
      paths: [join(base, 'big.bin')], excluder: new Excluder([]), now: TEST_NOW, clock: () => 0, cacheDir: null, program: 'test',
    });
    const path = join(base, 'big.bin').split('/').filter(Boolean).map((n) => Buffer.from(n));
    const node = await lookupNode(repository, snapshot.tree, path);
    assert.ok((node.content?.length ?? 0) >= 5, 'several blobs');

    let loads = 0;
    const source = {
      loadTreeBlob: (id: BlobId, signal?: AbortSignal) => repository.loadTreeBlob(id, signal),
      loadDataBlob: (id: BlobId, signal?: AbortSignal) => { loads += 1; return repository.loadDataBlob(id, signal); },
    };
    const written: Buffer[] = [];
    let release: (() => void) | undefined;
    const output = {
      write: (bytes: Buffer) => new Promise<void>((resolve) => { written.push(bytes); release = resolve; }),
    };
    const dumping = dumpFile(node, path, { source, output });
    for (let i = 0; i < node.content!.length; i++) {
      while (!release) await new Promise((resolve) => setImmediate(resolve));
      for (let j = 0; j < 5; j++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(loads, i + 1, 'one blob loaded per write accepted');
      const go = release;
      release = undefined;
      go();
    }
    assert.equal(await dumping, content.length);
    assert.ok(Buffer.concat(written).equals(content));
  });
});
