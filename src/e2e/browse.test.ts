/**
 * find, diff, stats (and ls) through the real CLI, then again after every data
 * pack of the repository has been deleted: they read only trees and the
 * index, so the answers are the same (while dump, which needs data, fails).
 */
import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { hardlink, makeTree, withTempDir } from '../source/testing.js';
import { Coffer, dataPackNames, describeRun, jsonLines, pseudoRandomBytes } from './testing.js';

interface Match { type: string; snapshot: string; path: string; nodeType: string; size: number | null }
interface ChangeLine { type: string; change: string; path: string; fields: string[] }
interface StatsLine { type: string; id?: string; files: number; restoreSize: number; data: { blobs: number; rawBytes: number }; dedupRatio?: number }

test('find, diff and stats answer from trees and index alone, also with every data pack deleted', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const src = join(base, 'src');
    const photo = pseudoRandomBytes('photo', 200 * 1024);
    const shared = pseudoRandomBytes('shared', 100 * 1024);
    await makeTree(src, {
      docs: { 'a.pdf': 'pdf one\n', 'b.txt': 'text\n' },
      photos: { 'p.jpg': photo },
      copies: { one: shared, two: shared, link: hardlink('copies/one') },
    });
    const first = (await coffer.backup([src])).snapshot;
    await writeFile(join(src, 'docs', 'b.txt'), 'text, edited\n');
    await writeFile(join(src, 'docs', 'c.pdf'), 'pdf two\n');
    await rm(join(src, 'photos', 'p.jpg'));
    await chmod(join(src, 'docs', 'a.pdf'), 0o600);
    const second = (await coffer.backup([src])).snapshot;

    const queries = [
      ['find', '--json', '*.pdf'],
      ['find', '--json', '--min-size', '150K'],
      ['find', '--json', '--snapshot', second.slice(0, 8), `${src}/docs/*`],
      ['diff', '--json', first, second],
      ['stats', '--json'],
      ['find', '*.pdf'],
      ['ls', '--json', 'latest'],
    ];
    const answers = [];
    for (const query of queries) answers.push((await coffer.ok(query)).stdout);
    const [pdfs, large, docs, diff, stats, text, listing] = answers as [string, string, string, string, string, string, string];
    assert.ok(listing.includes('/docs/c.pdf'));

    const matches = (out: string) => (jsonLines(out) as Match[]).filter((m) => m.type === 'match')
      .map((m) => `${m.snapshot === first ? 1 : 2} ${m.path.slice(src.length)}`);
    assert.deepEqual(matches(pdfs), ['1 /docs/a.pdf', '2 /docs/a.pdf', '2 /docs/c.pdf']);
    assert.deepEqual(matches(large), ['1 /photos/p.jpg']);
    assert.deepEqual(matches(docs), ['2 /docs/a.pdf', '2 /docs/b.txt', '2 /docs/c.pdf']);
    assert.match(text, new RegExp(`^snapshot ${first.slice(0, 8)} of .*:\\n  file .*/docs/a\\.pdf\\nsnapshot ${second.slice(0, 8)} of `));

    const changes = (jsonLines(diff) as ChangeLine[]).filter((c) => c.type === 'change' && !(c.change === 'metadata' && c.fields.join() === 'mtime'))
      .map((c) => `${c.change} ${c.path.slice(src.length)} ${c.fields.join(',')}`.trim());
    assert.deepEqual(changes, ['metadata /docs/a.pdf mode', 'modified /docs/b.txt mtime', 'added /docs/c.pdf', 'removed /photos/p.jpg']);
    const diffSummary = jsonLines(diff).at(-1) as { type: string; added: { files: number }; removed: { files: number; bytes: number }; modified: number };
    assert.deepEqual([diffSummary.type, diffSummary.added.files, diffSummary.removed.files, diffSummary.removed.bytes, diffSummary.modified],
      ['summary', 1, 1, photo.length, 1]);

    const lines = jsonLines(stats) as StatsLine[];
    const [one, two, total] = lines as [StatsLine, StatsLine, StatsLine];
    // Hard-linked copies/link counts once; copies/two has the same content, so one set of blobs serves both.
    const firstSize = 'pdf one\n'.length + 'text\n'.length + photo.length + 2 * shared.length;
    const secondSize = 'pdf one\n'.length + 'text, edited\n'.length + 'pdf two\n'.length + 2 * shared.length;
    assert.deepEqual([one.id, one.files, one.restoreSize, two.id, two.files, two.restoreSize],
      [first, 6, firstSize, second, 6, secondSize]);
    assert.equal(total.type, 'total');
    assert.equal(total.restoreSize, firstSize + secondSize);
    const distinct = 'pdf one\n'.length + 'text\n'.length + photo.length + shared.length + 'text, edited\n'.length + 'pdf two\n'.length;
    assert.equal(total.data.rawBytes, distinct);
    assert.equal(total.dedupRatio, Math.round(((firstSize + secondSize) / distinct) * 100) / 100);
    assert.equal(lines[3]?.type, 'repository');

    const packs = await dataPackNames(coffer.repo);
    assert.ok(packs.length > 0);
    await rm(join(coffer.repo, 'data'), { recursive: true });
    for (const [i, query] of queries.entries()) {
      assert.equal((await coffer.ok(query)).stdout, answers[i], `${query.join(' ')} answers the same without data packs`);
    }
    const dump = await coffer.run(['dump', 'latest', join(src, 'docs', 'a.pdf')]);
    assert.equal(dump.code, 1, `dump needs the data that is gone\n${describeRun(dump)}`);
  });
});
